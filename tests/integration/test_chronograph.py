"""The chronograph advances each due row once, however late, however many ticks run at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from django.db import connection, transaction
from django.db.models import QuerySet

from tests.concurrency import in_threads
from tests.conftest import ControlledClock
from tests.support.models import Ticker
from trading.chronograph import DueWork, chronograph_tick, due_work_override

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOUR = timedelta(hours=1)


def _ticker_due(now: datetime) -> QuerySet[Ticker]:
    return Ticker.objects.filter(next_check__lte=now)


def _ticker_advance(row: Ticker, now: datetime) -> None:
    row.advances += 1
    row.last_advanced_at = now
    row.next_check = now + HOUR
    row.save(update_fields=["advances", "last_advanced_at", "next_check"])


TICKER = DueWork(name="test.ticker", due=_ticker_due, advance=_ticker_advance, batch_size=50)


@pytest.fixture(autouse=True)
def _only_tickers() -> Iterator[None]:
    with due_work_override(TICKER):
        yield


def _tickers(clock: ControlledClock, count: int, *, due_in: timedelta = timedelta(0)) -> None:
    Ticker.objects.bulk_create(
        Ticker(name=f"t{n:04d}", next_check=clock.now + due_in) for n in range(count)
    )


def test_a_tick_advances_each_due_row_once_and_leaves_the_rest(clock: ControlledClock) -> None:
    _tickers(clock, 3)
    Ticker.objects.create(name="later", next_check=clock.now + timedelta(minutes=1))
    Ticker.objects.create(name="idle", next_check=None)

    assert chronograph_tick(clock=clock) == 3
    assert chronograph_tick(clock=clock) == 0

    due = Ticker.objects.exclude(name__in=["later", "idle"])
    assert {(t.advances, t.last_advanced_at, t.next_check) for t in due} == {
        (1, clock.now, clock.now + HOUR)
    }
    idle = Ticker.objects.filter(name__in=["later", "idle"])
    assert list(idle.values_list("advances", flat=True)) == [0, 0]


def test_a_tick_hours_late_advances_each_row_once_not_once_per_missed_interval(
    clock: ControlledClock,
) -> None:
    _tickers(clock, 3)
    clock.advance(hours=5)

    assert chronograph_tick(clock=clock) == 3

    assert set(Ticker.objects.values_list("advances", "next_check")) == {(1, clock.now + HOUR)}
    assert chronograph_tick(clock=clock) == 0


def test_the_tick_reads_the_configured_clock_when_given_none(clock: ControlledClock) -> None:
    _tickers(clock, 2, due_in=timedelta(minutes=30))
    assert chronograph_tick() == 0
    clock.advance(minutes=30)
    assert chronograph_tick() == 2


def test_more_rows_than_a_batch_are_all_advanced_in_one_tick(clock: ControlledClock) -> None:
    _tickers(clock, 120)
    assert chronograph_tick(clock=clock) == 120
    assert set(Ticker.objects.values_list("advances", flat=True)) == {1}


def test_two_concurrent_ticks_advance_each_row_exactly_once(clock: ControlledClock) -> None:
    _tickers(clock, 200)

    results = in_threads(2, lambda: chronograph_tick(clock=clock))

    assert sum(results) == 200
    assert set(Ticker.objects.values_list("advances", flat=True)) == {1}


def test_a_row_locked_elsewhere_is_skipped_not_waited_for(clock: ControlledClock) -> None:
    _tickers(clock, 3)
    held = Ticker.objects.get(name="t0001")
    locked = threading.Event()
    release = threading.Event()

    def hold_lock() -> None:
        try:
            with transaction.atomic():
                Ticker.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        started = time.monotonic()
        assert chronograph_tick(clock=clock) == 2
        assert time.monotonic() - started < 20  # the holder keeps the row for 30 s
        held.refresh_from_db()
        assert held.advances == 0
    finally:
        release.set()
        holder.join(timeout=30)

    assert chronograph_tick(clock=clock) == 1
    assert set(Ticker.objects.values_list("advances", flat=True)) == {1}


def test_a_failing_advance_rolls_back_its_row_only_and_the_next_tick_retries_it(
    clock: ControlledClock,
) -> None:
    _tickers(clock, 3)
    broken = {"t0001"}

    def advance(row: Ticker, now: datetime) -> None:
        _ticker_advance(row, now)
        if row.name in broken:
            raise RuntimeError("advance failed half-way")

    flaky = DueWork(name="test.flaky", due=_ticker_due, advance=advance)
    with due_work_override(flaky):
        assert chronograph_tick(clock=clock) == 2
        assert Ticker.objects.get(name="t0001").advances == 0
        broken.clear()
        assert chronograph_tick(clock=clock) == 1
    assert set(Ticker.objects.values_list("advances", flat=True)) == {1}


def test_a_tick_stops_at_its_budget_and_the_next_one_continues(clock: ControlledClock) -> None:
    _tickers(clock, 6)

    def slow_advance(row: Ticker, now: datetime) -> None:
        time.sleep(0.2)
        _ticker_advance(row, now)

    slow = DueWork(name="test.slow", due=_ticker_due, advance=slow_advance)
    with due_work_override(slow):
        first = chronograph_tick(clock=clock, budget_seconds=0.3)
        assert 1 <= first < 6
        assert first + chronograph_tick(clock=clock) == 6
    assert set(Ticker.objects.values_list("advances", flat=True)) == {1}
