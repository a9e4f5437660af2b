"""Holds (暂停): each reason a lot is suspended, and its resumption when the last is lifted.

Objections place and lift their own holds (`trading.services.objections`); complaints and
regulators' interventions build on `hold_place` / `hold_lift`; desk staff suspend for an outage.
A suspended lot's deadlines do not run: on resumption they move by the suspended time where the
law extends them (实施条例 第22、54条).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.domain.lifecycle import TERMINAL, LotStatus
from trading.domain.timeline import check_schedule, scaled_points
from trading.events import event_emit
from trading.lock_objects import lock_active_holds, lock_lot
from trading.models import Hold, Lot, Tender, User
from trading.models.tenders import HoldReason
from trading.selectors.access import Purpose, access_lot, desk_staff_list, owner_side_users
from trading.selectors.timeline import (
    closing_point,
    schedule_points,
    tender_rulebook,
    tender_violations,
)
from trading.services.common import fixed_clock, ledger, lot_tender, notify
from trading.services.lot_state import lot_next_check
from trading.translatable import Message

__all__ = ["hold_add", "hold_lift", "hold_place", "hold_release", "lot_stakeholders"]


def _open(lot: Lot) -> None:
    """Only an announced lot that has not ended can be suspended."""
    if lot.status == LotStatus.DRAFT or LotStatus(lot.status) in TERMINAL:
        raise ValidationError(
            _("标段当前状态为“%(s)s”，不能进行此操作。") % {"s": lot.get_status_display()},
            code="not_open",
        )


def lot_stakeholders(tender: Tender) -> list[User]:
    """Who is told when a lot stops or resumes: the owner side and the desk."""
    return [*owner_side_users(tender.project), *desk_staff_list(tender.desk)]


def _suspend(lot: Lot, tender: Tender, hold: Hold, now: datetime) -> dict[str, Any] | None:
    """The lot's first active hold suspends it; returns the ledger payload when it did."""
    if lot.suspended_at is not None:
        return None
    lot.suspended_at = now
    lot.next_check = lot_next_check(lot)
    lot.save(update_fields=["suspended_at", "next_check"])
    event_emit(
        kind="lot.suspended",
        subject=f"lot:{lot.pk}",
        payload={"lot": lot.pk, "tender": tender.pk, "hold": hold.pk, "reason": hold.reason},
        clock=fixed_clock(now),
    )
    return {"hold": hold.pk, "reason": hold.reason, "status": lot.status}


# The lot's deadlines still ahead in each status, with their names in the rule vocabulary.
def _pending_deadlines(lot: Lot, tender: Tender) -> list[tuple[str, str]]:
    status = LotStatus(lot.status)
    pending: list[tuple[str, str]] = []
    if status == LotStatus.PUBLISHED:
        pending.append(("opens_at", "listing_start"))
    if status in (LotStatus.PUBLISHED, LotStatus.BIDDING):
        pending.append(("closes_at", closing_point(tender)))
    if status == LotStatus.PUBLICITY:
        pending.append(("publicity_ends_at", "publicity_end"))
    return pending


def _resume(lot: Lot, tender: Tender, now: datetime) -> dict[str, Any]:
    """The last hold is lifted: move the deadlines the law extends, then re-validate.

    The suspended time does not count toward a period (实施条例 第22、54条 暂停): a deadline that
    fell inside the suspension, or whose period became shorter than its rule once the suspended
    time is taken out, moves by the suspended time.
    """
    suspended_at = lot.suspended_at
    if suspended_at is None:
        raise ValueError("only a suspended lot resumes")
    paused = now - suspended_at
    book = tender_rulebook(tender, now=now)
    moved: dict[str, list[str]] = {}
    for field, point in _pending_deadlines(lot, tender):
        value: datetime | None = getattr(lot, field)
        if value is None or value <= suspended_at:
            continue
        pause = paused
        extend = value <= now
        started = lot.publicity_starts_at if field == "publicity_ends_at" else None
        if started is not None and started > suspended_at:
            # Its notice went public during the suspension: the time since then does not count
            # (实施条例 第54条), the time before it was no part of the period.
            pause, extend = now - started, True
        if not extend:
            # The periods ending here, with their starts moved by the suspended time.
            points = schedule_points(tender, lot)
            shifted = {
                name: moment + paused if moment <= suspended_at else moment
                for name, moment in points.items()
                if name != point
            }
            shifted[point] = value
            extend = any(
                violation.point == point
                for violation in check_schedule(
                    scaled_points(shifted, book.scale),
                    [rule for rule in book.rules if rule.to_point == point],
                    book.calendar,
                )
            )
        if extend:
            setattr(lot, field, value + pause)
            moved[field] = [value.isoformat(), (value + pause).isoformat()]
    if (
        "opens_at" in moved
        and "closes_at" not in moved
        and lot.opens_at
        and lot.closes_at
        and lot.closes_at <= lot.opens_at
    ):
        lot.closes_at = lot.closes_at + paused
        moved["closes_at"] = [(lot.closes_at - paused).isoformat(), lot.closes_at.isoformat()]
    lot.suspended_at = None
    lot.next_check = lot_next_check(lot)
    lot.save(
        update_fields=["suspended_at", "next_check", "opens_at", "closes_at", "publicity_ends_at"]
    )
    remaining = [str(v.message) for v in tender_violations(tender, lots=[lot])]
    event_emit(
        kind="lot.resumed",
        subject=f"lot:{lot.pk}",
        payload={"lot": lot.pk, "tender": tender.pk, "moved": moved},
        clock=fixed_clock(now),
    )
    return {
        "suspended_at": suspended_at.isoformat(),
        "paused_seconds": int(paused.total_seconds()),
        "moved": moved,
        "violations": remaining,
    }


