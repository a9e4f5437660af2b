"""A lot's collusion signals for its regulator (实施条例 第40条), once its bids are read out."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from bidding.domain.collusion import BidFacts, Signal, collusion_signals
from bidding.domain.opening import offer_read_out
from bidding.models import BidOutcome, BidStatus, Opening, SealedBid
from trading.models import LedgerEntry, Lot
from trading.selectors.jurisdiction import sealed_scope_open
from trading.selectors.tenders import sealed_scope_key


def _price(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value is not None else None
    except InvalidOperation:
        return None


def _documents(features: dict[str, Any] | None) -> list[dict[str, Any]]:
    documents = (features or {}).get("documents") or []
    return [row for row in documents if isinstance(row, dict)]


def _commits(lot: Lot, bids: list[SealedBid]) -> dict[str, dict[str, Any]]:
    """Each standing bid's commit entry in the lot's sealed chain: its IP and user agent."""
    entries = LedgerEntry.objects.filter(
        scope__key=sealed_scope_key(lot.pk),
        action="sealed_bid.committed",
        object_type="sealed_bid",
        object_id__in=[str(bid.pk) for bid in bids],
    ).values_list("object_id", "payload")
    return {object_id: payload or {} for object_id, payload in entries}


def lot_read_out(lot: Lot) -> bool:
    """The lot's opening has read its bids out (唱标): who bid is public from then on."""
    return Opening.objects.filter(lot_id=lot.pk, read_out_at__isnull=False).exists()


def lot_collusion_signals_list(lot: Lot) -> list[Signal]:
    """The signals over the bids the opening opened; none, ever, before they are read out (唱标,
    实施条例 第44条) — they name bidders (招标投标法 第22条). The commit's address joins them only
    once the lot's sealed chain may be read. `lot` comes through `access_lot_for_supervision`."""
    if not lot_read_out(lot):
        return []
    bids = list(
        SealedBid.objects.filter(
            lot_id=lot.pk, status=BidStatus.COMMITTED, outcome=BidOutcome.OPENED
        ).select_related("enrolment__lead")
    )
    commits: dict[str, dict[str, Any]] = {}
    if sealed_scope_open(lot, list(lot.tender.lots.select_related("tender__procedure"))):
        commits = _commits(lot, bids)
    facts = []
    for bid in bids:
        documents = _documents(bid.features)
        commit = commits.get(str(bid.pk), {})
        facts.append(
            BidFacts(
                bidder=bid.enrolment.lead.name,
                document_hashes=frozenset(str(row.get("sha256") or "") for row in documents),
                authors=frozenset(str(row.get("author") or "") for row in documents),
                project_manager=offer_read_out(bid.offer)["project_manager"] or "",
                ip=str(commit.get("ip") or ""),
                user_agent=str(commit.get("user_agent") or ""),
                price=_price(offer_read_out(bid.offer)["price"]),
            )
        )
    return collusion_signals(facts)


def lot_ids_with_collusion_signals(lots: list[Lot]) -> set[int]:
    """Which of these lots (a console page, already in the regulator's jurisdiction) have a signal;
    only read-out lots are looked at, so the flag says nothing before 唱标."""
    read_out = set(
        Opening.objects.filter(
            lot_id__in=[lot.pk for lot in lots], read_out_at__isnull=False
        ).values_list("lot_id", flat=True)
    )
    return {lot.pk for lot in lots if lot.pk in read_out and lot_collusion_signals_list(lot)}
