"""Forms of the bidder's profile, users and certificate vault; the services do the checking."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bidding.models import CertificateKind


def _needed(message: Any) -> dict[str, Any]:
    return {"required": message}


class ProfileForm(forms.Form):
    legal_representative = forms.CharField(
        label=_("法定代表人"), max_length=100, error_messages=_needed(_("请填写法定代表人。"))
    )
    basic_account_bank = forms.CharField(
        label=_("基本存款账户开户行"),
        max_length=200,
        help_text=_("以开户许可证或基本存款账户信息为准。"),
        error_messages=_needed(_("请填写基本存款账户开户行。")),
    )
    basic_account_name = forms.CharField(
        label=_("基本存款账户户名"),
        max_length=200,
        help_text=_("须与主体名称完全一致。"),
        error_messages=_needed(_("请填写基本存款账户户名。")),
    )
    basic_account_number = forms.CharField(
        label=_("基本存款账户账号"),
        max_length=60,
        help_text=_("现金保证金须从此账户转出（招标投标法实施条例第26条）。"),
        error_messages=_needed(_("请填写基本存款账户账号。")),
    )
    contact_name = forms.CharField(
        label=_("联系人"), max_length=100, error_messages=_needed(_("请填写联系人。"))
    )
    contact_phone = forms.CharField(
        label=_("联系电话"), max_length=30, error_messages=_needed(_("请填写联系电话。"))
    )
    # Checked by the service, so that its message is the one shown.
    contact_email = forms.CharField(label=_("联系邮箱"), max_length=254, required=False)


class InviteForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=150)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    phone = forms.RegexField(
        label=_("手机号"),
        regex=r"^1[3-9][0-9]{9}$",
        required=False,
        error_messages={"invalid": _("请输入11位手机号。")},
    )
    is_organisation_admin = forms.BooleanField(label=_("设为主体管理员"), required=False)


class InvitationForm(forms.Form):
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)
    password_again = forms.CharField(label=_("再次输入密码"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("两次输入的密码不一致。"))
        return data


class CertificateForm(forms.Form):
    kind = forms.ChoiceField(label=_("证书类别"), choices=CertificateKind.choices)
    name = forms.CharField(
        label=_("证书名称"),
        max_length=200,
        help_text=_("如：建筑业企业资质证书、安全生产许可证、一级注册建造师注册证书。"),
    )
    number = forms.CharField(label=_("证书编号"), max_length=100)
    grade = forms.CharField(
        label=_("资质类别与等级"),
        max_length=200,
        required=False,
        help_text=_("资质证书必填，如：建筑工程施工总承包贰级。"),
    )
    issuer = forms.CharField(label=_("发证机关"), max_length=200)
    issued_on = forms.DateField(label=_("发证日期"), widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(
        label=_("有效期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("长期有效的证书可不填。"),
    )
    holder_name = forms.CharField(
        label=_("持证人"), max_length=100, required=False, help_text=_("注册执业证书必填。")
    )
    speciality = forms.CharField(
        label=_("注册专业"), max_length=100, required=False, help_text=_("注册执业证书必填。")
    )
    file = forms.FileField(
        label=_("证书扫描件"),
        help_text=_("PDF 格式。"),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"required": _("请上传证书扫描件（PDF）。"), "empty": _("文件为空。")},
    )


class ReplaceForm(CertificateForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # A replacement is the same certificate renewed: its kind stays.
        del self.fields["kind"]
