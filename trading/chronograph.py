"""The chronograph: a registry of due work and the tick that advances it (DESIGN.md invariant 2).

The database is the record of every deadline. Each kind of due work names a query of the rows due
at a moment and an `advance` that moves one row on (and recomputes its `next_check`, so it is no
longer due). A tick — from Celery beat, an on-commit poke, or `manage.py chronograph_tick` — reads
the candidate keys without locking, then claims each row with `SKIP LOCKED` and advances it in a
transaction of its own: two ticks at once never advance a row twice, and a worker killed mid-row
loses only that row's uncommitted work, which the next tick redoes.

Trading registers the outbox here; other apps register theirs from `AppConfig.ready()` and trading
never imports them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction

from trading.clock import Clock, get_clock
from trading.domain.retry import MAX_ATTEMPTS, backoff_seconds
from trading.events import receiver_get
from trading.models import EventDelivery, OutboxEvent
from trading.models.events import DeliveryStatus

logger = logging.getLogger(__name__)

__all__ = [
    "MAX_ATTEMPTS",
    "OUTBOX",
    "DueWork",
    "chronograph_tick",
    "due_work_override",
    "register_due_work",
]


@dataclass(frozen=True)
class DueWork:
    """One kind of due work.

    `due(now)` returns the rows due at `now`. `advance(row, now)` runs with the row locked, in
    the row's own transaction, with `now` read after the lock; it must leave the row no longer
    due (recompute its next_check) and be idempotent.
    """

    name: str
    due: Callable[[datetime], models.QuerySet[Any]]
    advance: Callable[[Any, datetime], None]
    batch_size: int = 100


class DuplicateDueWork(ValueError):
    """A due-work name is already registered."""


class _DueWorkRegistry:
    def __init__(self, works: list[DueWork]) -> None:
        self.works: dict[str, DueWork] = {work.name: work for work in works}

    def register(self, work: DueWork) -> None:
        existing = self.works.get(work.name)
        if existing is not None and existing != work:
            raise DuplicateDueWork(f"Due work {work.name!r} is already registered.")
        self.works[work.name] = work


def register_due_work(work: DueWork) -> None:
    """Let every tick advance `work`'s due rows (call from `AppConfig.ready()`)."""
    _registry.register(work)


@contextmanager
def due_work_override(*works: DueWork, keep_registered: bool = False) -> Iterator[None]:
    """Tests: tick only `works` (plus what is registered, if asked) for the block."""
    global _registry
    saved = _registry
    _registry = _DueWorkRegistry(list(saved.works.values()) if keep_registered else [])
    for work in works:
        _registry.register(work)
    try:
        yield
    finally:
        _registry = saved


def chronograph_tick(*, clock: Clock | None = None, budget_seconds: float = 20.0) -> int:
    """Advance every row due now, each once, in its own transaction; return how many advanced."""
    clock = clock or get_clock()
    deadline = time.monotonic() + budget_seconds
    now = clock()
    advanced = 0
    for work in list(_registry.works.values()):
        advanced += _tick_work(work, now=now, clock=clock, deadline=deadline)
        if time.monotonic() >= deadline:
            break
    return advanced


def _tick_work(work: DueWork, *, now: datetime, clock: Clock, deadline: float) -> int:
    advanced = 0
    last_pk: Any = None
    while time.monotonic() < deadline:
        # Keyset over the primary key: each row is tried at most once per tick, so a row whose
        # advance keeps failing cannot spin the tick.
        candidates = work.due(now).order_by("pk")
        if last_pk is not None:
            candidates = candidates.filter(pk__gt=last_pk)
        pks = list(candidates.values_list("pk", flat=True)[: work.batch_size])
        for pk in pks:
            if time.monotonic() >= deadline:
                return advanced
            last_pk = pk
            if _advance_one(work, pk, now=now, clock=clock):
                advanced += 1
        if len(pks) < work.batch_size:
            break
    return advanced


def _advance_one(work: DueWork, pk: Any, *, now: datetime, clock: Clock) -> bool:
    try:
        with transaction.atomic():
            # Still due and nobody else holds it? Another tick may have advanced it since the
            # candidate read, or hold it right now: skip rather than wait. Lock only the row
            # itself, never rows a join of `due` touches.
            row = (
                work.due(now)
                .filter(pk=pk)
                .select_for_update(skip_locked=True, of=("self",))
                .first()
            )
            if row is None:
                return False
            work.advance(row, clock())
            return True
    except Exception:
        # The row's transaction rolled back; it stays due and the next tick retries it.
        logger.exception("chronograph: advancing %s #%s failed", work.name, pk)
        return False


def _deliveries_due(now: datetime) -> models.QuerySet[EventDelivery]:
    return EventDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)


def _deliver(delivery: EventDelivery, now: datetime) -> None:
    """Run one receiver on one event; its DB effects commit with status=done, exactly once."""
    event = OutboxEvent.objects.get(pk=delivery.event_id)
    delivery.attempts += 1
    try:
        registered = receiver_get(delivery.receiver)
        if registered is None:
            raise LookupError(f"no receiver named {delivery.receiver!r} is registered")
        # A savepoint: a failing receiver's writes roll back, the attempt is still recorded.
        with transaction.atomic():
            registered.fn(event)
    except Exception as exc:
        delivery.last_error = repr(exc)[:2000]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            logger.error(
                "event %s #%s to %s failed %s times, giving up: %r",
                event.kind,
                event.pk,
                delivery.receiver,
                delivery.attempts,
                exc,
            )
        else:
            delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(delivery.attempts))
            logger.warning(
                "event %s #%s to %s failed (attempt %s), retrying at %s: %r",
                event.kind,
                event.pk,
                delivery.receiver,
                delivery.attempts,
                delivery.next_attempt_at.isoformat(),
                exc,
            )
        delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        return
    delivery.status = DeliveryStatus.DONE
    delivery.delivered_at = now
    delivery.save(update_fields=["attempts", "status", "delivered_at"])


OUTBOX = DueWork(name="outbox", due=_deliveries_due, advance=_deliver, batch_size=100)

_registry = _DueWorkRegistry([OUTBOX])
