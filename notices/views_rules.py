"""The public rule page (no login): every legal time and amount limit the platform applies today,
with its article, unit and the business types it governs (DESIGN.md §7)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from notices.views_portal import NoticeFilterForm
from trading.clock import get_clock
from trading.domain.timeline import local_date
from trading.selectors.rules import rule_list_in_force


class RuleFilterForm(forms.Form):
    type = NoticeFilterForm.base_fields["type"]


@require_safe
def rule_list(request: HttpRequest) -> HttpResponse:
    form = RuleFilterForm(request.GET or None)
    today = local_date(get_clock()())
    rows = []
    if not request.GET or form.is_valid():
        chosen = form.cleaned_data.get("type") if request.GET else None
        rows = rule_list_in_force(on=today, business_type=chosen.code if chosen else None)
    return render(
        request,
        "notices/portal_rules.html",
        {"form": form, "rows": rows, "today": today, "section": "portal_rules"},
    )
