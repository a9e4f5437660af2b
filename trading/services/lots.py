"""Lots: drafting them with their tender, termination, and the chronograph's timed transitions.

`lot_advance` is the chronograph's due work over lots: it runs in the lot's own transaction with
the lot already claimed (SKIP LOCKED) and never locks its tender.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.chronograph import DueWork
from trading.clock import Clock, get_clock
from trading.domain.amounts import format_amount
from trading.domain.lifecycle import AFTER_AWARD, TIMED_EVENTS, LotEvent, LotStatus, TenderStatus
from trading.events import event_emit
from trading.lock_objects import lock_active_holds, lock_lot, lock_project, lock_tender
from trading.models import Hold, Lot, Tender, User
from trading.selectors.access import (
    Purpose,
    access_lot,
    access_tender,
    desk_staff_list,
    owner_side_users,
)
from trading.selectors.terms import tender_terms
from trading.services.common import (
    aware,
    fixed_clock,
    ledger,
    lot_tender,
    money,
    not_in_past,
    notify,
    within_horizon,
)
from trading.services.holds import lot_stakeholders
from trading.services.lot_state import lot_next_check, lot_require, lot_transition
from trading.translatable import Message, Word

__all__ = [
    "LOTS",
    "lot_advance",
    "lot_create",
    "lot_terminate",
    "lot_terminate_locked",
    "lot_update",
]


def _check_lot(
    *,
    tender: Tender,
    name: str,
    opens_at: datetime | None,
    closes_at: datetime | None,
    now: datetime,
    applications_close_at: datetime | None = None,
) -> None:
    if not (name or "").strip():
        raise ValidationError({"name": _("请填写标段名称。")}, code="name")
    aware(opens_at, "opens_at")
    aware(closes_at, "closes_at")
    if opens_at is None:
        raise ValidationError({"opens_at": _("请填写投标（挂牌）开始时间。")}, code="required")
    if closes_at is None:
        raise ValidationError({"closes_at": _("请填写投标截止（挂牌截止）时间。")}, code="required")
    not_in_past(opens_at, "opens_at", now)
    not_in_past(closes_at, "closes_at", now)
    within_horizon(opens_at, "opens_at", now)
    within_horizon(closes_at, "closes_at", now)
    if closes_at <= opens_at:
        raise ValidationError(
            {"closes_at": _("截止时间须晚于开始时间。")}, code="closes_before_opens"
        )
    if tender.documents_issued_at is not None and closes_at <= tender.documents_issued_at:
        raise ValidationError(
            {"closes_at": _("投标截止时间不能早于招标文件发出时间。")}, code="order"
        )
    _check_applications(tender, applications_close_at, opens_at, now)


def _check_first_price(estimate: Decimal, valuation: Decimal | None) -> None:
    """A first disclosure's price is not below the approved valuation (32号令 第17条)."""
    if valuation is not None and estimate < valuation:
        raise ValidationError(
            {
                "estimate": _(
                    "首次信息披露的转让底价不得低于经核准或备案的评估结果（%(valuation)s 元）"
                    "（32号令 第17条）。"
                )
                % {"valuation": format_amount(valuation)}
            },
            code="below_valuation",
        )


def _check_applications(
    tender: Tender, applications_close_at: datetime | None, opens_at: datetime, now: datetime
) -> None:
    """A prequalification needs its application deadline, before the bidding opens (第17条)."""
    aware(applications_close_at, "applications_close_at")
    if not tender.procedure.prequalification:
        if applications_close_at is not None:
            raise ValidationError(
                {"applications_close_at": _("本交易方式不进行资格预审。")}, code="not_prequal"
            )
        return
    if applications_close_at is None:
        raise ValidationError(
            {"applications_close_at": _("请填写资格预审申请截止时间。")}, code="required"
        )
    not_in_past(applications_close_at, "applications_close_at", now)
    within_horizon(applications_close_at, "applications_close_at", now)
    if applications_close_at >= opens_at:
        raise ValidationError(
            {
                "applications_close_at": _(
                    "资格预审申请截止时间须早于投标开始时间：资格审查后方可邀请合格申请人投标。"
                )
            },
            code="order",
        )


