"""What the opening, the auction and the evaluation produce: the API bidding calls.

`lot_record_bid_count` (the opening), `lot_record_auction_result` (a listing or auction) and
`lot_record_evaluation` (the committee's ranked candidates) move the lot by its table; until
bidding runs them itself, desk staff record them from the lot page.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.domain.committee import committee_is_lawful, committee_members
from trading.domain.lifecycle import LotEvent, LotStatus, bids_outcome
from trading.domain.timeline import format_moment
from trading.events import event_emit
from trading.lock_objects import lock_lot
from trading.models import Candidate, Lot, Organisation, User
from trading.models.tenders import DocumentKind
from trading.openings import lot_auction_run_by_platform, lot_bids_counted_by_platform
from trading.participants import lot_participant_require
from trading.selectors.access import Purpose, access_lot, owner_side_users
from trading.selectors.terms import tender_terms
from trading.selectors.timeline import tender_rulebook
from trading.services.common import fixed_clock, ledger, lot_tender, money, notify, record_text
from trading.services.documents import check_pdf, document_store
from trading.services.lot_state import lot_require, lot_transition
from trading.translatable import Message, Word

__all__ = [
    "CandidateInput",
    "lot_record_auction_result",
    "lot_record_bid_count",
    "lot_record_evaluation",
]


ARTICLE_43 = "政府采购法实施条例 第43条"
# Business types whose auctions buy (the price falls) rather than sell.
BUYING_BUSINESS_TYPES = frozenset({"procurement"})


def refuse_while_platform_auction(lot: Lot) -> None:
    """Staff may not type the result of an auction the platform is running (39号令 第15、20条)."""
    if lot_auction_run_by_platform(lot):
        raise ValidationError(
            _("本标段的网上竞价由平台进行，结果由竞价自动产生，不能手工录入。"),
            code="run_by_platform",
        )


def _locked_running(lot: Lot, refusal: str) -> Lot:
    locked = lock_lot(lot.pk)
    if locked.suspended_at is not None:
        raise ValidationError(refusal, code="suspended")
    return locked


def lot_record_bid_count(
    *, lot: Lot, count: int, actor: User | None, clock: Clock | None = None
) -> Lot:
    """Record the valid bids at the opening; too few fail the lot (流标, 实施条例 第44条).

    `actor` None is the platform's own opening (bidding counts the sealed bids it received);
    staff record the count only for a lot whose bids the platform did not take sealed.
    """
    if actor is not None:
        access_lot(actor, lot.pk, purpose=Purpose.OPERATE)
        if lot_bids_counted_by_platform(lot):
            raise ValidationError(
                {"count": _("本标段的投标文件由平台开标统计，不能手工登记投标数。")},
                code="counted_by_platform",
            )
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValidationError({"count": _("投标数须为非负整数。")}, code="count")
    clock = clock or get_clock()
    with transaction.atomic():
        lot = _locked_running(lot, _("标段暂停中，不能记录开标结果。"))
        now = clock()
        tender = lot_tender(lot)
        event = bids_outcome(count, tender.procedure.min_bids)
        lot_require(lot, tender, event)
        lot.bid_count = count
        if event == LotEvent.BIDS_INSUFFICIENT:
            event_emit(
                kind="lot.failed",
                subject=f"lot:{lot.pk}",
                payload={"lot": lot.pk, "tender": tender.pk, "bids": count},
                clock=fixed_clock(now),
            )
            notify(
                owner_side_users(tender.project),
                kind="lot.failed",
                title=Message(
                    gettext_noop("流标：%(code)s 有效投标不足 %(n)s 家"),
                    code=lot.code,
                    n=tender.procedure.min_bids,
                ),
                body=Message(gettext_noop("请依法重新招标（实施条例 第44条）。")),
                now=now,
            )
        lot_transition(
            lot,
            tender,
            event,
            actor=actor,
            now=now,
            payload={"bids": count, "min_bids": tender.procedure.min_bids},
            fields=("bid_count",),
        )
    return lot


def _bidder(lot: Lot, organisation: Organisation, field: str) -> None:
    # Candidates and winners come from the lot's enrolled bidders (招标投标法 第40条).
    lot_participant_require(lot, organisation, field)


def lot_record_auction_result(
    *,
    lot: Lot,
    sold: bool,
    winner: Organisation | None = None,
    price: Decimal | None = None,
    actor: User | None,
    clock: Clock | None = None,
) -> Lot:
    """Record the auction's outcome: sold (the result is publicised) or unsold (流拍).

    `actor` None is the platform's own auction closing (bidding ran it, nobody types a result).
    """
    if actor is not None:
        access_lot(actor, lot.pk, purpose=Purpose.OPERATE)
        refuse_while_platform_auction(lot)
    if sold:
        if winner is None:
            raise ValidationError({"winner": _("请选择竞得人。")}, code="winner")
        _bidder(lot, winner, "winner")
        price = money(price, "price")
    clock = clock or get_clock()
    with transaction.atomic():
        lot = _locked_running(lot, _("标段暂停中，不能记录竞价结果。"))
        now = clock()
        tender = lot_tender(lot)
        event = LotEvent.SOLD if sold else LotEvent.UNSOLD
        lot_require(lot, tender, event)
        payload: dict[str, Any] = {"price": str(price) if sold else None}
        if sold and winner is not None and price is not None:
            # A purchaser's reverse auction (反向竞价) buys at or below its budget; a sale
            # sells at or above its start price.
            if tender.project.business_type.code in BUYING_BUSINESS_TYPES:
                if price > lot.estimate:
                    raise ValidationError(
                        {"price": _("成交价不得高于采购预算。")}, code="above_budget"
                    )
            elif price < lot.estimate:
                raise ValidationError({"price": _("成交价不得低于起始价。")}, code="below_start")
            Candidate.objects.create(
                lot=lot,
                rank=1,
                organisation=winner,
                name=winner.name,
                uscc=winner.uscc,
                price=price,
            )
            # The result publicity runs from its notice's publication (trading.services.publicity).
            event_emit(
                kind="lot.sold",
                subject=f"lot:{lot.pk}",
                payload={"lot": lot.pk, "tender": tender.pk, "price": str(price)},
                clock=fixed_clock(now),
            )
        else:
            event_emit(
                kind="lot.failed",
                subject=f"lot:{lot.pk}",
                payload={"lot": lot.pk, "tender": tender.pk, "unsold": True},
                clock=fixed_clock(now),
            )
        notify(
            owner_side_users(tender.project),
            kind="lot.sold" if sold else "lot.failed",
            title=Message(
                gettext_noop("竞价成交：%(code)s") if sold else gettext_noop("流拍：%(code)s"),
                code=lot.code,
            ),
            now=now,
        )
        lot_transition(lot, tender, event, actor=actor, now=now, payload=payload)
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
    committee: list[str] | None = None,
    clock: Clock | None = None,
) -> Lot:
    """Staff record the ranked candidates (≤ 3, 实施条例 第53条); their publicity is drafted.

    The publicity runs from the notice's publication (第54条). Without candidate publicity
    (政府采购法实施条例 第43条) the lot stays in evaluation until the purchaser decides.
    """
    access_lot(actor, lot.pk, purpose=Purpose.OPERATE)
    if not 1 <= len(candidates) <= 3:
        raise ValidationError({"candidates": _("中标候选人应为1至3名。")}, code="candidates")
    organisations = [candidate.organisation.pk for candidate in candidates]
    if len(set(organisations)) != len(organisations):
        raise ValidationError({"candidates": _("同一投标人不能重复排名。")}, code="duplicate")
    prices = []
    for candidate in candidates:
        _bidder(lot, candidate.organisation, "candidates")
        prices.append(money(candidate.price, "candidates"))
        if candidate.score is not None and not (
            Decimal(0) <= Decimal(candidate.score) <= Decimal(1000)
        ):
            raise ValidationError({"candidates": _("得分不正确。")}, code="score")
    members = committee_members(committee or [])
    if members and not committee_is_lawful(members):
        raise ValidationError(
            {
                "committee": _(
                    "评标委员会成员应为三人以上单数且不重复"
                    "（工程五人以上单数，招标投标法 第37条）。"
                )
            },
            code="committee",
        )
    check_pdf(report_file, "report_file")
    clock = clock or get_clock()
    with transaction.atomic():
        lot = _locked_running(lot, _("标段暂停中，不能记录评标结果。"))
        now = clock()
        tender = lot_tender(lot)
        publicity = tender.procedure.candidate_publicity
        if publicity:
            lot_require(lot, tender, LotEvent.EVALUATION_REPORTED)
        elif lot.status != LotStatus.EVALUATION or lot.evaluation_reported_at is not None:
            raise ValidationError(
                _("标段当前状态为“%(status)s”，不能进行此操作。")
                % {"status": lot.get_status_display()},
                code="illegal_transition",
            )
        document = document_store(
            tender=tender,
            kind=DocumentKind.EVALUATION_REPORT,
            title=record_text(gettext_noop("评标报告 %(code)s"), code=lot.code),
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
        lot.evaluation_committee = "\n".join(members)
        payload = {"report": document.pk, "sha256": document.sha256, "candidates": organisations}
        if not publicity:
            lot.save(update_fields=["evaluation_reported_at", "evaluation_committee"])
            decide_by = tender_rulebook(tender, now=now).latest(
                now, "evaluation_report", "award_decision"
            )
            notify(
                owner_side_users(tender.project),
                kind="lot.evaluated",
                title=Message(
                    gettext_noop("评审报告已提交，请确定中标（成交）供应商：%(code)s"),
                    code=lot.code,
                ),
                body=Message(
                    gettext_noop("按评审报告推荐的顺序确定（%(a)s），期限 %(d)s。"),
                    a=ARTICLE_43,
                    d=format_moment(decide_by) if decide_by else "—",
                ),
                now=now,
            )
            ledger(
                tender,
                action="lot.evaluation_reported",
                actor=actor,
                obj=lot,
                payload=payload,
                now=now,
            )
            return lot
        event_emit(
            kind="lot.candidates_published",
            subject=f"lot:{lot.pk}",
            payload={"lot": lot.pk, "tender": tender.pk},
            clock=fixed_clock(now),
        )
        notify(
            owner_side_users(tender.project),
            kind="lot.evaluated",
            title=Message(
                gettext_noop("评审结果已登记，%(publicity)s待交易中心发布：%(code)s"),
                publicity=Word(tender_terms(tender).publicity),
                code=lot.code,
            ),
            now=now,
        )
        lot_transition(
            lot,
            tender,
            LotEvent.EVALUATION_REPORTED,
            actor=actor,
            now=now,
            payload=payload,
            fields=("evaluation_reported_at", "evaluation_committee"),
        )
    return lot
