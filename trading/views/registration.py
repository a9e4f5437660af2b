"""Online registration of an organisation with its first administrator (before verification)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trading.models import Region
from trading.models.parties import OrganisationKindChoices
from trading.services.organisations import SELF_REGISTERING_KINDS, registration_submit


class RegistrationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("主体名称"), max_length=200)
    kind = forms.ChoiceField(
        label=gettext_lazy("主体类型"),
        choices=[
            (k.value, k.label) for k in OrganisationKindChoices if k in SELF_REGISTERING_KINDS
        ],
    )
    uscc = forms.CharField(
        label=gettext_lazy("统一社会信用代码"),
        max_length=30,
        help_text=gettext_lazy("18位，见营业执照"),
    )
    region = forms.ModelChoiceField(
        label=gettext_lazy("所在市县"),
        queryset=Region.objects.filter(parent__isnull=True),
        required=False,
    )
    contact_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=30)
    licence = forms.FileField(
        label=gettext_lazy("营业执照"),
        help_text=gettext_lazy("营业执照（副本）的扫描件，PDF 格式。"),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"required": gettext_lazy("请上传营业执照（PDF）。")},
    )
    username = forms.CharField(label=gettext_lazy("管理员用户名"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("电子邮箱"))
    phone = forms.RegexField(
        label=gettext_lazy("手机号"),
        regex=r"^1[3-9][0-9]{9}$",
        error_messages={"invalid": gettext_lazy("请输入11位手机号。")},
    )
    password = forms.CharField(label=gettext_lazy("密码"), widget=forms.PasswordInput)
    password_again = forms.CharField(label=gettext_lazy("再次输入密码"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("两次输入的密码不一致。"))
        return data


def register(request: HttpRequest) -> HttpResponse:
    """Register an organisation; it can act once the trading center has verified it."""
    if request.user.is_authenticated:
        return redirect("workspace")
    form = RegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = registration_submit(
                name=data["name"],
                kind=data["kind"],
                uscc_code=data["uscc"],
                region=data["region"],
                contact_phone=data["contact_phone"],
                username=data["username"],
                password=data["password"],
                email=data["email"],
                phone=data["phone"],
                licence=data["licence"],
            )
        except ValidationError as refused:
            for field, errors in refused.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功。交易中心核验您的主体后，即可参与交易。"))
            return redirect("workspace")
    return render(request, "registration/register.html", {"form": form})