def lot_create(
    *,
    tender: Tender,
    name: str,
    estimate: Decimal,
    deposit_amount: Decimal = Decimal("0"),
    increment: Decimal = Decimal("0"),
    scope: str = "",
    duration_days: int | None = None,
    quality: str = "",
    opens_at: datetime | None,
    closes_at: datetime | None,
    actor: User,
    applications_close_at: datetime | None = None,
    valuation: Decimal | None = None,
    clock: Clock | None = None,
) -> Lot:
    """Add a lot (标段/包/宗地/标的, code C23 = tender code + 3-digit serial) to a draft."""
    access_tender(actor, tender.pk, purpose=Purpose.EDIT)
    amounts = {
        "estimate": money(estimate, "estimate"),
        "deposit_amount": money(deposit_amount, "deposit_amount"),
        "increment": money(increment, "increment"),
    }
    if valuation is not None:
        amounts["valuation"] = money(valuation, "valuation")
        _check_first_price(amounts["estimate"], amounts["valuation"])
    if duration_days is not None and duration_days <= 0:
        raise ValidationError({"duration_days": _("工期须为正整数（日）。")}, code="duration")
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(tender.project_id)
        tender = lock_tender(tender.pk)
        now = clock()
        if tender.status != TenderStatus.DRAFT:
            raise ValidationError(_("只有草稿可以增加标段。"), code="not_draft")
        _check_lot(
            tender=tender,
            name=name,
            opens_at=opens_at,
            closes_at=closes_at,
            now=now,
            applications_close_at=applications_close_at,
        )
        last = (
            Lot.objects.filter(tender=tender)
            .order_by("-code")
            .values_list("code", flat=True)
            .first()
        )
        serial = int(last[-3:]) + 1 if last else 1
        lot = Lot.objects.create(
            tender=tender,
            code=f"{tender.code}{serial:03d}",
            name=name.strip(),
            scope=scope,
            duration_days=duration_days,
            quality=quality.strip(),
            opens_at=opens_at,
            closes_at=closes_at,
            applications_close_at=applications_close_at,
            **amounts,
        )
        ledger(
            tender,
            action="lot.drafted",
            actor=actor,
            obj=lot,
            payload={"code": lot.code, **{k: str(v) for k, v in amounts.items()}},
            now=now,
        )
    return lot


_LOT_FIELDS = frozenset(
    {
        "name",
        "estimate",
        "deposit_amount",
        "increment",
        "scope",
        "duration_days",
        "quality",
        "opens_at",
        "closes_at",
        "applications_close_at",
        "valuation",
    }
)

_MONEY_FIELDS = ("estimate", "deposit_amount", "increment")


def lot_update(*, lot: Lot, actor: User, clock: Clock | None = None, **fields: Any) -> Lot:
    """Correct a lot of a draft tender."""
    access_tender(actor, lot.tender_id, purpose=Purpose.EDIT)
    unknown = set(fields) - _LOT_FIELDS
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    for field in _MONEY_FIELDS:
        if field in fields:
            fields[field] = money(fields[field], field)
    if fields.get("valuation") is not None:
        fields["valuation"] = money(fields["valuation"], "valuation")
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(lot.tender.project_id)
        tender = lock_tender(lot.tender_id)
        lot = lock_lot(lot.pk)
        now = clock()
        if tender.status != TenderStatus.DRAFT:
            raise ValidationError(_("只有草稿可以修改。"), code="not_draft")
        for field, value in fields.items():
            setattr(lot, field, value)
        _check_first_price(lot.estimate, lot.valuation)
        _check_lot(
            tender=tender,
            name=lot.name,
            opens_at=lot.opens_at,
            closes_at=lot.closes_at,
            now=now,
            applications_close_at=lot.applications_close_at,
        )
        lot.save()
        ledger(
            tender,
            action="lot.updated",
            actor=actor,
            obj=lot,
            payload={"fields": sorted(fields)},
            now=now,
        )
    return lot


def lot_terminate(*, lot: Lot, reason: str, actor: User, clock: Clock | None = None) -> Lot:
    """The owner terminates a lot before the award, with its reason (实施条例 第31条).

    After the award the letter binds the owner (招标投标法 第45条): termination is refused then.
    A regulator orders termination through its intervention instead.
    """
    access_lot(actor, lot.pk, purpose=Purpose.EDIT)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写终止理由。")}, code="reason")
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        holds = lock_active_holds(lot.pk)
        now = clock()
        tender = lot_tender(lot)
        if lot.status in AFTER_AWARD:
            raise ValidationError(
                _(
                    "已确定中标人，不能终止交易：中标通知书对招标人和中标人具有法律效力，"
                    "改变中标结果或放弃中标项目的，应当依法承担法律责任（招标投标法 第45条）。"
                ),
                code="after_award",
            )
        lot_terminate_locked(lot, tender, holds, reason=reason, actor=actor, now=now)
    return lot


