"""The forms of complaints (投诉): the bidder's filing and statement, the regulator's steps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from trading.forms import ConsoleForm, schedule_field
from trading.models import Objection, Organisation
from trading.models.complaints import ComplaintOrder


class MultiplePdfInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePdfField(forms.FileField):
    """Several PDFs at once; each is checked by the service (magic bytes and size)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultiplePdfInput(attrs={"accept": "application/pdf,.pdf", "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ObjectionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Objection) -> str:
        return f"{obj.get_stage_display()} · {obj.raised_at:%Y-%m-%d %H:%M} · {obj.text[:40]}"


class ComplaintFileForm(ConsoleForm):
    objection = ObjectionChoice(label=_("所涉异议"), queryset=Objection.objects.none())
    grounds = forms.CharField(
        label=_("投诉事项与理由"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = MultiplePdfField(
        label=_("证明材料（PDF）"), required=False, help_text=_("PDF 格式，每个不超过 10 MB。")
    )

    def __init__(self, *args: Any, objections: QuerySet[Objection], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objection"].queryset = objections  # type: ignore[attr-defined]


class ReasonsForm(ConsoleForm):
    reasons = forms.CharField(
        label=_("理由"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )


class HoldForm(ConsoleForm):
    note = forms.CharField(
        label=_("暂停理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class StatementsRequestForm(ConsoleForm):
    parties = forms.ModelMultipleChoiceField(
        label=_("当事人"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    due = schedule_field(_("书面说明期限"))

    def __init__(self, *args: Any, parties: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = parties  # type: ignore[attr-defined]


class ExtendForm(ConsoleForm):
    new_due = schedule_field(_("新的处理期限"))
    reason = forms.CharField(
        label=_("延期理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecideForm(ConsoleForm):
    outcome = forms.ChoiceField(
        label=_("处理结果"),
        choices=[("dismiss", _("驳回投诉")), ("uphold", _("投诉成立"))],
        widget=forms.RadioSelect,
    )
    order = forms.ChoiceField(
        label=_("处理决定（投诉成立时）"),
        choices=[("", "—"), *ComplaintOrder.choices],
        required=False,
    )
    reasons = forms.CharField(
        label=_("理由"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )


class StatementForm(ConsoleForm):
    text = forms.CharField(
        label=_("书面说明"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )


class WithdrawForm(ConsoleForm):
    reason = forms.CharField(
        label=_("撤回理由"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
