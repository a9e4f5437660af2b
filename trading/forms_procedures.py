"""Forms of the procedure-specific closes: land listing, property disclosure, prequalification."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from trading.forms import ConsoleForm, money_field, schedule_field
from trading.models import Organisation


class CountForm(ConsoleForm):
    """One number recorded at a close; its label says what is counted."""

    count = forms.IntegerField(label=_("人数"), min_value=0, max_value=10_000)

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["count"].label = label


class ListingCloseForm(ConsoleForm):
    """The bidders at a land listing's close (国土资源部令第39号 第20条)."""

    bidders = forms.IntegerField(label=_("挂牌期内报价的竞买人数"), min_value=0, max_value=10_000)
    reaches_reserve = forms.BooleanField(
        label=_("唯一竞买人的报价不低于底价"),
        required=False,
        help_text=_("只有一个竞买人报价的填写：不低于底价的，挂牌成交；低于底价的，挂牌不成交。"),
    )
    winner = forms.ModelChoiceField(
        label=_("竞得人"), queryset=Organisation.objects.none(), required=False
    )
    price = money_field(_("成交价（元）"), required=False)

    def __init__(self, *args: Any, bidders: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["winner"]).queryset = bidders

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("bidders") == 1 and data.get("reaches_reserve"):
            if data.get("winner") is None:
                self.add_error("winner", _("请选择竞得人。"))
            if data.get("price") is None:
                self.add_error("price", _("请填写成交价。"))
        return data


class DealForm(ConsoleForm):
    """The result of a 协议转让 or a 网络竞价: the buyer and the price, or no deal."""

    sold = forms.TypedChoiceField(
        label=_("结果"),
        choices=[("1", _("成交")), ("0", _("未成交"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    winner = forms.ModelChoiceField(
        label=_("受让方（竞得人）"), queryset=Organisation.objects.none(), required=False
    )
    price = money_field(_("成交价（元）"), required=False)

    def __init__(self, *args: Any, bidders: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["winner"]).queryset = bidders

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("sold"):
            if data.get("winner") is None:
                self.add_error("winner", _("请选择受让方（竞得人）。"))
            if data.get("price") is None:
                self.add_error("price", _("请填写成交价。"))
        return data


class ExtendDisclosureForm(ConsoleForm):
    closes_at = schedule_field(
        _("延长后的信息披露期满时间"), help_text=_("每次延长不少于 5 个工作日。")
    )


class RedisclosureForm(ConsoleForm):
    price = money_field(_("新的转让底价（元）"))
    closes_at = schedule_field(
        _("重新披露期满时间"), help_text=_("重新披露的时间不得少于 20 个工作日（32号令第18条）。")
    )
    valuation = money_field(
        _("评估结果（元）"), required=False, help_text=_("标段未登记评估结果的，请填写。")
    )
    approval_reference = forms.CharField(
        label=_("转让行为批准单位的书面同意（批准文件）"),
        required=False,
        max_length=200,
        help_text=_("新的转让底价低于评估结果 90% 的必须填写（32号令第18条）。"),
    )
