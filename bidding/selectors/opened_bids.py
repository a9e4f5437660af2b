"""What trading reads of the platform's openings (registered in `trading.openings`)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from bidding.domain.opening import offer_read_out
from bidding.models import BidOutcome, BidStatus, Opening, SealedBid
from trading.models import Lot
from trading.openings import OpenedBid


def lot_counted_by_platform(lot: Lot) -> bool:
    """Bids reached this lot sealed through the platform (a version was committed, whatever
    became of it), or its opening has started: the platform's opening counts them.

    A lot no bidder sealed a bid for keeps the desk's record (staff type the count, 0 for a lot
    nobody bid on): the lots published before sealed bids, and the scenarios that model the
    opening as the desk's.
    """
    return (
        Opening.objects.filter(lot_id=lot.pk).exists()
        or SealedBid.objects.filter(lot_id=lot.pk).exclude(status=BidStatus.UPLOADING).exists()
    )


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value is not None else None
    except InvalidOperation:
        return None


def _whole(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def lot_opened_bids_list(lot: Lot) -> list[OpenedBid]:
    """The bids the opening opened, by bidder number, once the opening has closed."""
    if not Opening.objects.filter(lot_id=lot.pk, closed_at__isnull=False).exists():
        return []
    bids = (
        SealedBid.objects.filter(
            lot_id=lot.pk, status=BidStatus.COMMITTED, outcome=BidOutcome.OPENED
        )
        .select_related("enrolment__lead")
        .order_by("enrolment__bidder_number")
    )
    opened = []
    for bid in bids:
        read = offer_read_out(bid.offer)
        opened.append(
            OpenedBid(
                organisation_id=bid.enrolment.lead_id,
                name=bid.enrolment.lead.name,
                bidder_number=bid.enrolment.bidder_number,
                price=_decimal(read["price"]),
                duration_days=_whole(read["duration"]),
                quality=read["quality"] or "",
                project_manager=read["project_manager"] or "",
            )
        )
    return opened
