"""The only writer of `Lot.status`: one transition, its outbox event and its ledger entry.

Callers hold the lot's lock, read the clock after it, write what the transition brings with it
(candidates, the award, the reason), then call `lot_transition` as their last write but
notifications: its ledger entry takes the scope head, the last lock (DESIGN.md invariant 6).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from trading.domain.lifecycle import (
    Family,
    IllegalTransition,
    LotEvent,
    LotStatus,
    allowed_events,
    next_check,
    transition,
)
from trading.events import event_emit
from trading.models import Lot, Tender, User
from trading.services.common import fixed_clock, ledger

# The ledger's name for each transition where the past tense reads better than the event.
_ACTIONS = {
    LotEvent.PUBLISH: "lot.published",
    LotEvent.EVALUATION_REPORTED: "lot.evaluation_reported",
    LotEvent.AWARD: "lot.awarded",
    LotEvent.CONTRACT: "lot.contracted",
    LotEvent.CLOSE: "lot.closed",
    LotEvent.TERMINATE: "lot.terminated",
    LotEvent.CLOSE_APPLICATIONS: "lot.applications_closed",
    LotEvent.EXTEND: "lot.disclosure_extended",
    LotEvent.REDISCLOSE: "lot.redisclosed",
    LotEvent.TRAINING_CLOSE: "lot.training_closed",
}
STATE_FIELDS = ("status", "status_changed_at", "next_check")


def lot_action(event: LotEvent) -> str:
    """The ledger action a transition is recorded under."""
    return _ACTIONS.get(event, f"lot.{event.value}")


def lot_next_check(lot: Lot) -> datetime | None:
    """next_check derived from the lot's state and schedule (DESIGN.md invariant 2)."""
    return next_check(
        status=LotStatus(lot.status),
        opens_at=lot.opens_at,
        closes_at=lot.closes_at,
        publicity_ends_at=lot.publicity_ends_at,
        suspended=lot.suspended_at is not None,
        applications_close_at=lot.applications_close_at,
    )


def _refusal(lot: Lot) -> ValidationError:
    return ValidationError(
        _("标段当前状态为“%(status)s”，不能进行此操作。") % {"status": lot.get_status_display()},
        code="illegal_transition",
    )


def lot_require(lot: Lot, tender: Tender, event: LotEvent) -> None:
    """Refuse early, before writing files or rows, when the lot's table does not allow `event`."""
    if event not in lot_allowed_events(lot, tender):
        raise _refusal(lot)


def lot_allowed_events(lot: Lot, tender: Tender) -> frozenset[LotEvent]:
    """The events the lot's procedure allows from its status (with or without publicity)."""
    procedure = tender.procedure
    return allowed_events(
        Family(procedure.family),
        LotStatus(lot.status),
        candidate_publicity=procedure.candidate_publicity,
        training=tender.project.training,
    )


def lot_transition(
    lot: Lot,
    tender: Tender,
    event: LotEvent,
    *,
    actor: User | None,
    now: datetime,
    payload: dict[str, Any] | None = None,
    fields: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Move the locked lot by `event` under its family's table, or refuse with its status.

    Saves the status with `fields` (what the caller changed with it), emits `lot.status_changed`
    and appends the ledger entry; returns the entry's payload.
    """
    before = LotStatus(lot.status)
    try:
        after = transition(
            Family(tender.procedure.family),
            before,
            event,
            candidate_publicity=tender.procedure.candidate_publicity,
            training=tender.project.training,
        )
    except IllegalTransition:
        raise _refusal(lot) from None
    lot.status = after
    lot.status_changed_at = now
    lot.next_check = lot_next_check(lot)
    lot.save(update_fields=[*STATE_FIELDS, *fields])
    change = {"from": before.value, "to": after.value, "event": event.value, **(payload or {})}
    event_emit(
        kind="lot.status_changed",
        subject=f"lot:{lot.pk}",
        payload={"lot": lot.pk, "tender": tender.pk, **change},
        clock=fixed_clock(now),
    )
    ledger(tender, action=lot_action(event), actor=actor, obj=lot, payload=change, now=now)
    return change
