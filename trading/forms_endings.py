"""Forms for the ways a lot ends: every bid rejected, the winner declines, a re-tender, a
negotiation record. They parse and check input; the services in trading.services.endings,
retender and negotiations decide.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from trading.forms import (
    ConsoleForm,
    ProcedureChoice,
    check_pdf,
    money_field,
    pdf_field,
    schedule_field,
)
from trading.models import Organisation, Procedure


class RejectAllForm(ConsoleForm):
    """The committee rejected every bid (招标投标法 第42条; 政府采购法 第36条)."""

    reason = forms.CharField(
        label=_("否决全部投标的理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    report_file = pdf_field(_("签字的评标报告（PDF）"))

    def clean_report_file(self) -> UploadedFile | None:
        return check_pdf(self.cleaned_data.get("report_file"))


class DeclineForm(ConsoleForm):
    """The winner declines or does not sign (实施条例 第55条)."""

    reason = forms.CharField(
        label=_("中标人放弃中标或不签订合同的情形"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    then = forms.ChoiceField(
        label=_("后续处理"),
        choices=[
            ("next", _("按评标委员会推荐的排序，确定下一名中标候选人为中标人")),
            ("retender", _("重新招标")),
        ],
        widget=forms.RadioSelect,
    )
    forfeit_deposit = forms.BooleanField(
        label=_("无正当理由，投标保证金不予退还（实施条例 第74条）"), required=False, initial=True
    )


class RetenderForm(ConsoleForm):
    """The next round of a failed lot (实施条例 第44条; 87号令 第43条)."""

    procedure = ProcedureChoice(label=_("交易方式"), queryset=Procedure.objects.none())
    approval = forms.CharField(
        label=_("变更交易方式的批准情况"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("改用其他交易方式的，须经批准（政府采购：财政部令第87号 第43条）。"),
    )
    approval_number = forms.CharField(label=_("批准文件文号"), required=False, max_length=100)
    documents_issued_at = schedule_field(_("招标文件发出时间"))
    opens_at = schedule_field(_("投标/挂牌开始时间"))
    closes_at = schedule_field(_("投标截止（开标）/挂牌截止时间"))
    applications_close_at = schedule_field(
        _("资格预审申请截止时间"),
        required=False,
        help_text=_("资格预审的交易方式填写（实施条例第17条）。"),
    )

    def __init__(self, *args: Any, procedures: QuerySet[Procedure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["procedure"]).queryset = procedures

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("documents_issued_at", "opens_at", "closes_at"):
            self.not_in_past(name)
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("截止时间应晚于开始时间。"))
        return data


class NegotiationForm(ConsoleForm):
    """The negotiation record of a negotiated procedure: parties, agreement, price, minutes."""

    parties = forms.ModelMultipleChoiceField(
        label=_("参与谈判（协商）的各方"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    agreed = forms.BooleanField(label=_("达成一致（成交）"), required=False)
    winner = forms.ModelChoiceField(
        label=_("成交方"), queryset=Organisation.objects.none(), required=False
    )
    price = money_field(_("成交价（元）"), required=False)
    minutes = forms.CharField(
        label=_("谈判（协商）纪要摘要"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, bidders: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["parties"]).queryset = bidders
        cast(forms.ModelChoiceField, self.fields["winner"]).queryset = bidders

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("agreed"):
            if data.get("winner") is None:
                self.add_error("winner", _("成交的，请选择成交方。"))
            if data.get("price") is None:
                self.add_error("price", _("成交的，请填写成交价。"))
        return data


class ObjectionUpholdForm(ConsoleForm):
    """An answer to an objection to the result, with whether the owner upholds it (第54条)."""

    answer = forms.CharField(
        label=_("答复"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    upheld = forms.BooleanField(
        label=_("异议成立：中标候选人公示作废，重新评标（实施条例 第54条）"), required=False
    )
