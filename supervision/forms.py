"""The supervision console's filters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from trading.forms import STATUS_CHOICES, DateInput
from trading.models import BusinessType, Jurisdiction, Region

LIGHT_CHOICES = [
    ("", _("全部灯色")),
    ("red", _("红灯（已逾期）")),
    ("yellow", _("黄灯（即将到期）")),
    ("green", _("绿灯（未到期）")),
    ("done", _("已完成")),
]


class SupervisionFilterForm(forms.Form):
    q = forms.CharField(label=_("编号或名称"), required=False, max_length=100)
    region = forms.ChoiceField(label=_("市县"), required=False)
    business_type = forms.ChoiceField(label=_("业务类型"), required=False)
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_CHOICES, required=False)
    light = forms.ChoiceField(label=_("灯色"), choices=LIGHT_CHOICES, required=False)
    date_from = forms.DateField(label=_("开标日期自"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("开标日期至"), required=False, widget=DateInput())

    def __init__(self, *args: Any, jurisdictions: list[Jurisdiction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_ids: set[int] = set()
        type_ids: set[int] = set()
        for jurisdiction in jurisdictions:
            region_ids |= jurisdiction.region_ids()
            type_ids |= {bt.pk for bt in jurisdiction.business_types.all()}
        regions = Region.objects.filter(pk__in=region_ids).order_by("code")
        types = BusinessType.objects.filter(pk__in=type_ids).order_by("code")
        region_field = cast(forms.ChoiceField, self.fields["region"])
        type_field = cast(forms.ChoiceField, self.fields["business_type"])
        region_field.choices = [("", _("全部市县"))] + [
            (region.code, region.display_name) for region in regions
        ]
        type_field.choices = [("", _("全部业务类型"))] + [
            (bt.code, bt.display_name) for bt in types
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("结束日期应不早于开始日期。"))
        return data
