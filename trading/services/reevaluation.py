"""Re-evaluation: the result under publicity is evaluated (or negotiated) again.

实施条例 第54条: an objection to the result that the owner upholds; 第71条 and the regulators'
powers (政府采购法 第59条, 实施条例 第62条): a regulator orders it. The candidates and the publicity
are superseded, not deleted: they stay on the lot's history, and the desk records the new result.
The supervision app calls `lot_reevaluate` with its regulator as the actor.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.domain.lifecycle import LotEvent
from trading.events import event_emit
from trading.lock_objects import lock_lot
from trading.models import Lot, NegotiationRecord, Tender, User
from trading.selectors.access import Purpose, access_lot, desk_staff_list, owner_side_users
from trading.services.common import fixed_clock, lot_tender, notify
from trading.services.lot_state import lot_require, lot_transition
from trading.translatable import Message

__all__ = ["ReevaluationOrder", "lot_reevaluate", "lot_reevaluate_locked"]


class ReevaluationOrder(enum.StrEnum):
    """Who orders the re-evaluation, and so who may: the owner on an objection, or a regulator."""

    OBJECTION = "objection"  # 实施条例 第54条
    REGULATOR = "regulator"  # 实施条例 第62条; 政府采购法 第59条


_PURPOSE = {
    ReevaluationOrder.OBJECTION: Purpose.EDIT,
    ReevaluationOrder.REGULATOR: Purpose.SUPERVISE,
}


def lot_reevaluate_locked(
    lot: Lot,
    tender: Tender,
    *,
    reason: str,
    ordered_by: ReevaluationOrder,
    actor: User,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Supersede the result of the locked lot and send it back to evaluation (or negotiation)."""
    lot_require(lot, tender, LotEvent.REEVALUATE)
    superseded = list(
        lot.candidates.filter(superseded_at__isnull=True).values_list("pk", flat=True)
    )
    lot.candidates.filter(pk__in=superseded).update(superseded_at=now)
    NegotiationRecord.objects.filter(lot=lot, superseded_at__isnull=True).update(superseded_at=now)
    publicity = [
        moment.isoformat() if moment else None
        for moment in (lot.publicity_starts_at, lot.publicity_ends_at)
    ]
    lot.publicity_starts_at = None
    lot.publicity_ends_at = None
    lot.evaluation_reported_at = None
    event_emit(
        kind="lot.reevaluation_ordered",
        subject=f"lot:{lot.pk}",
        payload={"lot": lot.pk, "tender": tender.pk, "ordered_by": ordered_by.value},
        clock=fixed_clock(now),
    )
    notify(
        [*owner_side_users(tender.project), *desk_staff_list(tender.desk)],
        kind="lot.reevaluation",
        title=Message(gettext_noop("重新评审：%(code)s"), code=lot.code),
        body=reason,
        now=now,
    )
    return lot_transition(
        lot,
        tender,
        LotEvent.REEVALUATE,
        actor=actor,
        now=now,
        payload={
            "reason": reason,
            "ordered_by": ordered_by.value,
            "superseded_candidates": superseded,
            "superseded_publicity": publicity,
            **(extra or {}),
        },
        fields=("publicity_starts_at", "publicity_ends_at", "evaluation_reported_at"),
    )


def lot_reevaluate(
    *,
    lot: Lot,
    actor: User,
    reason: str,
    ordered_by: ReevaluationOrder | str = ReevaluationOrder.OBJECTION,
    clock: Clock | None = None,
) -> Lot:
    """The result under publicity is evaluated again (实施条例 第54条 异议成立; 第62条 责令)."""
    try:
        ordered_by = ReevaluationOrder(ordered_by)
    except ValueError:
        raise ValidationError(
            {"ordered_by": _("未知的重新评审依据。")}, code="ordered_by"
        ) from None
    access_lot(actor, lot.pk, purpose=_PURPOSE[ordered_by])
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写重新评审的理由。")}, code="reason")
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        now = clock()
        tender = lot_tender(lot)
        lot_reevaluate_locked(
            lot, tender, reason=reason, ordered_by=ordered_by, actor=actor, now=now
        )
    return lot
