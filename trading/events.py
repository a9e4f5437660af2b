"""Domain events: the receiver registry and the outbox writer (DESIGN.md §3, invariant 2).

A service that changes state calls `event_emit` inside its own transaction: the event and one
delivery row per registered receiver commit (or roll back) with the change. The chronograph then
delivers each row at least once (`trading.chronograph`); receivers are therefore idempotent.

Apps register receivers from `AppConfig.ready()`:

    @receiver("lot.published", name="notices.publish_announcement")
    def publish_announcement(event: OutboxEvent) -> None: ...

A receiver's name is stored in its delivery rows: renaming one orphans its pending deliveries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from trading.clock import Clock, get_clock
from trading.models import EventDelivery, OutboxEvent

logger = logging.getLogger(__name__)

Receiver = Callable[[OutboxEvent], None]


class EventOutsideTransaction(RuntimeError):
    """`event_emit` was called outside the writer's transaction, so it could outlive a rollback."""


class DuplicateReceiver(ValueError):
    """A receiver name is already registered (names key the delivery rows)."""


@dataclass(frozen=True)
class RegisteredReceiver:
    kind: str
    name: str
    fn: Receiver


@dataclass
class ReceiverRegistry:
    by_name: dict[str, RegisteredReceiver] = field(default_factory=dict)

    def register(self, kind: str, name: str, fn: Receiver) -> None:
        existing = self.by_name.get(name)
        if existing is not None:
            if existing.kind == kind and existing.fn is fn:
                return  # the same registration twice (a re-run ready()) is harmless
            raise DuplicateReceiver(
                f"Event receiver {name!r} is already registered for {existing.kind!r}."
            )
        self.by_name[name] = RegisteredReceiver(kind=kind, name=name, fn=fn)

    def unregister(self, name: str) -> None:
        self.by_name.pop(name, None)

    def names_for(self, kind: str) -> list[str]:
        return sorted(r.name for r in self.by_name.values() if r.kind == kind)

    def get(self, name: str) -> RegisteredReceiver | None:
        return self.by_name.get(name)


_registry = ReceiverRegistry()


def register_receiver(kind: str, name: str, fn: Receiver) -> None:
    """Deliver every event of `kind` to `fn`, at least once; `name` must be unique and stable."""
    _registry.register(kind, name, fn)


def receiver(kind: str, *, name: str) -> Callable[[Receiver], Receiver]:
    """Decorator form of `register_receiver`."""

    def decorate(fn: Receiver) -> Receiver:
        register_receiver(kind, name, fn)
        return fn

    return decorate


def receiver_names_for(kind: str) -> list[str]:
    return _registry.names_for(kind)


def receiver_get(name: str) -> RegisteredReceiver | None:
    return _registry.get(name)


@contextmanager
def receivers_override(*, keep_registered: bool = False) -> Iterator[ReceiverRegistry]:
    """Tests: a registry of their own for the block (empty, or a copy of the current one).

    Process-wide, not thread-local, so threads a test starts see the same receivers.
    """
    global _registry
    saved = _registry
    _registry = ReceiverRegistry(dict(saved.by_name) if keep_registered else {})
    try:
        yield _registry
    finally:
        _registry = saved


def event_emit(
    *,
    kind: str,
    subject: str = "",
    payload: dict[str, Any] | None = None,
    clock: Clock | None = None,
) -> OutboxEvent:
    """Write a domain event and its deliveries in the caller's transaction (DESIGN.md §3 outbox)."""
    if not transaction.get_connection().in_atomic_block:
        raise EventOutsideTransaction(
            f"event_emit({kind!r}) must run inside the transaction that makes the change."
        )
    clock = clock or get_clock()
    now = clock()
    event = OutboxEvent.objects.create(
        kind=kind, subject=subject, payload=dict(payload or {}), occurred_at=now
    )
    names = _registry.names_for(kind)
    EventDelivery.objects.bulk_create(
        [EventDelivery(event=event, receiver=name, next_attempt_at=now) for name in names]
    )
    if names:
        _poke_on_commit()
    return event


def _poke_on_commit() -> None:
    if not getattr(settings, "CHRONOGRAPH_POKE", True):
        return
    connection = transaction.get_connection()
    # One poke per transaction is enough however many events it emits. Django drops the
    # callbacks of a rolled-back savepoint from this list, so the check stays accurate.
    pending = getattr(connection, "run_on_commit", [])
    if any(entry[1] is _poke_chronograph for entry in pending):
        return
    transaction.on_commit(_poke_chronograph)


def _poke_chronograph() -> None:
    """Wake a fast worker now rather than at the next beat tick; losing the poke only delays."""
    try:
        _publish_tick()
    except Exception as exc:  # the broker is down or misconfigured: the beat tick covers it
        logger.warning("chronograph poke not sent (%s); the next beat tick delivers", exc)


def _publish_tick() -> None:
    from trading.tasks import chronograph_tick

    # Typed loosely: celery-types knows neither the pool's connections nor `connection=`.
    task: Any = chronograph_tick
    # One quick connection attempt and no publish retries: the beat tick finds the work anyway,
    # and a committed request must not hang on a broker outage (kombu's default reconnect loop
    # takes about 6 s to give up).
    with task.app.pool.acquire(block=True, timeout=2) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        task.apply_async(queue="fast", retry=False, connection=connection)
