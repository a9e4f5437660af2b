"""The server's clock. Services read it after taking their locks and never take `now` from a caller.

`system_clock` is production's. `database_clock` lets tests (and live-server tests, whose server
runs in another thread or process) freeze or shift time through the ClockSetting row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return timezone.now()


def database_clock() -> datetime:
    from trading.models import ClockSetting

    setting = ClockSetting.objects.filter(pk=1).first()
    if setting is None:
        return timezone.now()
    if setting.frozen_at is not None:
        return setting.frozen_at
    return timezone.now() + timedelta(seconds=setting.offset_seconds)


@cache
def _configured(path: str) -> Clock:
    clock: Clock = import_string(path)
    return clock


def get_clock() -> Clock:
    """The clock settings name (TIANPING_CLOCK)."""
    return _configured(settings.TIANPING_CLOCK)


def clock_freeze(at: datetime) -> None:
    """Stop the database clock at `at` (tests and training only)."""
    from trading.models import ClockSetting

    ClockSetting.objects.update_or_create(pk=1, defaults={"frozen_at": at, "offset_seconds": 0})


def clock_shift(seconds: float) -> None:
    """Let the database clock run, `seconds` ahead of real time."""
    from trading.models import ClockSetting

    ClockSetting.objects.update_or_create(
        pk=1, defaults={"frozen_at": None, "offset_seconds": seconds}
    )