def lot_terminate_locked(
    lot: Lot, tender: Tender, holds: list[Hold], *, reason: str, actor: User, now: datetime
) -> None:
    """Terminate the locked lot, lifting its locked holds; the notices draft the announcement."""
    lot_require(lot, tender, LotEvent.TERMINATE)
    for hold in holds:
        hold.lifted_at = now
        hold.lifted_by = actor
        hold.save(update_fields=["lifted_at", "lifted_by"])
    lot.suspended_at = None
    lot.termination_reason = reason
    event_emit(
        kind="lot.terminated",
        subject=f"lot:{lot.pk}",
        payload={"lot": lot.pk, "tender": tender.pk, "reason": reason},
        clock=fixed_clock(now),
    )
    notify(
        lot_stakeholders(tender),
        kind="lot.terminated",
        title=Message(gettext_noop("标段已终止：%(code)s"), code=lot.code),
        body=reason,
        now=now,
    )
    lot_transition(
        lot,
        tender,
        LotEvent.TERMINATE,
        actor=actor,
        now=now,
        payload={"reason": reason},
        fields=("suspended_at", "termination_reason"),
    )


# --- the chronograph ------------------------------------------------------------------------

_TIMED = {
    "opens_at": LotEvent.OPEN_BIDDING,
    "closes_at": LotEvent.CLOSE_BIDDING,
    "applications_close_at": LotEvent.CLOSE_APPLICATIONS,
}

# Where the chronograph stops for desk staff to record what the close produced.
_STAFF_RECORDS = {
    LotStatus.OPENING: gettext_noop("投标截止，请组织开标：%(code)s"),
    LotStatus.PREQUAL_REVIEW: gettext_noop("资格预审申请截止，请登记资格审查结果：%(code)s"),
    LotStatus.LISTING_CLOSED: gettext_noop(
        "挂牌（信息披露）期满，请登记竞买人（意向受让方）：%(code)s"
    ),
}


def lots_due(now: datetime) -> QuerySet[Lot]:
    """Lots whose next timed event is due and that no hold suspends."""
    return Lot.objects.filter(next_check__lte=now, suspended_at__isnull=True)


def lot_advance(lot: Lot, now: datetime) -> None:
    """Fire every timed event due by `now`, each with its ledger entry, in order (invariant 2).

    Runs with the lot claimed by the chronograph; a tick an hour late still gives one transition
    per event. The tender is read, never locked: the lot's lock is all a timed event needs, and
    taking the tender after the lot would invert the lock order.
    """
    tender = lot_tender(lot)
    fired = False
    while lot.suspended_at is None:
        field = TIMED_EVENTS.get(LotStatus(lot.status))
        due_at: datetime | None = getattr(lot, field) if field else None
        if field is None or due_at is None or due_at > now:
            break
        lot_transition(
            lot, tender, _TIMED[field], actor=None, now=now, payload={"due_at": due_at.isoformat()}
        )
        fired = True
    publicity_over = (
        lot.status == LotStatus.PUBLICITY
        and lot.publicity_ends_at is not None
        and lot.publicity_ends_at <= now
    )
    lot.next_check = lot_next_check(lot)
    if publicity_over or (lot.next_check is not None and lot.next_check <= now):
        # Nothing further fires by itself: the owner acts next (the award), so stop checking.
        lot.next_check = None
    lot.save(update_fields=["next_check"])
    # Notifications are plain inserts: writing them after the ledger entries takes no lock
    # another ledger writer could be waiting for.
    if fired and lot.status in _STAFF_RECORDS:
        notify(
            desk_staff_list(tender.desk),
            kind="lot.opening" if lot.status == LotStatus.OPENING else f"lot.{lot.status}",
            title=Message(_STAFF_RECORDS[LotStatus(lot.status)], code=lot.code),
            now=now,
        )
    if fired and lot.status == LotStatus.NEGOTIATION:
        notify(
            desk_staff_list(tender.desk),
            kind="lot.negotiation",
            title=Message(
                gettext_noop("响应截止，请组织谈判（协商）并登记谈判记录：%(code)s"), code=lot.code
            ),
            now=now,
        )
    if publicity_over:
        notify(
            owner_side_users(tender.project),
            kind="lot.publicity_ended",
            title=Message(
                gettext_noop("公示期满，请%(award)s：%(code)s"),
                award=Word(tender_terms(tender).award),
                code=lot.code,
            ),
            now=now,
        )
        ledger(
            tender,
            action="lot.publicity_ended",
            actor=None,
            obj=lot,
            payload={"publicity_ends_at": lot.publicity_ends_at.isoformat()},  # type: ignore[union-attr]
            now=now,
        )


LOTS = DueWork(name="trading.lots", due=lots_due, advance=lot_advance, batch_size=100)
