"""What the opening, the auction and the evaluation produce: the API bidding calls.

`lot_record_bid_count` (the opening), `lot_record_auction_result` (a listing or auction) and
`lot_record_evaluation` (the committee's ranked candidates) move the lot by its table; until
bidding runs them itself, desk staff record them from the lot page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trading.clock import Clock, get_clock
from trading.domain.employer import OrganisationKind
from trading.domain.lifecycle import LotEvent, bids_outcome
from trading.events import event_emit
from trading.lock_objects import lock_lot
from trading.models import Candidate, Lot, Organisation, Tender, User
from trading.models.tenders import DocumentKind
from trading.selectors.access import Purpose, access_lot, owner_side_users
from trading.selectors.timeline import tender_rulebook
from trading.services.common import fixed_clock, lot_tender, money, notify
from trading.services.documents import check_pdf, document_store
from trading.services.lot_state import lot_require, lot_transition

__all__ = [
    "CandidateInput",
    "lot_record_auction_result",
    "lot_record_bid_count",
    "lot_record_evaluation",
]


def _locked_running(lot: Lot, refusal: str) -> Lot:
    locked = lock_lot(lot.pk)
    if locked.suspended_at is not None:
        raise ValidationError(refusal, code="suspended")
    return locked


def lot_record_bid_count(*, lot: Lot, count: int, actor: User, clock: Clock | None = None) -> Lot:
    """Record the valid bids at the opening; too few fail the lot (流标, 实施条例 第44条)."""
    access_lot(actor, lot.pk, purpose=Purpose.OPERATE)
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
                title=_("流标：%(code)s 有效投标不足 %(n)s 家")
                % {"code": lot.code, "n": tender.procedure.min_bids},
                body=_("请依法重新招标（实施条例 第44条）。"),
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


def _bidder(organisation: Organisation, field: str) -> None:
    if organisation.kind != OrganisationKind.BIDDER or not organisation.is_verified:
        raise ValidationError({field: _("须为已核验的投标人。")}, code="not_bidder")


def _start_publicity(lot: Lot, tender: Tender, now: datetime) -> None:
    """The result is publicised for the tender's period (实施条例 第54条: ≥ 3 日)."""
    lot.publicity_starts_at = now
    lot.publicity_ends_at = tender_rulebook(tender, now=now).period_end(
        now, "publicity_start", "publicity_end"
    )


_PUBLICITY_FIELDS = ("publicity_starts_at", "publicity_ends_at")


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
    access_lot(actor, lot.pk, purpose=Purpose.OPERATE)
    if sold:
        if winner is None:
            raise ValidationError({"winner": _("请选择竞得人。")}, code="winner")
        _bidder(winner, "winner")
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
            if price < lot.estimate:
                raise ValidationError({"price": _("成交价不得低于起始价。")}, code="below_start")
            Candidate.objects.create(
                lot=lot,
                rank=1,
                organisation=winner,
                name=winner.name,
                uscc=winner.uscc,
                price=price,
            )
            _start_publicity(lot, tender, now)
            payload["publicity_ends_at"] = lot.publicity_ends_at.isoformat()  # type: ignore[union-attr]
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
            title=(_("竞价成交：%(code)s") if sold else _("流拍：%(code)s")) % {"code": lot.code},
            now=now,
        )
        lot_transition(
            lot, tender, event, actor=actor, now=now, payload=payload, fields=_PUBLICITY_FIELDS
        )
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
    access_lot(actor, lot.pk, purpose=Purpose.OPERATE)
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
        lot = _locked_running(lot, _("标段暂停中，不能记录评标结果。"))
        now = clock()
        tender = lot_tender(lot)
        lot_require(lot, tender, LotEvent.EVALUATION_REPORTED)
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
        publicity_ends_at = lot.publicity_ends_at.isoformat()  # type: ignore[union-attr]
        event_emit(
            kind="lot.candidates_published",
            subject=f"lot:{lot.pk}",
            payload={"lot": lot.pk, "tender": tender.pk, "publicity_ends_at": publicity_ends_at},
            clock=fixed_clock(now),
        )
        notify(
            owner_side_users(tender.project),
            kind="lot.evaluated",
            title=_("评标结果已公示：%(code)s") % {"code": lot.code},
            now=now,
        )
        lot_transition(
            lot,
            tender,
            LotEvent.EVALUATION_REPORTED,
            actor=actor,
            now=now,
            payload={
                "report": document.pk,
                "sha256": document.sha256,
                "candidates": organisations,
                "publicity_ends_at": publicity_ends_at,
            },
            fields=("evaluation_reported_at", *_PUBLICITY_FIELDS),
        )
    return lot
