"""Lots move by the chronograph once per event, in order: concurrent, late or killed ticks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction

from tests.concurrency import in_threads
from tests.conftest import ControlledClock
from tests.tenders import closes, first_lot, make_tender, make_world, opens
from trading.chronograph import chronograph_tick, due_work_override
from trading.models import LedgerEntry, Lot
from trading.selectors.tenders import tender_scope_key
from trading.services.ledger import ledger_checkpoint, ledger_verify
from trading.services.lots import LOTS

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TIMED = ["lot.open_bidding", "lot.close_bidding"]


@pytest.fixture(autouse=True)
def _only_lots(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with due_work_override(LOTS):
        yield


def timed_actions(lot: Lot) -> list[tuple[str, str]]:
    """The lot's timed transitions in chain order, with the due time each fired for."""
    return [
        (entry.action, entry.payload["due_at"])
        for entry in LedgerEntry.objects.filter(
            scope__key=tender_scope_key(lot.tender_id),
            object_type="lot",
            object_id=str(lot.pk),
            action__in=TIMED,
        ).order_by("seq")
    ]


def expected(lot: Lot) -> list[tuple[str, str]]:
    return [
        ("lot.open_bidding", opens(lot).isoformat()),
        ("lot.close_bidding", closes(lot).isoformat()),
    ]


def published_lots(tenders: int, lots: int) -> list[Lot]:
    world = make_world(business_type="engineering")
    made = [make_tender(world, lots=lots, name=f"并发{n}") for n in range(tenders)]
    return list(Lot.objects.filter(tender__in=made).order_by("pk"))


def test_a_tick_an_hour_late_gives_one_transition_per_event_in_order(
    clock: ControlledClock,
) -> None:
    [lot] = published_lots(1, 1)
    clock.set(closes(lot) + timedelta(hours=1))

    assert chronograph_tick(clock=clock) == 1
    assert chronograph_tick(clock=clock) == 0

    lot.refresh_from_db()
    assert (lot.status, lot.next_check) == ("opening", None)
    assert timed_actions(lot) == expected(lot)


def test_two_ticks_at_once_over_50_due_lots_give_each_transition_exactly_once(
    clock: ControlledClock,
) -> None:
    lots = published_lots(5, 10)
    assert len(lots) == 50
    clock.set(max(closes(lot) for lot in lots) + timedelta(minutes=1))
    results = in_threads(2, lambda: chronograph_tick(clock=clock), timeout=90)
    # A row skipped by one tick while the other held it is not lost: tick until none is due.
    while chronograph_tick(clock=clock):
        pass
    assert sum(results) <= 50
    for lot in lots:
        lot.refresh_from_db()
        assert lot.status == "opening"
        assert timed_actions(lot) == expected(lot)
    # Beat signs the heads every minute; the clock jumped days ahead without it.
    ledger_checkpoint(clock=clock)
    assert ledger_verify().ok


# A worker in its own process ticks the lots with an advance that blocks — inside the lot's
# transaction ("mid") or right after its commit ("after") — until the test kills it.
WORKER = textwrap.dedent(
    """
    import pathlib, sys, time
    import django
    django.setup()
    from django.db import transaction
    from trading.chronograph import DueWork, chronograph_tick, due_work_override
    from trading.services.lots import lot_advance, lots_due

    blocked_flag, mode = pathlib.Path(sys.argv[1]), sys.argv[2]

    def block():
        blocked_flag.write_text("blocked")
        while True:
            time.sleep(0.05)

    def advance(lot, now):
        lot_advance(lot, now)
        if mode == "mid":
            block()
        else:
            transaction.on_commit(block)

    with due_work_override(DueWork(name="trading.lots", due=lots_due, advance=advance)):
        chronograph_tick()
    """
)


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(db['USER'])}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _start_worker(tmp_path: Path, mode: str) -> subprocess.Popen[bytes]:
    flag = tmp_path / f"blocked-{mode}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.test"),
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(flag), mode],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while not flag.exists():
        if worker.poll() is not None:
            assert worker.stderr is not None
            raise AssertionError(f"worker exited early: {worker.stderr.read().decode()}")
        assert time.monotonic() < deadline, "worker never reached a lot"
        time.sleep(0.05)
    return worker


@pytest.mark.parametrize(
    ("mode", "done_before_kill"),
    [("mid", 0), ("after", 1)],
    ids=["killed-mid-lot", "killed-right-after-commit"],
)
def test_a_worker_killed_mid_batch_loses_and_repeats_nothing(
    clock: ControlledClock, tmp_path: Path, mode: str, done_before_kill: int
) -> None:
    lots = published_lots(1, 2)
    clock.set(closes(lots[-1]) + timedelta(minutes=5))

    worker = _start_worker(tmp_path, mode)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    assert worker.stderr is not None
    worker.stderr.close()

    done = [lot for lot in lots if timed_actions(lot)]
    assert len(done) == done_before_kill
    # Killed mid-lot, the lot's transitions rolled back with its transaction; killed after the
    # commit, the first lot is done and stays so.
    deadline = time.monotonic() + 15
    while Lot.objects.filter(pk__in=[lot.pk for lot in lots], status="published").exists():
        assert time.monotonic() < deadline, "the lots were never advanced"
        chronograph_tick(clock=clock)
        time.sleep(0.05)

    for lot in lots:
        lot.refresh_from_db()
        assert lot.status == "opening"
        assert timed_actions(lot) == expected(lot)
    # Beat signs the heads every minute; the clock jumped days ahead without it.
    ledger_checkpoint(clock=clock)
    assert ledger_verify().ok


def test_a_suspended_lot_is_not_due(clock: ControlledClock) -> None:
    from trading.services.holds import hold_place

    world = make_world(business_type="procurement")
    lot = first_lot(make_tender(world))
    hold_place(lot=lot, reason="outage", note="断网", actor=world.staff)
    clock.set(closes(lot) + timedelta(hours=1))

    assert chronograph_tick(clock=clock) == 0
    lot.refresh_from_db()
    assert lot.status == "published" and not timed_actions(lot)
    with transaction.atomic():
        assert not Lot.objects.filter(next_check__isnull=False, pk=lot.pk).exists()
