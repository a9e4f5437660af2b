"""A lot's life after publication: holds and objections, outcomes, award, contract, and the
chronograph's timed transitions.

Each writer locks the lot (and then its holds, DESIGN.md lock order), reads the clock after the
locks, checks the transition with `trading.domain.lifecycle` inside them, and appends the ledger
entries to the tender's chain last. `lot_advance` is the chronograph's due work over lots: it runs
in the lot's own transaction with the lot already claimed (SKIP LOCKED) and never locks its tender.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from trading.chronograph import DueWork
from trading.clock import Clock, get_clock
from trading.domain.employer import OrganisationKind
from trading.domain.lifecycle import (
    TERMINAL,
    TIMED_EVENTS,
    IllegalTransition,
    LotEvent,
    LotStatus,
    award_blockers,
    award_must_go_to_first,
    bids_outcome,
)
from trading.domain.timeline import check_schedule
from trading.events import event_emit
from trading.lock_objects import lock_active_holds, lock_lot
from trading.models import (
    Award,
    Candidate,
    Contract,
    Hold,
    Lot,
    Objection,
    Organisation,
    Tender,
    TenderDocument,
    User,
)
from trading.models.tenders import DocumentKind, HoldReason, ObjectionStage
from trading.selectors.rules import calendar_load
from trading.selectors.tenders import (
    EDIT,
    OPERATE,
    SUPERVISE,
    access_lot,
    closing_point,
    desk_staff_list,
    earliest_after,
    latest_after,
    lot_report_document,
    may,
    owner_side_users,
    rule_between,
    scaled_points,
    schedule_points,
    shanghai_day,
    tender_rules,
    tender_violations,
)
from trading.services.tenders import (
    apply_transition,
    check_pdf,
    document_store,
    fixed_clock,
    ledger,
    lot_next_check,
    money,
    notify,
    refused_transition,
)

logger = logging.getLogger(__name__)

__all__ = [
    "LOTS",
    "CandidateInput",
    "award_confirm",
    "contract_record",
    "hold_lift",
    "hold_place",
    "lot_advance",
    "lot_record_auction_result",
    "lot_record_bid_count",
    "lot_record_evaluation",
    "lot_terminate",
    "objection_answer",
    "objection_raise",
    "report_file",
]

_LOT_FIELDS = ["status", "status_changed_at", "next_check"]


def _tender(lot: Lot) -> Tender:
    return Tender.objects.select_related(
        "procedure", "project__region", "project__business_type", "desk"
    ).get(pk=lot.tender_id)


def _scale(tender: Tender) -> int:
    return tender.project.time_scale if tender.project.training else 1


def _rules(tender: Tender, now: datetime) -> list[Any]:
    return tender_rules(tender, on=tender.rules_as_of or shanghai_day(now))


def _bound_after(
    tender: Tender, start: datetime, from_point: str, to_point: str, *, default_days: int
) -> datetime:
    """The end of a period that starts at `start`, by the tender's rule (or `default_days` 日)."""
    rules = rule_between(_rules(tender, start), from_point, to_point)
    calendar = calendar_load()
    found = earliest_after(start, rules, calendar, scale=_scale(tender)) or latest_after(
        start, rules, calendar, scale=_scale(tender)
    )
    if found is not None:
        return found
    return start + (calendar.add_days(start, default_days, "day") - start) / _scale(tender)


def _open(lot: Lot) -> None:
    if lot.status == LotStatus.DRAFT or LotStatus(lot.status) in TERMINAL:
        raise ValidationError(
            _("标段当前状态为“%(s)s”，不能进行此操作。") % {"s": lot.get_status_display()},
            code="not_open",
        )


def _stakeholders(tender: Tender) -> list[User]:
    return [*owner_side_users(tender.project), *desk_staff_list(tender.desk)]


# --- holds: suspension and resumption -------------------------------------------------------


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
    rules = _rules(tender, now)
    calendar = calendar_load()
    scale = _scale(tender)
    moved: dict[str, list[str]] = {}
    for field, point in _pending_deadlines(lot, tender):
        value: datetime | None = getattr(lot, field)
        if value is None or value <= suspended_at:
            continue
        extend = value <= now
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
                    scaled_points(shifted, scale),
                    [rule for rule in rules if rule.to_point == point],
                    calendar,
                )
            )
        if extend:
            setattr(lot, field, value + paused)
            moved[field] = [value.isoformat(), (value + paused).isoformat()]
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


