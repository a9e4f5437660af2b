"""`{{ value|moment }}`: a time as the law writes a period's end, 24:00 rather than 00:00."""

from __future__ import annotations

from datetime import datetime

from django import template

from trading.domain.timeline import format_moment

register = template.Library()


@register.filter
def moment(value: datetime | None) -> str:
    """Shanghai wall time; a midnight is 24:00 of the day before (民法典 第201、203条)."""
    return format_moment(value) if isinstance(value, datetime) else ""
