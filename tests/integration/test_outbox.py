"""The outbox: events commit with their change and reach each receiver once, kills and races too."""

from __future__ import annotations

import logging
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
from tests.support.models import Received
from trading import events
from trading.chronograph import MAX_ATTEMPTS, OUTBOX, chronograph_tick, due_work_override
from trading.events import (
    DuplicateReceiver,
    EventOutsideTransaction,
    ReceiverRegistry,
    event_emit,
    receivers_override,
)
from trading.models import EventDelivery, OutboxEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

KIND = "test.happened"
RECORD = "test.record"


def record(event: OutboxEvent) -> None:
    Received.objects.create(event_id=event.pk, receiver=RECORD)


@pytest.fixture(autouse=True)
def _no_poke(settings: Any) -> None:
    settings.CHRONOGRAPH_POKE = False


@pytest.fixture
def registry() -> Iterator[ReceiverRegistry]:
    """Only this module's receivers, and only the outbox as due work."""
    with receivers_override() as own, due_work_override(OUTBOX):
        yield own


def emit(count: int = 1, *, kind: str = KIND) -> list[OutboxEvent]:
    with transaction.atomic():
        return [event_emit(kind=kind, subject=f"n{n}", payload={"n": n}) for n in range(count)]


def test_an_event_emitted_outside_a_transaction_is_refused(
    registry: ReceiverRegistry, clock: ControlledClock
) -> None:
    registry.register(KIND, RECORD, record)

    with pytest.raises(EventOutsideTransaction, match="inside the transaction"):
        event_emit(kind=KIND)

    assert not OutboxEvent.objects.exists()


def test_an_event_whose_transaction_rolls_back_leaves_nothing_to_deliver(
    registry: ReceiverRegistry, clock: ControlledClock
) -> None:
    registry.register(KIND, RECORD, record)

    def change_that_fails() -> None:
        with transaction.atomic():
            event_emit(kind=KIND, payload={"lot": 7})
            raise RuntimeError("the change fails after its event was written")

    with pytest.raises(RuntimeError, match="fails after"):
        change_that_fails()

    assert not OutboxEvent.objects.exists()
    assert not EventDelivery.objects.exists()
    assert chronograph_tick(clock=clock) == 0


def test_one_delivery_is_written_per_receiver_registered_for_the_kind(
    registry: ReceiverRegistry, clock: ControlledClock
) -> None:
    registry.register(KIND, RECORD, record)
    registry.register(KIND, "test.other", lambda event: None)
    registry.register("test.unrelated", "test.elsewhere", lambda event: None)

    [event] = emit()
    with transaction.atomic():
        lonely = event_emit(kind="test.nobody.listens")

    assert list(event.deliveries.values_list("receiver", "status", "next_attempt_at")) == [
        ("test.other", "pending", clock.now),
        (RECORD, "pending", clock.now),
    ]
    assert (event.payload, event.occurred_at) == ({"n": 0}, clock.now)
    assert not lonely.deliveries.exists()


def test_a_receiver_name_can_be_registered_only_once(registry: ReceiverRegistry) -> None:
    registry.register(KIND, RECORD, record)
    registry.register(KIND, RECORD, record)  # the same registration again is harmless

    with pytest.raises(DuplicateReceiver):
        registry.register("test.other.kind", RECORD, record)


def test_a_tick_delivers_each_event_once_and_marks_it_done(
    registry: ReceiverRegistry, clock: ControlledClock
) -> None:
    registry.register(KIND, RECORD, record)
    events = emit(3)

    assert chronograph_tick(clock=clock) == 3
    assert chronograph_tick(clock=clock) == 0

    assert sorted(Received.objects.values_list("event_id", flat=True)) == [e.pk for e in events]
    assert set(EventDelivery.objects.values_list("status", "attempts", "delivered_at")) == {
        ("done", 1, clock.now)
    }


def test_a_failing_receiver_is_retried_with_backoff_and_later_succeeds(
    registry: ReceiverRegistry, clock: ControlledClock
) -> None:
    failures_left = [2]

    def flaky(event: OutboxEvent) -> None:
        Received.objects.create(event_id=event.pk, receiver=RECORD)
        if failures_left[0]:
            failures_left[0] -= 1
            raise ConnectionError("gateway down")

    registry.register(KIND, RECORD, flaky)
    emit()

    assert chronograph_tick(clock=clock) == 1
    delivery = EventDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at == clock.now + timedelta(seconds=5)
    assert "gateway down" in delivery.last_error
    # The failed attempt's writes rolled back with its savepoint.
    assert not Received.objects.exists()

    assert chronograph_tick(clock=clock) == 0  # not due before its backoff
    clock.advance(seconds=5)
    chronograph_tick(clock=clock)
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt_at) == (2, clock.now + timedelta(seconds=10))

    clock.advance(seconds=10)
    chronograph_tick(clock=clock)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == ("done", 3, clock.now)
    assert Received.objects.count() == 1


def test_a_receiver_failing_max_attempts_times_is_marked_failed_and_logged(
    registry: ReceiverRegistry, clock: ControlledClock, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: OutboxEvent) -> None:
        raise ValueError("malformed payload")

    registry.register(KIND, RECORD, broken)
    emit()

    with caplog.at_level(logging.WARNING, logger="trading.chronograph"):
        for _ in range(MAX_ATTEMPTS):
            assert chronograph_tick(clock=clock) == 1
            clock.advance(hours=1)
        assert chronograph_tick(clock=clock) == 0

    delivery = EventDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", MAX_ATTEMPTS)
    assert "malformed payload" in delivery.last_error
    assert [r.levelname for r in caplog.records].count("ERROR") == 1


