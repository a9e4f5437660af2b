"""`notice.data` from the trading records: what a document prints, frozen when it is drafted.

Values are JSON-safe (Decimal → str, datetimes → ISO in Asia/Shanghai) so a re-render of a
published notice reads exactly what was published, whatever happened to the tender since.
The shape per kind is `notices.domain.documents.NOTICE_FIELDS`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bidding.models.auctions import Auction, AuctionBid
from notices.domain import documents as doc
from trading.models import (
    Award,
    Candidate,
    Lot,
    Organisation,
    Tender,
    TenderDocument,
)
from trading.selectors.timeline import FALLBACK_DAYS, tender_rulebook


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _lot(lot: Lot) -> dict[str, Any]:
    return {
        "id": lot.pk,
        "code": lot.code,
        "name": lot.name,
        "status": lot.status,
        "estimate": _money(lot.estimate),
        "deposit": _money(lot.deposit_amount),
        "increment": _money(lot.increment),
        "scope": lot.scope,
        "duration_days": lot.duration_days,
        "quality": lot.quality,
        "opens_at": _iso(lot.opens_at),
        "closes_at": _iso(lot.closes_at),
        "status_changed_at": _iso(lot.status_changed_at),
        "bid_count": lot.bid_count,
    }


def _common(tender: Tender) -> dict[str, Any]:
    project = tender.project
    owner: Organisation = project.owner
    agency: Organisation | None = project.agency
    return {
        "business_type": project.business_type.code,
        "business_type_name": project.business_type.name,
        "region_code": project.region.code,
        "region_name": project.region.name,
        "project_code": project.code,
        "project_name": project.name,
        "tender_code": tender.code,
        "tender_name": tender.name,
        "trade_id": tender.trade_id,
        "procedure_code": tender.procedure.code,
        "procedure_name": tender.procedure.name,
        "procedure_family": tender.procedure.family,
        "owner_name": owner.name,
        "owner_uscc": owner.uscc,
        "owner_phone": owner.contact_phone,
        "agency_name": agency.name if agency else "",
        "agency_phone": agency.contact_phone if agency else "",
        "funding_source": project.get_funding_source_display(),
        "training": project.training,
        "lots": [_lot(lot) for lot in tender.lots.order_by("code")],
    }


def _latest_document(tender: Tender, kind: str) -> TenderDocument | None:
    return tender.documents.filter(kind=kind).order_by("-version").first()


def _document(document: TenderDocument | None) -> dict[str, Any] | None:
    if document is None:
        return None
    return {
        "title": document.title,
        "version": document.version,
        "note": document.note,
        "affects_bids": document.affects_bids,
        "uploaded_at": _iso(document.uploaded_at),
        "sha256": document.sha256,
    }


def _candidate(candidate: Candidate) -> dict[str, Any]:
    return {
        "rank": candidate.rank,
        "name": candidate.name,
        "uscc": candidate.uscc,
        "price": _money(candidate.price),
        "score": _money(candidate.score),
        # A bid answers the lot's 工期 unless it promised its own; a 质量 of its own only when it
        # promised one (the lot's requirement is printed once, above the table).
        "duration_days": candidate.duration_days or candidate.lot.duration_days,
        "quality": candidate.quality,
        "project_manager": candidate.project_manager,
        "manager_certificate": candidate.manager_certificate,
    }


def _winner(lot: Lot) -> dict[str, Any]:
    """The award if the owner confirmed one; else the auction's rank-1 buyer (a listing sale)."""
    award = (
        Award.objects.filter(lot=lot, declined_at__isnull=True)
        .select_related("candidate", "organisation")
        .first()
    )
    candidate = (
        award.candidate
        if award is not None
        else lot.candidates.filter(superseded_at__isnull=True).order_by("rank").first()
    )
    source: Award | Candidate | None = award or candidate
    if source is None:
        return {}
    return {
        "winner_id": source.organisation_id,
        "winner_name": source.name,
        "winner_uscc": source.uscc,
        "winner_phone": source.organisation.contact_phone,
        "price": _money(source.price),
        "award_confirmed_at": _iso(award.confirmed_at if award else lot.status_changed_at),
        "letter_issued_at": _iso(award.letter_issued_at if award else None),
        "project_manager": candidate.project_manager if candidate else "",
        "manager_certificate": candidate.manager_certificate if candidate else "",
        "duration_days": (candidate.duration_days if candidate else None) or lot.duration_days,
        "quality": (candidate.quality if candidate else "") or lot.quality,
    }


