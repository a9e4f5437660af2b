"""How a lot ends other than by a contract: every bid rejected, or the winner who will not sign.

招标投标法 第42条 and 政府采购法 第36条: the committee rejects every bid and the lot fails (废标),
recorded by the desk with the committee's report and its reason; a failure notice follows.
实施条例 第55条: the winner declines (or does not sign, or gives no performance security): the
owner awards the next candidate in the committee's order, or tenders again; the winner's deposit
is forfeit without a good reason (第74条), announced to the deposits as `deposit.forfeiture_due`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.domain.lifecycle import LotEvent, LotStatus, next_candidate_rank
from trading.events import event_emit
from trading.lock_objects import lock_lot
from trading.models import Award, Candidate, Contract, Lot, User
from trading.models.tenders import DocumentKind
from trading.selectors.access import Purpose, access_lot, desk_staff_list, owner_side_users
from trading.selectors.terms import tender_terms
from trading.services.common import fixed_clock, lot_tender, notify, record_text
from trading.services.documents import check_pdf, document_store
from trading.services.lot_state import lot_require, lot_transition
from trading.translatable import Message, Word

__all__ = ["AFTER_DECLINE", "award_decline", "lot_reject_all"]

# What the owner does once the winner declines (实施条例 第55条).
AFTER_DECLINE = ("next", "retender")


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message}, code="reason")
    return reason


def lot_reject_all(
    *, lot: Lot, reason: str, report_file: Any, actor: User, clock: Clock | None = None
) -> Lot:
    """Every bid rejected: the lot fails (招标投标法 第42条; 政府采购法 第36条 废标)."""
    access_lot(actor, lot.pk, purpose=Purpose.OPERATE)
    reason = _reason(reason, _("请填写否决全部投标的理由。"))
    check_pdf(report_file, "report_file")
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        if lot.suspended_at is not None:
            raise ValidationError(_("标段暂停中，不能记录评标结果。"), code="suspended")
        now = clock()
        tender = lot_tender(lot)
        lot_require(lot, tender, LotEvent.ALL_REJECTED)
        document = document_store(
            tender=tender,
            kind=DocumentKind.EVALUATION_REPORT,
            title=record_text(gettext_noop("评标报告（否决全部投标）%(code)s"), code=lot.code),
            file=report_file,
            actor=actor,
            now=now,
            lot=lot,
        )
        lot.failure_reason = reason
        lot.evaluation_reported_at = now
        event_emit(
            kind="lot.failed",
            subject=f"lot:{lot.pk}",
            payload={"lot": lot.pk, "tender": tender.pk, "all_rejected": True, "reason": reason},
            clock=fixed_clock(now),
        )
        notify(
            owner_side_users(tender.project),
            kind="lot.failed",
            title=Message(gettext_noop("流标：%(code)s 全部投标被否决"), code=lot.code),
            body=Message(
                gettext_noop("%(reason)s 请依法重新招标（实施条例 第44条）。"), reason=reason
            ),
            now=now,
        )
        lot_transition(
            lot,
            tender,
            LotEvent.ALL_REJECTED,
            actor=actor,
            now=now,
            payload={"reason": reason, "report": document.pk, "sha256": document.sha256},
            fields=("failure_reason", "evaluation_reported_at"),
        )
    return lot


def _standing_candidates(lot: Lot) -> list[Candidate]:
    return list(lot.candidates.filter(superseded_at__isnull=True).order_by("rank"))


def award_next_candidate(lot: Lot) -> Candidate | None:
    """The candidate the owner would award next if the winner declined (实施条例 第55条)."""
    candidates = _standing_candidates(lot)
    awarded = set(Award.objects.filter(lot=lot).values_list("candidate_id", flat=True))
    rank = next_candidate_rank(
        [c.rank for c in candidates], [c.rank for c in candidates if c.pk in awarded]
    )
    return next((c for c in candidates if c.rank == rank), None)


def award_decline(
    *,
    lot: Lot,
    reason: str,
    then: str,
    forfeit_deposit: bool = True,
    actor: User,
    clock: Clock | None = None,
) -> Award | None:
    """The winner declines or does not sign: the next candidate in order, or a re-tender (第55条).

    Returns the new award, or None when the lot failed to be tendered again.
    """
    access_lot(actor, lot.pk, purpose=Purpose.EDIT)
    reason = _reason(reason, _("请填写中标人放弃中标或不签订合同的情形。"))
    if then not in AFTER_DECLINE:
        raise ValidationError({"then": _("请选择后续处理方式。")}, code="then")
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        now = clock()
        tender = lot_tender(lot)
        terms = tender_terms(tender)
        declined = Award.objects.filter(lot=lot, declined_at__isnull=True).first()
        if (
            lot.status != LotStatus.AWARDED
            or declined is None
            or Contract.objects.filter(lot=lot).exists()
        ):
            raise ValidationError(
                _("标段当前状态为“%(s)s”，不能登记中标人放弃中标。")
                % {"s": lot.get_status_display()},
                code="not_awarded",
            )
        if declined.letter_issued_at is None:
            raise ValidationError(
                _("中标通知书尚未发出；发出后中标人放弃中标或不签订合同的，方可登记。"),
                code="letter_not_issued",
            )
        event = LotEvent.NEXT_CANDIDATE if then == "next" else LotEvent.WINNER_DECLINED
        lot_require(lot, tender, event)
        following = award_next_candidate(lot) if then == "next" else None
        if then == "next" and following is None:
            raise ValidationError(
                {"then": _("没有排序在后的中标候选人，只能重新招标（实施条例 第55条）。")},
                code="no_next_candidate",
            )
        declined.declined_at = now
        declined.decline_reason = reason
        declined.declined_by = actor
        declined.deposit_forfeited = forfeit_deposit
        declined.save(
            update_fields=["declined_at", "decline_reason", "declined_by", "deposit_forfeited"]
        )
        if forfeit_deposit:
            # No money moves here: the deposits keep the ledger of what is paid back or kept.
            event_emit(
                kind="deposit.forfeiture_due",
                subject=f"lot:{lot.pk}",
                payload={
                    "lot": lot.pk,
                    "tender": tender.pk,
                    "organisation": declined.organisation_id,
                    "award": declined.pk,
                    "reason": reason,
                },
                clock=fixed_clock(now),
            )
        award = None
        payload: dict[str, Any] = {
            "declined": declined.pk,
            "organisation": declined.organisation_id,
            "reason": reason,
            "forfeit_deposit": forfeit_deposit,
        }
        if following is not None:
            award = Award.objects.create(
                lot=lot,
                candidate=following,
                organisation=following.organisation,
                name=following.name,
                uscc=following.uscc,
                price=following.price,
                confirmed_by=actor,
                confirmed_at=now,
                reason=record_text(
                    gettext_noop("排名在前的中标人放弃中标：%(reason)s"), reason=reason
                ),
            )
            # The notices draft the new result and the new letter from this event.
            event_emit(
                kind="lot.awarded",
                subject=f"lot:{lot.pk}",
                payload={"lot": lot.pk, "tender": tender.pk, "award": award.pk},
                clock=fixed_clock(now),
            )
            payload |= {"award": award.pk, "rank": following.rank, "price": str(award.price)}
            notify(
                owner_side_users(tender.project),
                kind="award.followup",
                title=Message(
                    gettext_noop(
                        "已依次确定第%(rank)s名为%(winner)s，%(letter)s待交易中心发出：%(code)s"
                    ),
                    rank=following.rank,
                    winner=Word(terms.winner),
                    letter=Word(terms.letter),
                    code=lot.code,
                ),
                now=now,
            )
        else:
            lot.failure_reason = record_text(
                gettext_noop("中标人放弃中标：%(reason)s"), reason=reason
            )
            event_emit(
                kind="lot.failed",
                subject=f"lot:{lot.pk}",
                payload={"lot": lot.pk, "tender": tender.pk, "declined": True, "reason": reason},
                clock=fixed_clock(now),
            )
            notify(
                [*owner_side_users(tender.project), *desk_staff_list(tender.desk)],
                kind="lot.failed",
                title=Message(
                    gettext_noop("%(winner)s放弃，重新交易：%(code)s"),
                    winner=Word(terms.winner),
                    code=lot.code,
                ),
                body=reason,
                now=now,
            )
        lot_transition(
            lot, tender, event, actor=actor, now=now, payload=payload, fields=("failure_reason",)
        )
    return award