def test_a_delivery_to_a_receiver_no_longer_registered_is_retried_not_lost(
    registry: ReceiverRegistry, clock: ControlledClock
) -> None:
    registry.register(KIND, RECORD, record)
    emit()
    registry.unregister(RECORD)

    chronograph_tick(clock=clock)
    delivery = EventDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "no receiver named" in delivery.last_error

    registry.register(KIND, RECORD, record)
    clock.advance(seconds=5)
    assert chronograph_tick(clock=clock) == 1
    assert Received.objects.count() == 1


def test_two_ticks_at_once_deliver_each_of_200_events_exactly_once(
    registry: ReceiverRegistry, clock: ControlledClock
) -> None:
    registry.register(KIND, RECORD, record)
    emit(200)
    results = in_threads(2, lambda: chronograph_tick(clock=clock), timeout=60)
    assert sum(results) == 200
    # Received is unique per (event, receiver): a repeat would have failed its delivery.
    assert Received.objects.count() == 200
    assert set(EventDelivery.objects.values_list("status", "attempts")) == {("done", 1)}


# A worker in its own process: it registers a receiver under the same name as the test's, which
# writes its Received row and then blocks — inside the delivery transaction ("mid") or right after
# its commit ("after") — until the test kills it.
WORKER = textwrap.dedent(
    """
    import pathlib, sys, time
    import django
    django.setup()
    from django.db import transaction
    from tests.support.models import Received
    from trading.events import register_receiver
    from trading.chronograph import chronograph_tick

    blocked_flag, mode = pathlib.Path(sys.argv[1]), sys.argv[2]

    def block():
        blocked_flag.write_text("blocked")
        while True:
            time.sleep(0.05)

    def receive(event):
        Received.objects.create(event_id=event.pk, receiver=sys.argv[3])
        if mode == "mid":
            block()
        else:
            transaction.on_commit(block)

    register_receiver(sys.argv[4], sys.argv[3], receive)
    chronograph_tick()
    """
)


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(db['USER'])}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _start_worker(tmp_path: Path, mode: str) -> tuple[subprocess.Popen[bytes], Path]:
    flag = tmp_path / f"blocked-{mode}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.test"),
        "DATABASE_URL": _database_url(),
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(flag), mode, RECORD, KIND],
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
        assert time.monotonic() < deadline, "worker never reached its receiver"
        time.sleep(0.05)
    return worker, flag


def _tick_until_quiet(clock: ControlledClock) -> int:
    """Tick until nothing is left; the killed worker's backend may hold its lock for a moment."""
    delivered = 0
    deadline = time.monotonic() + 15
    while EventDelivery.objects.filter(status="pending").exists():
        assert time.monotonic() < deadline, "pending deliveries were never delivered"
        delivered += chronograph_tick(clock=clock)
        time.sleep(0.05)
    return delivered


@pytest.mark.parametrize(
    ("mode", "done_before_kill"),
    [("mid", 0), ("after", 1)],
    ids=["killed-mid-delivery", "killed-right-after-commit"],
)
def test_a_worker_killed_during_a_tick_loses_and_repeats_nothing(
    registry: ReceiverRegistry,
    clock: ControlledClock,
    tmp_path: Path,
    mode: str,
    done_before_kill: int,
) -> None:
    registry.register(KIND, RECORD, record)
    events = emit(2)

    worker, _ = _start_worker(tmp_path, mode)
    with transaction.atomic():
        in_flight = EventDelivery.objects.select_for_update(skip_locked=True).filter(
            event=events[0]
        )
        # Mid-delivery the worker holds the first delivery's lock; after its commit it does not.
        assert in_flight.exists() is bool(done_before_kill)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    assert worker.stderr is not None
    worker.stderr.close()

    assert EventDelivery.objects.filter(status="done").count() == done_before_kill
    # Killed mid-delivery, its Received row rolled back with the delivery; killed after the
    # commit, its delivery is done and its row stays — either way nothing to redo twice.
    assert Received.objects.count() == done_before_kill

    assert _tick_until_quiet(clock) == 2 - done_before_kill

    assert sorted(Received.objects.values_list("event_id", flat=True)) == [e.pk for e in events]
    assert set(EventDelivery.objects.values_list("status", flat=True)) == {"done"}


def test_a_commit_pokes_the_chronograph_once_and_a_broker_outage_only_warns(
    registry: ReceiverRegistry,
    clock: ControlledClock,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.CHRONOGRAPH_POKE = True
    registry.register(KIND, RECORD, record)
    pokes: list[int] = []

    def publish() -> None:
        pokes.append(1)
        if len(pokes) > 1:
            raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(events, "_publish_tick", publish)

    with transaction.atomic():
        event_emit(kind=KIND)
        event_emit(kind=KIND)
        assert pokes == []  # nothing is poked before the commit
    assert pokes == [1]

    with caplog.at_level(logging.WARNING, logger="trading.events"):
        emit()
    assert pokes == [1, 1]
    assert "chronograph poke not sent" in caplog.text
    assert OutboxEvent.objects.count() == 3


def test_the_poke_reaches_the_fast_queue_of_a_live_broker(
    registry: ReceiverRegistry, clock: ControlledClock, settings: Any
) -> None:
    from config.celery import app

    settings.CHRONOGRAPH_POKE = True
    registry.register(KIND, RECORD, record)
    with app.connection_for_write() as broker:
        broker.SimpleQueue("fast").clear()
        emit()
        message = broker.SimpleQueue("fast").get(timeout=5)
    assert message.headers["task"] == "trading.tasks.chronograph_tick"
    message.ack()
