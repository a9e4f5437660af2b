"""What staff and owners record when a listing, a property disclosure or a prequalification closes.

- a land listing: the bidders at the close (国土资源部令第39号 第20条);
- a property disclosure: the qualified 意向受让方 (32号令 第22条); with none, the transferor
  extends it, re-discloses at a new price or ends it (第18条);
- a prequalification: the qualified applicants; fewer than 3 restart it (实施条例 第19条).

Each moves the lot through `lot_transition`; the decision itself is the pure function of
`trading.domain.procedures`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.domain.amounts import format_amount
from trading.domain.lifecycle import Family, LotEvent, LotStatus
from trading.domain.procedures import (
    PREQUAL_INSUFFICIENT_REASON,
    disclosure_outcome,
    listing_outcome,
    prequalification_outcome,
    redisclosure_needs_approval,
)
from trading.events import event_emit
from trading.lock_objects import lock_lot
from trading.models import Lot, Organisation, Tender, User
from trading.selectors.access import Purpose, access_lot, owner_side_users
from trading.selectors.timeline import tender_rulebook
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
from trading.services.lot_state import lot_require, lot_transition
from trading.services.outcomes import lot_record_auction_result, refuse_while_platform_auction
from trading.translatable import Message

__all__ = [
    "lot_end_disclosure",
    "lot_extend_disclosure",
    "lot_record_listing_close",
    "lot_record_prequalification",
    "lot_record_transferees",
    "lot_redisclose",
    "prequalification_check",
]


def _count(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError({field: _("人数须为非负整数。")}, code="count")
    return value


def _locked(lot: Lot, family: Family, status: LotStatus) -> tuple[Lot, Tender]:
    """The lot locked, running, of `family` and in `status`; otherwise refused, nothing written."""
    locked = lock_lot(lot.pk)
    if locked.suspended_at is not None:
        raise ValidationError(_("标段暂停中，不能进行此操作。"), code="suspended")
    tender = lot_tender(locked)
    if tender.procedure.family != family or locked.status != status:
        raise ValidationError(
            _("标段当前状态为“%(status)s”，不能进行此操作。")
            % {"status": locked.get_status_display()},
            code="illegal_transition",
        )
    return locked, tender


def _failed(lot: Lot, tender: Tender, now: datetime, *, reason: str, **payload: Any) -> None:
    """Record why the lot failed (流标原因), tell the notices and the owner's side."""
    lot.failure_reason = reason
    event_emit(
        kind="lot.failed",
        subject=f"lot:{lot.pk}",
        payload={"lot": lot.pk, "tender": tender.pk, "reason": reason, **payload},
        clock=fixed_clock(now),
    )
    notify(
        owner_side_users(tender.project),
        kind="lot.failed",
        title=Message(gettext_noop("交易未成交：%(code)s"), code=lot.code),
        body=reason,
        now=now,
    )


# --- land listing ---------------------------------------------------------------------------

LAND_LISTING_ARTICLE = "国土资源部令第39号 第20条"
# Stored as the lot's 流标原因: a record in Chinese, whatever language staff read.
LAND_UNSOLD_REASON = "挂牌期满无竞买人或者报价低于底价"


def lot_record_listing_close(
    *,
    lot: Lot,
    bidders: int,
    reaches_reserve: bool = False,
    winner: Organisation | None = None,
    price: Decimal | None = None,
    actor: User | None,
    clock: Clock | None = None,
) -> Lot:
    """Staff record the bidders at a land listing's close (国土资源部令第39号 第20条).

    One bidder whose bid reaches the reserve buys at that price, without on-site bidding; none,
    or one below the reserve, is 流拍; two or more go on to timed bidding (限时竞价). `actor`
    None is the platform's own listing closing with two or more declarants.
    """
    if actor is not None:
        access_lot(actor, lot.pk, purpose=Purpose.OPERATE)
        refuse_while_platform_auction(lot)
    bidders = _count(bidders, "bidders")
    event = listing_outcome(bidders, reaches_reserve=reaches_reserve)
    if event == LotEvent.SOLD and (winner is None or price is None):
        raise ValidationError(
            {"winner": _("只有一个竞买人且报价不低于底价的，请填写竞得人和成交价。")},
            code="winner",
        )
    clock = clock or get_clock()
    with transaction.atomic():
        lot, tender = _locked(lot, Family.LISTING, LotStatus.LISTING_CLOSED)
        now = clock()
        lot_require(lot, tender, event)
        lot.qualified_count = bidders
        if event == LotEvent.SOLD:
            lot.save(update_fields=["qualified_count"])
            # The sale itself is recorded as any sale is: the winner, the price, the publicity.
            return lot_record_auction_result(
                lot=lot, sold=True, winner=winner, price=price, actor=actor, clock=fixed_clock(now)
            )
        payload = {"bidders": bidders, "reaches_reserve": reaches_reserve}
        if event == LotEvent.UNSOLD:
            _failed(lot, tender, now, reason=LAND_UNSOLD_REASON, unsold=True)
        lot_transition(
            lot,
            tender,
            event,
            actor=actor,
            now=now,
            payload={**payload, "article": LAND_LISTING_ARTICLE},
            fields=("qualified_count", "failure_reason"),
        )
    return lot


