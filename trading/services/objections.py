"""Objections (异议/质疑): a bidder's challenge to the owner, which holds the lot until answered.

实施条例 第22条 (documents, ≥ 10 日 before the deadline), 第44条 (the opening, answered on the
spot) and 第54条 (the candidates, during publicity); the answer is due by the tender's rule row.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.domain.employer import OrganisationKind
from trading.domain.lifecycle import LotEvent, LotStatus
from trading.domain.timeline import format_moment
from trading.lock_objects import lock_active_holds, lock_lot, lock_objection
from trading.models import Lot, Objection, User
from trading.models.tenders import HoldReason, ObjectionStage
from trading.selectors.access import Purpose, access_lot, owner_side_users
from trading.selectors.timeline import closing_point, tender_rulebook
from trading.services.common import ledger, lot_tender, notify
from trading.services.holds import hold_add, hold_release, lot_stakeholders
from trading.services.lot_state import lot_require
from trading.services.procedures import prequalification_check
from trading.services.reevaluation import ReevaluationOrder, lot_reevaluate_locked
from trading.translatable import Message

__all__ = ["objection_answer", "objection_raise"]


_OBJECTION_STATUS = {
    # A prequalification's documents are objected to while it takes applications (第22条).
    ObjectionStage.DOCUMENTS: (LotStatus.PUBLISHED, LotStatus.BIDDING, LotStatus.PREQUALIFICATION),
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
        tender = lot_tender(lot)
        if stage == ObjectionStage.DOCUMENTS and lot.status == LotStatus.PREQUALIFICATION:
            prequalification_check(tender, lot, "objection_documents", now)
        elif stage == ObjectionStage.DOCUMENTS and lot.closes_at is not None:
            # 实施条例 第22条: at least 10 days before the deadline (by the tender's rule row).
            book = tender_rulebook(tender, now=now)
            keys = {rule.key for rule in book.between("objection_documents", closing_point(tender))}
            points = {"objection_documents": now, closing_point(tender): lot.closes_at}
            late = [violation for violation in book.check(points) if violation.rule_key in keys]
            if late:
                raise ValidationError(
                    _("对招标文件的异议应在投标截止时间10日前提出（%(a)s）。")
                    % {"a": late[0].article},
                    code="late",
                )
        if stage == ObjectionStage.RESULT and lot.publicity_ends_at and now > lot.publicity_ends_at:
            raise ValidationError(_("公示期已结束，不能再对评标结果提出异议。"), code="late")
        answer_due = tender_rulebook(tender, now=now).period_end(
            now, _OBJECTION_POINT[ObjectionStage(stage)], "objection_answer"
        )
        hold, suspended = hold_add(
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
            title=Message(
                gettext_noop("收到异议，请于 %(due)s 前答复：%(code)s"),
                due=format_moment(answer_due),
                code=lot.code,
            ),
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


def objection_answer(
    *,
    objection: Objection,
    answer: str,
    actor: User,
    upheld: bool = False,
    clock: Clock | None = None,
) -> Objection:
    """The owner answers an objection; its hold is lifted (实施条例 第22、54条).

    An objection to the result that the owner upholds sends the lot back to evaluation (第54条).
    """
    access_lot(actor, objection.lot_id, purpose=Purpose.EDIT)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写答复内容。")}, code="answer")
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(objection.lot_id)
        holds = {row.pk: row for row in lock_active_holds(lot.pk)}
        objection = lock_objection(objection.pk)
        now = clock()
        if objection.answered_at is not None:
            raise ValidationError(_("该异议已答复。"), code="answered")
        tender = lot_tender(lot)
        reevaluate = upheld and objection.stage == ObjectionStage.RESULT
        if reevaluate:
            lot_require(lot, tender, LotEvent.REEVALUATE)
        objection.answer = answer
        objection.answered_by = actor
        objection.answered_at = now
        objection.upheld = upheld
        objection.save(update_fields=["answer", "answered_by", "answered_at", "upheld"])
        resumed = None
        if objection.hold_id in holds:
            resumed = hold_release(lot, tender, holds[objection.hold_id], actor=actor, now=now)
        notify(
            [objection.raised_by_user],
            kind="objection.answered",
            title=Message(gettext_noop("您的异议已答复：%(code)s"), code=lot.code),
            body=answer[:200],
            now=now,
        )
        if resumed is not None:
            notify(
                lot_stakeholders(tender),
                kind="lot.resumed",
                title=Message(gettext_noop("标段已恢复：%(code)s"), code=lot.code),
                now=now,
            )
        ledger(
            tender,
            action="objection.answered",
            actor=actor,
            obj=lot,
            payload={
                "objection": objection.pk,
                "on_time": now <= objection.answer_due,
                "upheld": upheld,
            },
            now=now,
        )
        if resumed is not None:
            ledger(tender, action="lot.resumed", actor=actor, obj=lot, payload=resumed, now=now)
        if reevaluate:
            lot_reevaluate_locked(
                lot,
                tender,
                reason=answer,
                ordered_by=ReevaluationOrder.OBJECTION,
                actor=actor,
                now=now,
                extra={"objection": objection.pk},
            )
    return objection
