"""A regulator's interventions: suspend (暂停), lift its own suspension, order termination (终止)
or re-evaluation, each with its written reason, a ledger entry and a notice to the owner and desk.

With the complaint services, the only trading writers the supervision app may call (管办分离):
招标投标法实施条例 第62条 (责令暂停、责令改正), 政府采购法 第59、第57条. Each call runs inside
`supervision_writes()`, which the test-time write guard recognises.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.domain.lifecycle import TERMINAL, LotStatus
from trading.lock_objects import lock_active_holds, lock_lot
from trading.models import Hold, Lot, Tender, User
from trading.models.tenders import HoldReason
from trading.selectors.access import access_lot_for_supervision, access_supervisor
from trading.services.common import ledger, lot_tender, notify
from trading.services.holds import hold_add, hold_release, lot_stakeholders
from trading.services.lots import lot_terminate_locked
from trading.services.reevaluation import ReevaluationOrder, lot_reevaluate_locked
from trading.translatable import Message
from trading.write_scope import supervision_writes

__all__ = [
    "intervention_hold_lift",
    "intervention_hold_place",
    "intervention_reevaluate_order",
    "intervention_terminate_order",
]


def _reason(reason: str) -> str:
    """Every intervention is reasoned in writing (实施条例 第62条: 责令…并说明理由)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写监督干预的理由。")}, code="reason")
    return reason


def _still_running(lot: Lot) -> None:
    """A terminated, failed or closed lot has nothing left to stop or redo."""
    if lot.status == LotStatus.DRAFT or LotStatus(lot.status) in TERMINAL:
        raise ValidationError(
            _("标段“%(code)s”当前状态为“%(s)s”，不能进行监督干预。")
            % {"code": lot.code, "s": lot.get_status_display()},
            code="not_open",
        )


def _own_hold(lot: Lot, holds: list[Hold], actor: User) -> Hold | None:
    """The active intervention hold the actor's regulator placed on the lot, if any."""
    for hold in holds:
        if (
            hold.reason == HoldReason.INTERVENTION
            and hold.placed_by.organisation_id == actor.organisation_id
        ):
            return hold
    return None


def _hold_one(lot: Lot, *, reason: str, actor: User, clock: Clock) -> Hold:
    """Suspend one lot of the jurisdiction; its rows are locked here so a second click waits."""
    lot = lock_lot(lot.pk)
    holds = lock_active_holds(lot.pk)
    now = clock()
    _still_running(lot)
    if _own_hold(lot, holds, actor) is not None:
        raise ValidationError(
            _("本部门已暂停标段“%(code)s”，无需重复暂停。") % {"code": lot.code},
            code="already_held",
        )
    tender = lot_tender(lot)
    hold, suspended = hold_add(
        lot, tender, reason=HoldReason.INTERVENTION, note=reason, actor=actor, now=now
    )
    notify(
        lot_stakeholders(tender),
        kind="lot.suspended",
        title=Message(gettext_noop("行政监督部门暂停标段：%(code)s"), code=lot.code),
        body=reason,
        now=now,
    )
    ledger(
        tender,
        action="intervention.hold_placed",
        actor=actor,
        obj=lot,
        payload={"hold": hold.pk, "reason": reason},
        now=now,
    )
    if suspended:
        ledger(tender, action="lot.suspended", actor=actor, obj=lot, payload=suspended, now=now)
    return hold


def intervention_hold_place(
    *, target: Lot | Tender, reason: str, actor: User, clock: Clock | None = None
) -> list[Hold]:
    """Suspend a lot, or every running lot of a tender (实施条例 第62条 责令暂停)."""
    access_supervisor(actor)
    if isinstance(target, Tender):
        lots = list(target.lots.order_by("pk"))
        for lot in lots:
            access_lot_for_supervision(actor, lot.pk)
    else:
        lots = [access_lot_for_supervision(actor, target.pk)]
    reason = _reason(reason)
    clock = clock or get_clock()
    with supervision_writes(), transaction.atomic():
        if isinstance(target, Tender):
            # Only the lots still running; a tender with none has nothing to suspend.
            lots = [lot for lot in lots if lot.status != LotStatus.DRAFT]
            lots = [lot for lot in lots if LotStatus(lot.status) not in TERMINAL]
            if not lots:
                raise ValidationError(
                    _("该招标项目没有正在进行的标段，不能暂停。"), code="not_open"
                )
        return [_hold_one(lot, reason=reason, actor=actor, clock=clock) for lot in lots]