def _place(
    lot: Lot, tender: Tender, *, reason: str, note: str, actor: User, now: datetime
) -> tuple[Hold, dict[str, Any] | None]:
    hold = Hold.objects.create(lot=lot, reason=reason, note=note, placed_by=actor, placed_at=now)
    return hold, _suspend(lot, tender, hold, now)


def _lift(
    lot: Lot, tender: Tender, hold: Hold, *, actor: User, now: datetime
) -> dict[str, Any] | None:
    """Lift one hold (locked by the caller); resume the lot when it was the last."""
    hold.lifted_at = now
    hold.lifted_by = actor
    hold.save(update_fields=["lifted_at", "lifted_by"])
    still = Hold.objects.filter(lot=lot, lifted_at__isnull=True).exists()
    if still or lot.suspended_at is None or LotStatus(lot.status) in TERMINAL:
        return None
    return _resume(lot, tender, now)


_HOLD_PURPOSE = {
    HoldReason.COMPLAINT: SUPERVISE,
    HoldReason.INTERVENTION: SUPERVISE,
    HoldReason.OUTAGE: OPERATE,
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
        tender = _tender(lot)
        hold, suspended = _place(lot, tender, reason=reason, note=note, actor=actor, now=now)
        notify(
            _stakeholders(tender),
            kind="lot.suspended",
            title=_("标段已暂停：%(code)s") % {"code": lot.code},
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
        tender = _tender(lot)
        resumed = _lift(lot, tender, holds[hold.pk], actor=actor, now=now)
        hold = holds[hold.pk]
        if resumed is not None:
            notify(
                _stakeholders(tender),
                kind="lot.resumed",
                title=_("标段已恢复：%(code)s") % {"code": lot.code},
                now=now,
            )
        ledger(
            tender, action="hold.lifted", actor=actor, obj=lot, payload={"hold": hold.pk}, now=now
        )
        if resumed is not None:
            ledger(tender, action="lot.resumed", actor=actor, obj=lot, payload=resumed, now=now)
    return hold


# --- objections -----------------------------------------------------------------------------

_OBJECTION_STATUS = {
    ObjectionStage.DOCUMENTS: (LotStatus.PUBLISHED, LotStatus.BIDDING),
    ObjectionStage.OPENING: (LotStatus.OPENING,),
    ObjectionStage.RESULT: (LotStatus.PUBLICITY,),
}
_OBJECTION_POINT = {
    ObjectionStage.DOCUMENTS: "objection_documents",
    ObjectionStage.OPENING: "objection_opening",
    ObjectionStage.RESULT: "objection_result",
}


def objection_raise(
    *, lot: Lot, stage: str, text: str, actor: User, clock: Clock | None = None
) -> Objection:
    """A bidder objects to the owner; the lot waits for the answer (实施条例 第22、44、54条)."""
    if actor.organisation_kind != OrganisationKind.BIDDER or not (
        actor.organisation and actor.organisation.is_verified
    ):
        raise PermissionDenied(_("只有已核验的投标人可以提出异议。"))
    if stage not in ObjectionStage.values:
        raise ValidationError({"stage": _("未知的异议阶段。")}, code="stage")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写异议内容。")}, code="text")
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        now = clock()
        if lot.status == LotStatus.DRAFT:
            raise Http404(_("没有找到该标段。"))
        if lot.status not in _OBJECTION_STATUS[ObjectionStage(stage)]:
            raise ValidationError(
                _("标段当前状态为“%(s)s”，不能提出此阶段的异议。")
                % {"s": lot.get_status_display()},
                code="stage_status",
            )
        tender = _tender(lot)
        if stage == ObjectionStage.DOCUMENTS and lot.closes_at is not None:
            # 实施条例 第22条: at least 10 days before the deadline (by the tender's rule row).
            rules = [
                rule
                for rule in _rules(tender, now)
                if rule.from_point == "objection_documents"
                and rule.to_point == closing_point(tender)
            ]
            points = scaled_points(
                {"objection_documents": now, closing_point(tender): lot.closes_at}, _scale(tender)
            )
            late = check_schedule(points, rules, calendar_load())
            if late:
                raise ValidationError(
                    _("对招标文件的异议应在投标截止时间10日前提出（%(a)s）。")
                    % {"a": late[0].article},
                    code="late",
                )
        if stage == ObjectionStage.RESULT and lot.publicity_ends_at and now > lot.publicity_ends_at:
            raise ValidationError(_("公示期已结束，不能再对评标结果提出异议。"), code="late")
        answer_due = _bound_after(
            tender, now, _OBJECTION_POINT[ObjectionStage(stage)], "objection_answer", default_days=3
        )
        hold, suspended = _place(
            lot, tender, reason=HoldReason.OBJECTION, note=text[:200], actor=actor, now=now
        )
        objection = Objection.objects.create(
            lot=lot,
            stage=stage,
            raised_by=actor.organisation,
            raised_by_user=actor,
            text=text,
            raised_at=now,
            answer_due=answer_due,
            hold=hold,
        )
        notify(
            owner_side_users(tender.project),
            kind="objection.raised",
            title=_("收到异议，请于 %(due)s 前答复：%(code)s")
            % {
                "due": answer_due.astimezone(_shanghai()).strftime("%Y-%m-%d %H:%M"),
                "code": lot.code,
            },
            body=text[:200],
            now=now,
        )
        # Who objects stays out of the chain before the opening (招标投标法 第22条).
        ledger(
            tender,
            action="objection.raised",
            actor=None if stage == ObjectionStage.DOCUMENTS else actor,
            obj=lot,
            payload={
                "objection": objection.pk,
                "stage": stage,
                "hold": hold.pk,
                "answer_due": answer_due.isoformat(),
            },
            now=now,
        )
        if suspended:
            ledger(tender, action="lot.suspended", actor=None, obj=lot, payload=suspended, now=now)
    return objection


def _shanghai() -> Any:
    from trading.selectors.tenders import SHANGHAI

    return SHANGHAI


def objection_answer(
    *, objection: Objection, answer: str, actor: User, clock: Clock | None = None
) -> Objection:
    """The owner answers an objection; its hold is lifted (实施条例 第22、54条)."""
    access_lot(actor, objection.lot_id, purpose=EDIT)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写答复内容。")}, code="answer")
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(objection.lot_id)
        holds = {row.pk: row for row in lock_active_holds(lot.pk)}
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        now = clock()
        if objection.answered_at is not None:
            raise ValidationError(_("该异议已答复。"), code="answered")
        objection.answer = answer
        objection.answered_by = actor
        objection.answered_at = now
        objection.save(update_fields=["answer", "answered_by", "answered_at"])
        tender = _tender(lot)
        resumed = None
        if objection.hold_id in holds:
            resumed = _lift(lot, tender, holds[objection.hold_id], actor=actor, now=now)
        notify(
            [objection.raised_by_user],
            kind="objection.answered",
            title=_("您的异议已答复：%(code)s") % {"code": lot.code},
            body=answer[:200],
            now=now,
        )
        if resumed is not None:
            notify(
                _stakeholders(tender),
                kind="lot.resumed",
                title=_("标段已恢复：%(code)s") % {"code": lot.code},
                now=now,
            )
        ledger(
            tender,
            action="objection.answered",
            actor=actor,
            obj=lot,
            payload={"objection": objection.pk, "on_time": now <= objection.answer_due},
            now=now,
        )
        if resumed is not None:
            ledger(tender, action="lot.resumed", actor=actor, obj=lot, payload=resumed, now=now)
    return objection


# --- termination ----------------------------------------------------------------------------


def lot_terminate(*, lot: Lot, reason: str, actor: User, clock: Clock | None = None) -> Lot:
    """End a lot for good (招标人终止招标, 实施条例 第31条; or the regulator's decision)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写终止理由。")}, code="reason")
    found = access_lot(actor, lot.pk, purpose="view")
    if not (may(actor, found.tender, purpose=EDIT) or may(actor, found.tender, purpose=SUPERVISE)):
        raise PermissionDenied(_("只有招标人或行政监督部门可以终止交易。"))
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        holds = lock_active_holds(lot.pk)
        now = clock()
        tender = _tender(lot)
        try:
            change = apply_transition(
                lot, tender, LotEvent.TERMINATE, now=now, payload={"reason": reason}
            )
        except IllegalTransition as error:
            raise refused_transition(lot, error) from None
        for hold in holds:
            hold.lifted_at = now
            hold.lifted_by = actor
            hold.save(update_fields=["lifted_at", "lifted_by"])
        lot.suspended_at = None
        lot.next_check = None
        lot.save(update_fields=[*_LOT_FIELDS, "suspended_at"])
        event_emit(
            kind="lot.terminated",
            subject=f"lot:{lot.pk}",
            payload={"lot": lot.pk, "tender": tender.pk, "reason": reason},
            clock=fixed_clock(now),
        )
        notify(
            _stakeholders(tender),
            kind="lot.terminated",
            title=_("标段已终止：%(code)s") % {"code": lot.code},
            body=reason,
            now=now,
        )
        ledger(tender, action="lot.terminated", actor=actor, obj=lot, payload=change, now=now)
    return lot


# --- outcomes -------------------------------------------------------------------------------


def _operate(actor: User, lot: Lot) -> None:
    access_lot(actor, lot.pk, purpose=OPERATE)


def lot_record_bid_count(*, lot: Lot, count: int, actor: User, clock: Clock | None = None) -> Lot:
    """Record the valid bids at the opening; too few fail the lot (流标, 实施条例 第44条)."""
    _operate(actor, lot)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValidationError({"count": _("投标数须为非负整数。")}, code="count")
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        now = clock()
        if lot.suspended_at is not None:
            raise ValidationError(_("标段暂停中，不能记录开标结果。"), code="suspended")
        tender = _tender(lot)
        event = bids_outcome(count, tender.procedure.min_bids)
        try:
            change = apply_transition(
                lot,
                tender,
                event,
                now=now,
                payload={"bids": count, "min_bids": tender.procedure.min_bids},
            )
        except IllegalTransition as error:
            raise refused_transition(lot, error) from None
        lot.bid_count = count
        lot.save(update_fields=[*_LOT_FIELDS, "bid_count"])
        if lot.status == LotStatus.FAILED:
            event_emit(
                kind="lot.failed",
                subject=f"lot:{lot.pk}",
                payload={"lot": lot.pk, "tender": tender.pk, "bids": count},
                clock=fixed_clock(now),
            )
            notify(
                owner_side_users(tender.project),
                kind="lot.failed",
                title=_("流标：%(code)s 有效投标不足 %(n)s 家")
                % {"code": lot.code, "n": tender.procedure.min_bids},
                body=_("请依法重新招标（实施条例 第44条）。"),
                now=now,
            )
        ledger(tender, action=f"lot.{event.value}", actor=actor, obj=lot, payload=change, now=now)
    return lot


def _bidder(organisation: Organisation, field: str) -> None:
    if organisation.kind != OrganisationKind.BIDDER or not organisation.is_verified:
        raise ValidationError({field: _("须为已核验的投标人。")}, code="not_bidder")


def _start_publicity(lot: Lot, tender: Tender, now: datetime) -> None:
    lot.publicity_starts_at = now
    lot.publicity_ends_at = _bound_after(
        tender, now, "publicity_start", "publicity_end", default_days=3
    )


def lot_record_auction_result(
    *,
    lot: Lot,
    sold: bool,
    winner: Organisation | None = None,
    price: Decimal | None = None,
    actor: User,
    clock: Clock | None = None,
) -> Lot:
    """Record the auction's outcome: sold (the result is publicised) or unsold (流拍)."""
    _operate(actor, lot)
    if sold:
        if winner is None:
            raise ValidationError({"winner": _("请选择竞得人。")}, code="winner")
        _bidder(winner, "winner")
        price = money(price, "price")
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        now = clock()
        if lot.suspended_at is not None:
            raise ValidationError(_("标段暂停中，不能记录竞价结果。"), code="suspended")
        tender = _tender(lot)
        if sold and price is not None and price < lot.estimate:
            raise ValidationError({"price": _("成交价不得低于起始价。")}, code="below_start")
        event = LotEvent.SOLD if sold else LotEvent.UNSOLD
        try:
            change = apply_transition(
                lot, tender, event, now=now, payload={"price": str(price) if sold else None}
            )
        except IllegalTransition as error:
            raise refused_transition(lot, error) from None
        if sold and winner is not None and price is not None:
            Candidate.objects.create(
                lot=lot,
                rank=1,
                organisation=winner,
                name=winner.name,
                uscc=winner.uscc,
                price=price,
            )
            _start_publicity(lot, tender, now)
            lot.next_check = lot_next_check(lot)
            change["publicity_ends_at"] = lot.publicity_ends_at.isoformat()  # type: ignore[union-attr]
        lot.save(update_fields=[*_LOT_FIELDS, "publicity_starts_at", "publicity_ends_at"])
        if not sold:
            event_emit(
                kind="lot.failed",
                subject=f"lot:{lot.pk}",
                payload={"lot": lot.pk, "tender": tender.pk, "unsold": True},
                clock=fixed_clock(now),
            )
        notify(
            owner_side_users(tender.project),
            kind="lot.sold" if sold else "lot.failed",
            title=(_("竞价成交：%(code)s") if sold else _("流拍：%(code)s")) % {"code": lot.code},
            now=now,
        )
        ledger(tender, action=f"lot.{event.value}", actor=actor, obj=lot, payload=change, now=now)
    return lot


@dataclass(frozen=True)
class CandidateInput:
    """A ranked candidate as the evaluation committee reports it (values copied when stored)."""

    organisation: Organisation
    price: Decimal
    score: Decimal | None = None
    duration_days: int | None = None
    quality: str = ""
    project_manager: str = ""
    manager_certificate: str = ""


def lot_record_evaluation(
    *,
    lot: Lot,
    candidates: list[CandidateInput],
    report_file: Any,
    actor: User,
    clock: Clock | None = None,
) -> Lot:
    """Staff record the ranked candidates (≤ 3, 实施条例 第53条); publicity starts (第54条)."""
    _operate(actor, lot)
    if not 1 <= len(candidates) <= 3:
        raise ValidationError({"candidates": _("中标候选人应为1至3名。")}, code="candidates")
    organisations = [candidate.organisation.pk for candidate in candidates]
    if len(set(organisations)) != len(organisations):
        raise ValidationError({"candidates": _("同一投标人不能重复排名。")}, code="duplicate")
    prices = []
    for candidate in candidates:
        _bidder(candidate.organisation, "candidates")
        prices.append(money(candidate.price, "candidates"))
        if candidate.score is not None and not (
            Decimal(0) <= Decimal(candidate.score) <= Decimal(1000)
        ):
            raise ValidationError({"candidates": _("得分不正确。")}, code="score")
    check_pdf(report_file, "report_file")
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        now = clock()
        if lot.suspended_at is not None:
            raise ValidationError(_("标段暂停中，不能记录评标结果。"), code="suspended")
        tender = _tender(lot)
        try:
            change = apply_transition(lot, tender, LotEvent.EVALUATION_REPORTED, now=now)
        except IllegalTransition as error:
            raise refused_transition(lot, error) from None
        document = document_store(
            tender=tender,
            kind=DocumentKind.EVALUATION_REPORT,
            title=_("评标报告 %(code)s") % {"code": lot.code},
            file=report_file,
            actor=actor,
            now=now,
            lot=lot,
        )
        for rank, (candidate, price) in enumerate(zip(candidates, prices, strict=True), start=1):
            org = candidate.organisation
            Candidate.objects.create(
                lot=lot,
                rank=rank,
                organisation=org,
                name=org.name,
                uscc=org.uscc,
                price=price,
                score=None
                if candidate.score is None
                else Decimal(candidate.score).quantize(Decimal("0.01")),
                duration_days=candidate.duration_days,
                quality=candidate.quality,
                project_manager=candidate.project_manager,
                manager_certificate=candidate.manager_certificate,
            )
        lot.evaluation_reported_at = now
        _start_publicity(lot, tender, now)
        lot.next_check = lot_next_check(lot)
        lot.save(
            update_fields=[
                *_LOT_FIELDS,
                "evaluation_reported_at",
                "publicity_starts_at",
                "publicity_ends_at",
            ]
        )
        event_emit(
            kind="lot.candidates_published",
            subject=f"lot:{lot.pk}",
            payload={
                "lot": lot.pk,
                "tender": tender.pk,
                "publicity_ends_at": lot.publicity_ends_at.isoformat(),  # type: ignore[union-attr]
            },
            clock=fixed_clock(now),
        )
        notify(
            owner_side_users(tender.project),
            kind="lot.evaluated",
            title=_("评标结果已公示：%(code)s") % {"code": lot.code},
            now=now,
        )
        change.update(
            report=document.pk,
            sha256=document.sha256,
            candidates=[org for org in organisations],
            publicity_ends_at=lot.publicity_ends_at.isoformat(),  # type: ignore[union-attr]
        )
        ledger(
            tender, action="lot.evaluation_reported", actor=actor, obj=lot, payload=change, now=now
        )
    return lot


_BLOCKER_MESSAGES = {
    "not_in_publicity": "标段不在公示阶段，不能定标。",
    "publicity_running": "公示期尚未结束，不能定标（实施条例 第54条）。",
    "suspended": "标段暂停中（有未处理的异议、投诉或干预），不能定标。",
}


def award_confirm(
    *,
    lot: Lot,
    candidate: Candidate,
    reason: str = "",
    actor: User,
    clock: Clock | None = None,
) -> Award:
    """The owner confirms the award and its letter (法 第45条; the first one: 实施条例 第55条)."""
    access_lot(actor, lot.pk, purpose=EDIT)
    reason = (reason or "").strip()
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        active = lock_active_holds(lot.pk)
        now = clock()
        tender = _tender(lot)
        blockers = award_blockers(
            status=LotStatus(lot.status),
            now=now,
            publicity_ends_at=lot.publicity_ends_at,
            active_holds=len(active),
        )
        if blockers:
            raise ValidationError(
                [_(_BLOCKER_MESSAGES.get(code, code)) for code in blockers], code="award_blocked"
            )
        candidate = Candidate.objects.filter(pk=candidate.pk, lot=lot).first()  # type: ignore[assignment]
        if candidate is None:
            raise ValidationError({"candidate": _("该候选人不属于本标段。")}, code="candidate")
        project = tender.project
        if candidate.rank != 1:
            if award_must_go_to_first(
                state_funded=project.state_funded, business_type=project.business_type.code
            ):
                raise ValidationError(
                    {
                        "candidate": _(
                            "国有资金占控股或主导地位的依法必须招标项目，应确定排名第一的中标候选人为中标人"
                            "（招标投标法实施条例 第55条）。"
                        )
                    },
                    code="first_candidate",
                )
            if not reason:
                raise ValidationError(
                    {"reason": _("未选排名第一的候选人，请说明理由。")}, code="reason"
                )
        try:
            change = apply_transition(
                lot,
                tender,
                LotEvent.AWARD,
                now=now,
                payload={"candidate": candidate.pk, "rank": candidate.rank},
            )
        except IllegalTransition as error:
            raise refused_transition(lot, error) from None
        lot.save(update_fields=_LOT_FIELDS)
        award = Award.objects.create(
            lot=lot,
            candidate=candidate,
            organisation=candidate.organisation,
            name=candidate.name,
            uscc=candidate.uscc,
            price=candidate.price,
            confirmed_by=actor,
            confirmed_at=now,
            letter_issued_at=now,
            reason=reason,
        )
        event_emit(
            kind="lot.awarded",
            subject=f"lot:{lot.pk}",
            payload={"lot": lot.pk, "tender": tender.pk, "award": award.pk},
            clock=fixed_clock(now),
        )
        contract_due = _bound_after(tender, now, "award_letter", "contract", default_days=30)
        report_due = _bound_after(tender, now, "award_letter", "report", default_days=15)
        notify(
            list(candidate.organisation.users.filter(is_active=True)),
            kind="award.letter",
            title=_("中标（成交）通知书：%(code)s %(name)s") % {"code": lot.code, "name": lot.name},
            body=_("中标价 %(price)s 元。") % {"price": candidate.price},
            now=now,
        )
        notify(
            owner_side_users(project),
            kind="award.followup",
            title=_("请签订合同并提交书面报告：%(code)s") % {"code": lot.code},
            body=_("合同应于 %(c)s 前签订（法 第46条），书面报告应于 %(r)s 前提交（法 第47条）。")
            % {"c": _fmt(contract_due), "r": _fmt(report_due)},
            now=now,
        )
        change.update(award=award.pk, price=str(award.price), reason=reason)
        ledger(tender, action="lot.awarded", actor=actor, obj=lot, payload=change, now=now)
    return award


def _fmt(moment: datetime) -> str:
    return moment.astimezone(_shanghai()).strftime("%Y-%m-%d %H:%M")


def _close_if_complete(
    lot: Lot,
    tender: Tender,
    *,
    contract: Contract | None,
    report: TenderDocument | None,
    now: datetime,
) -> list[tuple[str, dict[str, Any]]]:
    changes: list[tuple[str, dict[str, Any]]] = []
    if contract is not None and lot.status == LotStatus.AWARDED:
        changes.append(
            ("lot.contracted", apply_transition(lot, tender, LotEvent.CONTRACT, now=now))
        )
    if contract is not None and report is not None and lot.status == LotStatus.CONTRACTED:
        changes.append(("lot.closed", apply_transition(lot, tender, LotEvent.CLOSE, now=now)))
    return changes


def contract_record(
    *,
    lot: Lot,
    signed_on: date,
    amount: Decimal,
    file: Any,
    actor: User,
    clock: Clock | None = None,
) -> Contract:
    """The owner records the signed contract (≤ 30 日 after the letter, 法 第46条)."""
    access_lot(actor, lot.pk, purpose=EDIT)
    amount = money(amount, "amount")
    if not isinstance(signed_on, date) or isinstance(signed_on, datetime):
        raise ValidationError({"signed_on": _("请填写签订日期。")}, code="signed_on")
    check_pdf(file)
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        now = clock()
        tender = _tender(lot)
        if lot.status != LotStatus.AWARDED or Contract.objects.filter(lot=lot).exists():
            raise ValidationError(
                _("标段当前状态为“%(s)s”，不能登记合同。") % {"s": lot.get_status_display()},
                code="not_awarded",
            )
        award = Award.objects.get(lot=lot)
        if signed_on > shanghai_day(now):
            raise ValidationError({"signed_on": _("签订日期不能晚于今天。")}, code="future")
        if signed_on < shanghai_day(award.letter_issued_at):
            raise ValidationError(
                {"signed_on": _("签订日期不能早于中标通知书发出日期。")}, code="early"
            )
        document = document_store(
            tender=tender,
            kind=DocumentKind.CONTRACT,
            title=_("合同 %(code)s") % {"code": lot.code},
            file=file,
            actor=actor,
            now=now,
            lot=lot,
        )
        report = lot_report_document(lot)
        contract = Contract.objects.create(
            lot=lot,
            signed_on=signed_on,
            amount=amount,
            document=document,
            recorded_by=actor,
            recorded_at=now,
            report=report,
            report_filed_at=report.uploaded_at if report is not None else None,
        )
        changes = _close_if_complete(lot, tender, contract=contract, report=report, now=now)
        lot.save(update_fields=_LOT_FIELDS)
        contract_due = _bound_after(
            tender, award.letter_issued_at, "award_letter", "contract", default_days=30
        )
        if report is None:
            notify(
                owner_side_users(tender.project),
                kind="award.report_due",
                title=_("请提交书面报告：%(code)s") % {"code": lot.code},
                now=now,
            )
        ledger(
            tender,
            action="contract.recorded",
            actor=actor,
            obj=lot,
            payload={
                "contract": contract.pk,
                "signed_on": signed_on.isoformat(),
                "amount": str(amount),
                "sha256": document.sha256,
                "on_time": now <= contract_due,
            },
            now=now,
        )
        for action, change in changes:
            ledger(tender, action=action, actor=actor, obj=lot, payload=change, now=now)
    return contract


def report_file(*, lot: Lot, file: Any, actor: User, clock: Clock | None = None) -> TenderDocument:
    """The owner files the written report to the regulator (≤ 15 日 after the award, 法 第47条)."""
    access_lot(actor, lot.pk, purpose=EDIT)
    check_pdf(file)
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        now = clock()
        tender = _tender(lot)
        if lot.status not in (LotStatus.AWARDED, LotStatus.CONTRACTED) or lot_report_document(lot):
            raise ValidationError(
                _("标段当前状态为“%(s)s”，不能提交书面报告。") % {"s": lot.get_status_display()},
                code="not_awarded",
            )
        award = Award.objects.get(lot=lot)
        document = document_store(
            tender=tender,
            kind=DocumentKind.REPORT,
            title=_("招标投标情况书面报告 %(code)s") % {"code": lot.code},
            file=file,
            actor=actor,
            now=now,
            lot=lot,
        )
        contract = Contract.objects.select_for_update().filter(lot=lot).first()
        if contract is not None:
            contract.report = document
            contract.report_filed_at = now
            contract.save(update_fields=["report", "report_filed_at"])
        changes = _close_if_complete(lot, tender, contract=contract, report=document, now=now)
        lot.save(update_fields=_LOT_FIELDS)
        report_due = _bound_after(
            tender, award.confirmed_at, "award_letter", "report", default_days=15
        )
        ledger(
            tender,
            action="report.filed",
            actor=actor,
            obj=lot,
            payload={
                "document": document.pk,
                "sha256": document.sha256,
                "on_time": now <= report_due,
            },
            now=now,
        )
        for action, change in changes:
            ledger(tender, action=action, actor=actor, obj=lot, payload=change, now=now)
    return document


# --- the chronograph ------------------------------------------------------------------------

_TIMED = {"opens_at": LotEvent.OPEN_BIDDING, "closes_at": LotEvent.CLOSE_BIDDING}


def lots_due(now: datetime) -> QuerySet[Lot]:
    """Lots whose next timed event is due and that no hold suspends."""
    return Lot.objects.filter(next_check__lte=now, suspended_at__isnull=True)


def lot_advance(lot: Lot, now: datetime) -> None:
    """Fire every timed event due by `now`, each with its ledger entry, in order (invariant 2).

    Runs with the lot claimed by the chronograph; a tick an hour late still gives one transition
    per event. The tender is read, never locked: the lot's lock is all a timed event needs, and
    taking the tender after the lot would invert the lock order.
    """
    tender = _tender(lot)
    changes: list[tuple[str, dict[str, Any]]] = []
    while lot.suspended_at is None:
        field = TIMED_EVENTS.get(LotStatus(lot.status))
        due_at: datetime | None = getattr(lot, field) if field else None
        if field is None or due_at is None or due_at > now:
            break
        event = _TIMED[field]
        change = apply_transition(
            lot, tender, event, now=now, payload={"due_at": due_at.isoformat()}
        )
        changes.append((f"lot.{event.value}", change))
    publicity_over = (
        lot.status == LotStatus.PUBLICITY
        and lot.publicity_ends_at is not None
        and lot.publicity_ends_at <= now
    )
    lot.next_check = lot_next_check(lot)
    if publicity_over or (lot.next_check is not None and lot.next_check <= now):
        # Nothing further fires by itself: the owner acts next (the award), so stop checking.
        lot.next_check = None
    lot.save(update_fields=_LOT_FIELDS)
    if changes and lot.status == LotStatus.OPENING:
        notify(
            desk_staff_list(tender.desk),
            kind="lot.opening",
            title=_("投标截止，请组织开标：%(code)s") % {"code": lot.code},
            now=now,
        )
    if publicity_over:
        notify(
            owner_side_users(tender.project),
            kind="lot.publicity_ended",
            title=_("公示期满，请确认中标人：%(code)s") % {"code": lot.code},
            now=now,
        )
    for action, change in changes:
        ledger(tender, action=action, actor=None, obj=lot, payload=change, now=now)
    if publicity_over:
        ledger(
            tender,
            action="lot.publicity_ended",
            actor=None,
            obj=lot,
            payload={"publicity_ends_at": lot.publicity_ends_at.isoformat()},  # type: ignore[union-attr]
            now=now,
        )


LOTS = DueWork(name="trading.lots", due=lots_due, advance=lot_advance, batch_size=100)