# --- property disclosure --------------------------------------------------------------------

DISCLOSURE_ARTICLE = "国资委 财政部令第32号 第18条"


def lot_record_transferees(*, lot: Lot, count: int, actor: User, clock: Clock | None = None) -> Lot:
    """Staff record the qualified 意向受让方 when the disclosure closes (32号令 第22条).

    One: 协议转让; two or more: 网络竞价; none: the transferor decides what follows (第18条).
    """
    access_lot(actor, lot.pk, purpose=Purpose.OPERATE)
    count = _count(count, "count")
    clock = clock or get_clock()
    with transaction.atomic():
        lot, tender = _locked(lot, Family.PROPERTY_DISCLOSURE, LotStatus.LISTING_CLOSED)
        if lot.qualified_count is not None:
            raise ValidationError(_("已登记意向受让方人数。"), code="recorded")
        now = clock()
        lot.qualified_count = count
        event = disclosure_outcome(count)
        if event is None:
            lot.save(update_fields=["qualified_count"])
            notify(
                owner_side_users(tender.project),
                kind="lot.no_transferee",
                title=Message(
                    gettext_noop("信息披露期满未征集到意向受让方：%(code)s"), code=lot.code
                ),
                body=Message(
                    gettext_noop("可以延期、降低转让底价后重新披露或者终结（32号令 第18条）。")
                ),
                now=now,
            )
            ledger(
                tender,
                action="lot.no_transferee",
                actor=actor,
                obj=lot,
                payload={"qualified": 0, "article": DISCLOSURE_ARTICLE},
                now=now,
            )
            return lot
        lot_require(lot, tender, event)
        lot_transition(
            lot,
            tender,
            event,
            actor=actor,
            now=now,
            payload={"qualified": count, "article": "国资委 财政部令第32号 第22条"},
            fields=("qualified_count",),
        )
    return lot


def _no_transferee(lot: Lot) -> tuple[Lot, Tender]:
    """The transferor's choice is open only after none qualified (32号令 第18条)."""
    lot, tender = _locked(lot, Family.PROPERTY_DISCLOSURE, LotStatus.LISTING_CLOSED)
    if lot.qualified_count != 0:
        raise ValidationError(
            _(
                "只有信息披露期满未征集到意向受让方时，"
                "才能延期、重新披露或者终结（32号令 第18条）。"
            ),
            code="not_without_transferee",
        )
    return lot, tender


def _closes(lot: Lot) -> datetime:
    if lot.closes_at is None:  # a published lot always has one (lot_create requires it)
        raise ValidationError(_("标段没有截止时间。"), code="no_deadline")
    return lot.closes_at


def _check_new_end(
    tender: Tender, points: dict[str, datetime], new_end: datetime, now: datetime
) -> None:
    aware(new_end, "closes_at")
    not_in_past(new_end, "closes_at", now)
    within_horizon(new_end, "closes_at", now)
    violations = tender_rulebook(tender, now=now).check({**points, "listing_end": new_end})
    if violations:
        raise ValidationError(
            {"closes_at": [str(violation.message) for violation in violations]}, code="schedule"
        )


def lot_extend_disclosure(
    *, lot: Lot, closes_at: datetime, actor: User, clock: Clock | None = None
) -> Lot:
    """The transferor extends a disclosure nobody qualified in, by ≥ 5 工作日 each time."""
    access_lot(actor, lot.pk, purpose=Purpose.EDIT)
    clock = clock or get_clock()
    with transaction.atomic():
        lot, tender = _no_transferee(lot)
        now = clock()
        previous = _closes(lot)
        _check_new_end(tender, {"previous_listing_end": previous}, closes_at, now)
        lot.closes_at = closes_at
        lot.qualified_count = None
        lot_transition(
            lot,
            tender,
            LotEvent.EXTEND,
            actor=actor,
            now=now,
            payload={
                "previous_closes_at": previous.isoformat(),
                "closes_at": closes_at.isoformat(),
            },
            fields=("closes_at", "qualified_count"),
        )
    return lot