def hold_add(
    lot: Lot, tender: Tender, *, reason: str, note: str, actor: User, now: datetime
) -> tuple[Hold, dict[str, Any] | None]:
    """Add a hold to the locked lot; returns it and the suspension's ledger payload, if it began."""
    hold = Hold.objects.create(lot=lot, reason=reason, note=note, placed_by=actor, placed_at=now)
    return hold, _suspend(lot, tender, hold, now)


def hold_release(
    lot: Lot, tender: Tender, hold: Hold, *, actor: User, now: datetime
) -> dict[str, Any] | None:
    """Lift one hold (locked by the caller, with its lot); resume the lot when it was the last."""
    hold.lifted_at = now
    hold.lifted_by = actor
    hold.save(update_fields=["lifted_at", "lifted_by"])
    still = Hold.objects.filter(lot=lot, lifted_at__isnull=True).exists()
    if still or lot.suspended_at is None or LotStatus(lot.status) in TERMINAL:
        return None
    return _resume(lot, tender, now)


_HOLD_PURPOSE = {
    HoldReason.COMPLAINT: Purpose.SUPERVISE,
    HoldReason.INTERVENTION: Purpose.SUPERVISE,
    HoldReason.OUTAGE: Purpose.OPERATE,
}


def hold_place(
    *, lot: Lot, reason: str, note: str, actor: User, clock: Clock | None = None
) -> Hold:
    """Suspend a lot for a complaint or intervention (regulator) or an outage (desk staff)."""
    purpose = _HOLD_PURPOSE.get(HoldReason(reason)) if reason in HoldReason.values else None
    if purpose is None:
        raise ValidationError(
            {"reason": _("异议暂停随异议自动产生，请通过异议办理。")}, code="reason"
        )
    access_lot(actor, lot.pk, purpose=purpose)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写暂停的理由。")}, code="note")
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        now = clock()
        _open(lot)
        tender = lot_tender(lot)
        hold, suspended = hold_add(lot, tender, reason=reason, note=note, actor=actor, now=now)
        notify(
            lot_stakeholders(tender),
            kind="lot.suspended",
            title=Message(gettext_noop("标段已暂停：%(code)s"), code=lot.code),
            body=note,
            now=now,
        )
        ledger(
            tender,
            action="hold.placed",
            actor=actor,
            obj=lot,
            payload={"hold": hold.pk, "reason": reason, "note": note},
            now=now,
        )
        if suspended:
            ledger(tender, action="lot.suspended", actor=actor, obj=lot, payload=suspended, now=now)
    return hold


def hold_lift(*, hold: Hold, actor: User, clock: Clock | None = None) -> Hold:
    """Lift a hold; the lot resumes, its lawful deadlines moved, when the last one is lifted."""
    if hold.reason == HoldReason.OBJECTION:
        raise ValidationError(_("异议暂停在招标人答复异议时解除。"), code="objection_hold")
    access_lot(actor, hold.lot_id, purpose=_HOLD_PURPOSE[HoldReason(hold.reason)])
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(hold.lot_id)
        holds = {row.pk: row for row in lock_active_holds(lot.pk)}
        now = clock()
        if hold.pk not in holds:
            raise ValidationError(_("该暂停已解除。"), code="lifted")
        tender = lot_tender(lot)
        resumed = hold_release(lot, tender, holds[hold.pk], actor=actor, now=now)
        hold = holds[hold.pk]
        if resumed is not None:
            notify(
                lot_stakeholders(tender),
                kind="lot.resumed",
                title=Message(gettext_noop("标段已恢复：%(code)s"), code=lot.code),
                now=now,
            )
        ledger(
            tender, action="hold.lifted", actor=actor, obj=lot, payload={"hold": hold.pk}, now=now
        )
        if resumed is not None:
            ledger(tender, action="lot.resumed", actor=actor, obj=lot, payload=resumed, now=now)
    return hold
