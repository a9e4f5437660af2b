"""`{{ value|yuan }}` and `{{ value|amount }}`: 3,100,000.00 元 on every page."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from trading.domain.amounts import format_amount

register = template.Library()


@register.filter
def amount(value: object) -> str:
    """'3,100,000.00' for a column whose heading already says 元; '—' when there is none."""
    return format_amount(value) or "—"


@register.filter
def yuan(value: object) -> str:
    """'3,100,000.00 元' (English: 'CNY 3,100,000.00'); '—' when there is no amount."""
    figure = format_amount(value)
    if not figure:
        return "—"
    return gettext("%(amount)s 元") % {"amount": figure}