def lot_redisclose(
    *,
    lot: Lot,
    closes_at: datetime,
    price: Decimal,
    actor: User,
    valuation: Decimal | None = None,
    approval_reference: str = "",
    clock: Clock | None = None,
) -> Lot:
    """The transferor discloses again at a new price, for ≥ 20 工作日 (32号令 第18条).

    A price below 90% of the valuation needs the written consent of the body that approved the
    transfer: its reference is recorded with the new price.
    """
    access_lot(actor, lot.pk, purpose=Purpose.EDIT)
    price = money(price, "price")
    if price <= 0:
        raise ValidationError({"price": _("请填写新的转让底价。")}, code="price")
    approval_reference = (approval_reference or "").strip()
    clock = clock or get_clock()
    with transaction.atomic():
        lot, tender = _no_transferee(lot)
        now = clock()
        if valuation is not None:
            valuation = money(valuation, "valuation")
        valuation = lot.valuation if lot.valuation is not None else valuation
        if valuation is None:
            raise ValidationError(
                {"valuation": _("请填写经核准或备案的评估结果（32号令 第17、18条）。")},
                code="valuation",
            )
        if redisclosure_needs_approval(price, valuation) and not approval_reference:
            raise ValidationError(
                {
                    "approval_reference": _(
                        "新的转让底价低于评估结果的90%%（%(floor)s 元），应当经转让行为批准单位"
                        "书面同意：请填写批准文件（32号令 第18条）。"
                    )
                    % {"floor": format_amount(valuation * Decimal("0.9"))}
                },
                code="approval_required",
            )
        previous = _closes(lot)
        _check_new_end(tender, {"disclosure_restart": now}, closes_at, now)
        before = lot.estimate
        lot.estimate = price
        lot.valuation = valuation
        lot.approval_reference = approval_reference
        lot.closes_at = closes_at
        lot.qualified_count = None
        lot_transition(
            lot,
            tender,
            LotEvent.REDISCLOSE,
            actor=actor,
            now=now,
            payload={
                "previous_closes_at": previous.isoformat(),
                "closes_at": closes_at.isoformat(),
                "previous_price": str(before),
                "price": str(price),
                "valuation": str(valuation),
                "approval_reference": approval_reference,
            },
            fields=("estimate", "valuation", "approval_reference", "closes_at", "qualified_count"),
        )
    return lot


def lot_end_disclosure(*, lot: Lot, reason: str, actor: User, clock: Clock | None = None) -> Lot:
    """The transferor ends a disclosure nobody qualified in (32号令 第18条): the lot fails."""
    access_lot(actor, lot.pk, purpose=Purpose.EDIT)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写终结理由。")}, code="reason")
    clock = clock or get_clock()
    with transaction.atomic():
        lot, tender = _no_transferee(lot)
        now = clock()
        _failed(lot, tender, now, reason=reason, unsold=True)
        lot_transition(
            lot,
            tender,
            LotEvent.UNSOLD,
            actor=actor,
            now=now,
            payload={"reason": reason, "article": DISCLOSURE_ARTICLE},
            fields=("failure_reason",),
        )
    return lot


# --- prequalification -----------------------------------------------------------------------

PREQUAL_ARTICLES = {
    "engineering": "招标投标法实施条例 第19条",
    "procurement": "财政部令第87号 第14条",
}


# 实施条例 第21、22条: before the application deadline, an amendment ≥ 3 日, an objection ≥ 2 日.
_PREQUAL_LATE = {
    "amendment": _lazy(
        "影响资格预审申请文件编制的澄清或者修改，应当在提交资格预审申请文件截止时间至少3日前发出"
        "（%(article)s）；不足3日的，应当顺延资格预审申请截止时间。"
    ),
    "objection_documents": _lazy(
        "对资格预审文件的异议应当在提交资格预审申请文件截止时间2日前提出（%(article)s）。"
    ),
}


def prequalification_check(tender: Tender, lot: Lot, point: str, now: datetime) -> None:
    """Refuse an amendment or an objection too close to the application deadline (第21、22条)."""
    if lot.applications_close_at is None:
        return
    book = tender_rulebook(tender, now=now)
    keys = {rule.key for rule in book.between(point, "application_deadline")}
    points = {point: now, "application_deadline": lot.applications_close_at}
    late = [violation for violation in book.check(points) if violation.rule_key in keys]
    if late:
        raise ValidationError(str(_PREQUAL_LATE[point]) % {"article": late[0].article}, code="late")


def lot_record_prequalification(
    *, lot: Lot, count: int, actor: User, clock: Clock | None = None
) -> Lot:
    """Staff record the qualified applicants; fewer than 3 fail the lot (实施条例 第19条)."""
    access_lot(actor, lot.pk, purpose=Purpose.OPERATE)
    count = _count(count, "count")
    clock = clock or get_clock()
    with transaction.atomic():
        lot, tender = _locked(lot, Family.PREQUALIFIED, LotStatus.PREQUAL_REVIEW)
        now = clock()
        event = prequalification_outcome(count)
        lot_require(lot, tender, event)
        lot.qualified_count = count
        article = PREQUAL_ARTICLES.get(tender.project.business_type.code, "")
        payload: dict[str, Any] = {"qualified": count, "article": article}
        if event == LotEvent.APPLICANTS_INSUFFICIENT:
            payload["reason"] = PREQUAL_INSUFFICIENT_REASON
            _failed(lot, tender, now, reason=PREQUAL_INSUFFICIENT_REASON, qualified=count)
        else:
            notify(
                owner_side_users(tender.project),
                kind="lot.prequalified",
                title=Message(
                    gettext_noop("资格预审完成，请向合格申请人发出投标邀请书：%(code)s"),
                    code=lot.code,
                ),
                now=now,
            )
        lot_transition(
            lot,
            tender,
            event,
            actor=actor,
            now=now,
            payload=payload,
            fields=("qualified_count", "failure_reason"),
        )
    return lot
