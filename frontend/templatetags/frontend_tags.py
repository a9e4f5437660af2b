"""Template filters of the presentation layer (no app imports: frontend is presentation only)."""

from __future__ import annotations

import math
from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes, rounded up, so "try again in N minutes" is never too early."""
    if value is None:
        return 0
    return max(1, math.ceil(value.total_seconds() / 60))