def _auction(lot: Lot) -> dict[str, Any] | None:
    """The platform's live auction that decided the lot, once closed; None for any other lot."""
    auction = (
        Auction.objects.filter(lot=lot, closed_at__isnull=False).select_related("leader").first()
    )
    if auction is None:
        return None
    return {
        "kind": auction.kind,
        "direction": auction.direction,
        "start_price": _money(auction.start_price),
        "step": _money(auction.step),
        "bids": AuctionBid.objects.filter(auction=auction).count(),
        "price": _money(auction.price) if auction.sold else None,
        "winner_number": auction.leader.bidder_number if auction.sold and auction.leader else None,
        # The reserve is sealed until the close and revealed in the result (39号令 第14条).
        "reserve": _money(auction.reserve),
        "closed_at": _iso(auction.closed_at),
    }


def _publicity_length(tender: Tender) -> dict[str, Any]:
    """How long the publicity lasts from its publication, by the tender's rule row."""
    rules = [
        rule
        for rule in tender_rulebook(tender).between("publicity_start", "publicity_end")
        if rule.minimum is not None
    ]
    if not rules:
        return {"publicity_days": FALLBACK_DAYS["publicity_start", "publicity_end"]}
    rule = max(rules, key=lambda r: (r.unit == "workday", r.minimum))
    return {"publicity_days": int(rule.minimum or 0), "publicity_unit": rule.unit}


def notice_data_for(kind: str, tender: Tender, lot: Lot | None = None) -> dict[str, Any]:
    """The fields `kind` prints, read from the tender (and lot) as they are now."""
    data = _common(tender)
    if lot is not None:
        data["lot"] = _lot(lot)
    if kind == doc.ANNOUNCEMENT:
        data.update(
            price_form=tender.get_price_form_display(),
            deposit_form=tender.get_deposit_form_display(),
            documents_issued_at=_iso(tender.documents_issued_at),
            documents_sale_ends_at=_iso(tender.documents_sale_ends_at),
            clarification_deadline=_iso(tender.clarification_deadline),
        )
    elif kind == doc.AMENDMENT:
        data["document"] = _document(_latest_document(tender, "amendment"))
    elif kind == doc.CLARIFICATION:
        document = _latest_document(tender, "clarification")
        data["document"] = _document(document)
        # Who asked stays secret (招标投标法 第22条): the question and the answer only.
        questions: list[dict[str, str]] = []
        if document is not None:
            answer = document.note or f"见《{document.title}》第 {document.version} 版"
            questions = [
                {"question": q.text, "answer": answer}
                for q in tender.questions.filter(answered_in=document).order_by("asked_at", "pk")
            ]
        data["questions"] = questions
    elif kind == doc.CANDIDATES and lot is not None:
        data.update(
            candidates=[
                _candidate(c)
                for c in lot.candidates.filter(superseded_at__isnull=True)
                .select_related("lot")
                .order_by("rank")
            ],
            bid_count=lot.bid_count,
            evaluation_reported_at=_iso(lot.evaluation_reported_at),
            # Unknown until the notice is published: the period runs from then (实施条例 第54条).
            publicity_starts_at=_iso(lot.publicity_starts_at),
            publicity_ends_at=_iso(lot.publicity_ends_at),
            **_publicity_length(tender),
        )
    elif kind in (doc.RESULT, doc.DEAL, doc.AWARD_LETTER, doc.DEAL_CONFIRMATION) and lot:
        data.update(_winner(lot))
        if kind == doc.DEAL:
            data.update(_publicity_length(tender))
        if kind in (doc.DEAL, doc.DEAL_CONFIRMATION):
            data["auction"] = _auction(lot)
        # Named with the result (87号令 第69条), secret before it (招标投标法 第37条).
        data["experts"] = [n for n in lot.evaluation_committee.splitlines() if n.strip()]
        # 招标投标法 第46条, as the tender's rule row has it.
        data["contract_days"] = tender_rulebook(tender).maximum_days("award_letter", "contract")
    elif kind == doc.FAILURE and lot is not None:
        data.update(
            bid_count=lot.bid_count,
            min_bids=tender.procedure.min_bids,
            reason=lot.failure_reason,
            auction=_auction(lot),
        )
    elif kind == doc.TERMINATION and lot is not None:
        data["reason"] = lot.termination_reason
    return data


def tender_documents_data(tender: Tender) -> dict[str, Any]:
    """What the tender documents print: the tender, its lots, its procedure and its rule rows."""
    procedure = tender.procedure
    data = _common(tender)
    data.update(
        price_form=tender.get_price_form_display(),
        deposit_form=tender.get_deposit_form_display(),
        documents_issued_at=_iso(tender.documents_issued_at),
        documents_sale_ends_at=_iso(tender.documents_sale_ends_at),
        clarification_deadline=_iso(tender.clarification_deadline),
        min_bids=procedure.min_bids,
        evaluation=procedure.evaluation,
        live_auction=procedure.live_auction,
        # 招标投标法 第46条, as the tender's rule row has it.
        contract_days=tender_rulebook(tender).maximum_days("award_letter", "contract"),
    )
    return data
