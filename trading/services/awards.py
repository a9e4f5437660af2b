"""After the publicity: the award (定标), its letter, the contract and the written report.

招标投标法 第45条: the owner confirms the winner and issues the award letter, which binds both
sides; the letter is issued when its PDF is published (notices emits `award.letter_published`),
and only then does the contract's period run (第46条: within 30 日). 第47条: the written report
to the regulator within 15 日 of the award.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.domain.amounts import format_amount
from trading.domain.lifecycle import LotEvent, LotStatus, award_blockers, award_must_go_to_first
from trading.domain.timeline import format_moment, local_date
from trading.events import event_emit
from trading.lock_objects import lock_active_holds, lock_contract_of_lot, lock_lot
from trading.models import Award, Candidate, Contract, Lot, Tender, TenderDocument, User
from trading.models.tenders import DocumentKind
from trading.selectors.access import Purpose, access_lot, desk_staff_list, owner_side_users
from trading.selectors.terms import article_note, tender_terms
from trading.selectors.timeline import award_deadlines, lot_report_document, tender_rulebook
from trading.services.common import fixed_clock, ledger, lot_tender, money, notify, record_text
from trading.services.documents import check_pdf, document_store
from trading.services.lot_state import lot_require, lot_transition
from trading.translatable import Message, Word

__all__ = ["award_confirm", "award_letter_issue", "contract_record", "report_file"]

DEVIATION_REASON_MAX = 2000

_BLOCKER_MESSAGES = {
    "not_in_publicity": "标段不在公示阶段，不能定标。",
    "publicity_running": "公示期尚未结束，不能定标（实施条例 第54条）。",
    "suspended": "标段暂停中（有未处理的异议、投诉或干预），不能定标。",
    "publicity_not_published": "公示尚未发布：公示期自公示发布之时起算，期满后方可定标"
    "（实施条例 第54条）。",
    "not_evaluated": "评审报告尚未提交，不能确定中标（成交）供应商（政府采购法实施条例 第43条）。",
}


def award_confirm(
    *,
    lot: Lot,
    candidate: Candidate,
    reason: str = "",
    actor: User,
    clock: Clock | None = None,
) -> Award:
    """The owner confirms the winner (法 第45条; the first candidate: 实施条例 第55条).

    The award letter is drafted from it and issued when the desk publishes it.
    """
    access_lot(actor, lot.pk, purpose=Purpose.EDIT)
    reason = (reason or "").strip()
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        active = lock_active_holds(lot.pk)
        now = clock()
        tender = lot_tender(lot)
        publicity = tender.procedure.candidate_publicity
        blockers = award_blockers(
            status=LotStatus(lot.status),
            now=now,
            publicity_ends_at=lot.publicity_ends_at,
            active_holds=len(active),
            candidate_publicity=publicity,
        )
        if not publicity and "not_evaluated" not in blockers:
            if lot.status == LotStatus.NEGOTIATION:
                recorded = lot.negotiations.filter(agreed=True, superseded_at__isnull=True).exists()
            else:
                recorded = lot.evaluation_reported_at is not None
            if not recorded:
                blockers.append("not_evaluated")
        if blockers:
            raise ValidationError(
                [_(_BLOCKER_MESSAGES.get(code, code)) for code in blockers], code="award_blocked"
            )
        candidate = Candidate.objects.filter(
            pk=candidate.pk, lot=lot, superseded_at__isnull=True
        ).first()  # type: ignore[assignment]
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
                message = (
                    _("未选排名第一的候选人，请说明理由。")
                    if publicity
                    # 第43条: in the report's order; a later one only when those before it drop out.
                    else _(
                        "应按评审报告推荐的顺序确定中标（成交）供应商；未选排名第一的，请说明理由"
                        "（政府采购法实施条例 第43条）。"
                    )
                )
                raise ValidationError({"reason": message}, code="reason")
        lot_require(lot, tender, LotEvent.AWARD)
        award = Award.objects.create(
            lot=lot,
            candidate=candidate,
            organisation=candidate.organisation,
            name=candidate.name,
            uscc=candidate.uscc,
            price=candidate.price,
            confirmed_by=actor,
            confirmed_at=now,
            reason=reason,
        )
        event_emit(
            kind="lot.awarded",
            subject=f"lot:{lot.pk}",
            payload={"lot": lot.pk, "tender": tender.pk, "award": award.pk},
            clock=fixed_clock(now),
        )
        book = tender_rulebook(tender, now=now)
        report_due = award_deadlines(award, book).report
        terms = tender_terms(tender)
        notify(
            owner_side_users(project),
            kind="award.followup",
            title=Message(
                gettext_noop("%(award)s，%(letter)s待交易中心发出：%(code)s"),
                award=Word(terms.award),
                letter=Word(terms.letter),
                code=lot.code,
            ),
            body=(
                Message(
                    gettext_noop(
                        "%(letter)s发出后签订合同%(c)s；书面报告应于 %(r)s 前提交%(ra)s。"
                    ),
                    letter=Word(terms.letter),
                    c=article_note(book.article("contract")),
                    r=format_moment(report_due),
                    ra=article_note(book.article("report")),
                )
                if report_due is not None
                # No report due from the award: none at all, or counted from the contract.
                else Message(
                    gettext_noop("%(letter)s发出后签订合同%(c)s。"),
                    letter=Word(terms.letter),
                    c=article_note(book.article("contract")),
                )
            ),
            now=now,
        )
        lot_transition(
            lot,
            tender,
            LotEvent.AWARD,
            actor=actor,
            now=now,
            payload={
                "candidate": candidate.pk,
                "rank": candidate.rank,
                "award": award.pk,
                "price": str(award.price),
                "reason": reason,
            },
        )
    return award


def award_letter_issue(
    *, lot_id: int, issued_at: datetime, verification_code: str, clock: Clock | None = None
) -> Award | None:
    """The letter's PDF is published: it is issued now, and the contract's 30 日 start (法 第46条).

    Idempotent (the outbox delivers at least once): a letter already issued stays as it was.
    """
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot_id)
        award = Award.objects.filter(lot=lot, declined_at__isnull=True).first()
        now = clock()
        if award is None or award.letter_issued_at is not None:
            return award
        award.letter_issued_at = issued_at
        award.save(update_fields=["letter_issued_at"])
        tender = lot_tender(lot)
        book = tender_rulebook(tender, now=now)
        due = award_deadlines(award, book)
        notify(
            owner_side_users(tender.project),
            kind="award.letter_issued",
            title=Message(
                gettext_noop("%(letter)s已发出，请签订合同：%(code)s"),
                letter=Word(tender_terms(tender).letter),
                code=lot.code,
            ),
            body=(
                Message(
                    gettext_noop("合同应于 %(c)s 前签订%(ca)s，书面报告应于 %(r)s 前提交%(ra)s。"),
                    c=format_moment(due.contract or issued_at),
                    ca=article_note(book.article("contract")),
                    r=format_moment(due.report),
                    ra=article_note(book.article("report")),
                )
                if due.report is not None
                else Message(
                    gettext_noop("合同应于 %(c)s 前签订%(ca)s。"),
                    c=format_moment(due.contract or issued_at),
                    ca=article_note(book.article("contract")),
                )
            ),
            now=now,
        )
        ledger(
            tender,
            action="award.letter_issued",
            actor=None,
            obj=lot,
            payload={
                "award": award.pk,
                "issued_at": issued_at.isoformat(),
                "verification_code": verification_code,
            },
            now=now,
        )
    return award


def _complete(
    lot: Lot,
    tender: Tender,
    *,
    contract: Contract | None,
    report: TenderDocument | None,
    actor: User,
    now: datetime,
) -> None:
    """Contract recorded → CONTRACTED; contract and report both in → CLOSED (法 第46、47条)."""
    if contract is not None and lot.status == LotStatus.AWARDED:
        lot_transition(lot, tender, LotEvent.CONTRACT, actor=actor, now=now)
    if contract is not None and report is not None and lot.status == LotStatus.CONTRACTED:
        lot_transition(lot, tender, LotEvent.CLOSE, actor=actor, now=now)


def contract_record(
    *,
    lot: Lot,
    signed_on: date,
    amount: Decimal,
    file: Any,
    actor: User,
    deviation_reason: str = "",
    clock: Clock | None = None,
) -> Contract:
    """The owner records the signed contract (≤ 30 日 after the letter, 法 第46条).

    A contract departing from the award (its amount) is refused without the owner's reason
    (第46条: 不得再行订立背离合同实质性内容的其他协议); the reason is kept and shown.
    """
    access_lot(actor, lot.pk, purpose=Purpose.EDIT)
    amount = money(amount, "amount")
    deviation_reason = (deviation_reason or "").strip()
    if len(deviation_reason) > DEVIATION_REASON_MAX:
        raise ValidationError(
            {"deviation_reason": _("理由不能超过2000字。")}, code="deviation_reason"
        )
    if not isinstance(signed_on, date) or isinstance(signed_on, datetime):
        raise ValidationError({"signed_on": _("请填写签订日期。")}, code="signed_on")
    check_pdf(file)
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        now = clock()
        tender = lot_tender(lot)
        if lot.status != LotStatus.AWARDED or Contract.objects.filter(lot=lot).exists():
            raise ValidationError(
                _("标段当前状态为“%(s)s”，不能登记合同。") % {"s": lot.get_status_display()},
                code="not_awarded",
            )
        award = Award.objects.get(lot=lot, declined_at__isnull=True)
        terms = tender_terms(tender)
        words = {
            "letter": _(terms.letter),
            "winner": _(terms.winner),
            "price": _(terms.price),
            "article": _(terms.contract_article),
        }
        if award.letter_issued_at is None:
            raise ValidationError(
                _("%(letter)s尚未发出，合同应在其发出后签订（%(article)s）。") % words,
                code="letter_not_issued",
            )
        deviates = amount != award.price
        if deviates and not deviation_reason:
            raise ValidationError(
                {
                    "deviation_reason": _(
                        "合同金额 %(amount)s 元与%(price)s %(award)s 元不一致："
                        "应按照交易文件和%(winner)s的响应文件订立合同，"
                        "确需不同的，请说明理由（%(article)s）。"
                    )
                    % {
                        **words,
                        "amount": format_amount(amount),
                        "award": format_amount(award.price),
                    }
                },
                code="deviates",
            )
        if signed_on > local_date(now):
            raise ValidationError({"signed_on": _("签订日期不能晚于今天。")}, code="future")
        if signed_on < local_date(award.letter_issued_at):
            raise ValidationError(
                {"signed_on": _("签订日期不能早于%(letter)s发出日期。") % words}, code="early"
            )
        document = document_store(
            tender=tender,
            kind=DocumentKind.CONTRACT,
            title=record_text(gettext_noop("合同 %(code)s"), code=lot.code),
            file=file,
            actor=actor,
            now=now,
            lot=lot,
        )
        report = lot_report_document(lot)
        if deviates:
            notify(
                desk_staff_list(tender.desk),
                kind="contract.deviates",
                title=Message(gettext_noop("合同与中标结果不一致：%(code)s"), code=lot.code),
                body=deviation_reason,
                now=now,
            )
        contract = Contract.objects.create(
            lot=lot,
            signed_on=signed_on,
            amount=amount,
            document=document,
            recorded_by=actor,
            recorded_at=now,
            report=report,
            report_filed_at=report.uploaded_at if report is not None else None,
            deviates=deviates,
            deviation_reason=deviation_reason if deviates else "",
        )
        contract_due = award_deadlines(award, tender_rulebook(tender, now=now)).contract
        if report is None:
            notify(
                owner_side_users(tender.project),
                kind="award.report_due",
                title=Message(gettext_noop("请提交书面报告：%(code)s"), code=lot.code),
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
                "on_time": contract_due is not None and now <= contract_due,
                "deviates": deviates,
                "award_price": str(award.price),
                "deviation_reason": contract.deviation_reason,
            },
            now=now,
        )
        _complete(lot, tender, contract=contract, report=report, actor=actor, now=now)
    return contract


def report_file(*, lot: Lot, file: Any, actor: User, clock: Clock | None = None) -> TenderDocument:
    """The owner files the written report to the regulator (≤ 15 日 after the award, 法 第47条)."""
    access_lot(actor, lot.pk, purpose=Purpose.EDIT)
    check_pdf(file)
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        now = clock()
        tender = lot_tender(lot)
        if lot.status not in (LotStatus.AWARDED, LotStatus.CONTRACTED) or lot_report_document(lot):
            raise ValidationError(
                _("标段当前状态为“%(s)s”，不能提交书面报告。") % {"s": lot.get_status_display()},
                code="not_awarded",
            )
        award = Award.objects.get(lot=lot, declined_at__isnull=True)
        contract = lock_contract_of_lot(lot.pk)
        document = document_store(
            tender=tender,
            kind=DocumentKind.REPORT,
            title=record_text(gettext_noop("招标投标情况书面报告 %(code)s"), code=lot.code),
            file=file,
            actor=actor,
            now=now,
            lot=lot,
        )
        if contract is not None:
            contract.report = document
            contract.report_filed_at = now
            contract.save(update_fields=["report", "report_filed_at"])
        report_due = award_deadlines(
            award,
            tender_rulebook(tender, now=now),
            contract_signed_on=contract.signed_on if contract is not None else None,
        ).report
        ledger(
            tender,
            action="report.filed",
            actor=actor,
            obj=lot,
            payload={
                "document": document.pk,
                "sha256": document.sha256,
                "on_time": report_due is None or now <= report_due,
            },
            now=now,
        )
        _complete(lot, tender, contract=contract, report=document, actor=actor, now=now)
    return document
