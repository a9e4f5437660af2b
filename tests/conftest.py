"""Fixtures shared by every test layer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.write_guard import _supervision_write_guard  # noqa: F401  (every test runs guarded)
from trading.clock import clock_freeze

SHANGHAI_NOON = datetime.fromisoformat("2026-11-30T12:00:00+08:00")


class ControlledClock:
    """The database clock, frozen and moved by hand; services and live servers read the same row."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        clock_freeze(start)

    def __call__(self) -> datetime:
        return self.now

    def set(self, at: datetime) -> None:
        self.now = at
        clock_freeze(at)

    def advance(self, **delta: float) -> datetime:
        self.set(self.now + timedelta(**delta))
        return self.now


@pytest.fixture
def clock(db: None) -> Iterator[ControlledClock]:
    yield ControlledClock(SHANGHAI_NOON)


@pytest.fixture
def demo(settings: Any, clock: ControlledClock) -> dict[str, int]:
    """The demo organisations and accounts of `make run`, without its tenders, in demo mode.

    Demo mode stays on for the test (its accounts log in only then); `settings` restores it.
    """
    from trading.services.demo import demo_seed

    settings.DEMO = True
    return demo_seed(tenders=False)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Every test starts with an empty cache (the portal caches its overview counts)."""
    from django.core.cache import cache

    cache.clear()
    yield