def intervention_hold_lift(
    *, hold: Hold, reason: str, actor: User, clock: Clock | None = None
) -> Hold:
    """Lift a suspension this regulator placed; other holds keep the lot suspended."""
    access_lot_for_supervision(actor, hold.lot_id)
    if hold.reason != HoldReason.INTERVENTION or (
        hold.placed_by.organisation_id != actor.organisation_id
    ):
        raise ValidationError(
            _("只能解除本部门作出的暂停；其他原因的暂停由其作出方解除。"), code="not_own"
        )
    reason = _reason(reason)
    clock = clock or get_clock()
    with supervision_writes(), transaction.atomic():
        lot = lock_lot(hold.lot_id)
        holds = {row.pk: row for row in lock_active_holds(lot.pk)}
        now = clock()
        if hold.pk not in holds:
            raise ValidationError(_("该暂停已解除。"), code="lifted")
        tender = lot_tender(lot)
        resumed = hold_release(lot, tender, holds[hold.pk], actor=actor, now=now)
        still = [row.pk for row in holds.values() if row.pk != hold.pk]
        notify(
            lot_stakeholders(tender),
            kind="lot.resumed" if resumed is not None else "lot.hold_lifted",
            title=Message(
                gettext_noop("行政监督部门解除暂停，标段已恢复：%(code)s")
                if resumed is not None
                else gettext_noop("行政监督部门解除暂停，标段仍因其他原因暂停：%(code)s"),
                code=lot.code,
            ),
            body=reason,
            now=now,
        )
        ledger(
            tender,
            action="intervention.hold_lifted",
            actor=actor,
            obj=lot,
            payload={"hold": hold.pk, "reason": reason, "still_held": still},
            now=now,
        )
        if resumed is not None:
            ledger(tender, action="lot.resumed", actor=actor, obj=lot, payload=resumed, now=now)
        return holds[hold.pk]


def intervention_terminate_order(
    *, lot: Lot, reason: str, actor: User, clock: Clock | None = None
) -> Lot:
    """Order a lot terminated (实施条例 第62条); the notices draft its 终止公告 from the event."""
    access_lot_for_supervision(actor, lot.pk)
    reason = _reason(reason)
    clock = clock or get_clock()
    with supervision_writes(), transaction.atomic():
        lot = lock_lot(lot.pk)
        holds = lock_active_holds(lot.pk)
        now = clock()
        _still_running(lot)
        tender = lot_tender(lot)
        ledger(
            tender,
            action="intervention.termination_ordered",
            actor=actor,
            obj=lot,
            payload={"reason": reason},
            now=now,
        )
        lot_terminate_locked(lot, tender, holds, reason=reason, actor=actor, now=now)
    return lot


def intervention_reevaluate_order(
    *, lot: Lot, reason: str, actor: User, clock: Clock | None = None
) -> Lot:
    """Order the result evaluated again (实施条例 第62条 责令改正; 政府采购法 第59条)."""
    access_lot_for_supervision(actor, lot.pk)
    reason = _reason(reason)
    clock = clock or get_clock()
    with supervision_writes(), transaction.atomic():
        lot = lock_lot(lot.pk)
        now = clock()
        _still_running(lot)
        tender = lot_tender(lot)
        ledger(
            tender,
            action="intervention.reevaluation_ordered",
            actor=actor,
            obj=lot,
            payload={"reason": reason},
            now=now,
        )
        lot_reevaluate_locked(
            lot,
            tender,
            reason=reason,
            ordered_by=ReevaluationOrder.REGULATOR,
            actor=actor,
            now=now,
        )
    return lot
