"""What the platform's opening tells trading: a registry that bidding fills (trading never imports
bidding; the pattern of `trading.participants`).

Bidding registers, from `BiddingConfig.ready`, whether a lot's bids were sealed on the platform
(then the platform counts them at the opening and no one types the number) and the opened bids
the staff's evaluation form starts from, and whether it runs a lot's live auction (then the
auction's close records the result and no one types it). Without a registration, staff record
all of them by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from trading.models import Lot


@dataclass(frozen=True)
class OpenedBid:
    """One bid as the opening record read it out (唱标), for the evaluation form."""

    organisation_id: int
    name: str
    bidder_number: str
    price: Decimal | None
    duration_days: int | None = None
    quality: str = ""
    project_manager: str = ""


CountedByPlatform = Callable[[Lot], bool]
AuctionRunByPlatform = Callable[[Lot], bool]
OpenedBids = Callable[[Lot], list[OpenedBid]]


@dataclass
class _Registry:
    counted_by_platform: CountedByPlatform | None = None
    opened_bids: OpenedBids | None = None
    auction_run_by_platform: AuctionRunByPlatform | None = None


_REGISTRY = _Registry()


def openings_register(*, counted_by_platform: CountedByPlatform, opened_bids: OpenedBids) -> None:
    """Bidding's answers about its openings (the last registration wins)."""
    _REGISTRY.counted_by_platform = counted_by_platform
    _REGISTRY.opened_bids = opened_bids


def auctions_register(*, run_by_platform: AuctionRunByPlatform) -> None:
    """Bidding's answer to whether the platform is running a lot's live auction."""
    _REGISTRY.auction_run_by_platform = run_by_platform


def lot_auction_run_by_platform(lot: Lot) -> bool:
    """The platform runs this lot's auction now: its result comes from the bids, not from staff."""
    return _REGISTRY.auction_run_by_platform is not None and _REGISTRY.auction_run_by_platform(lot)


def lot_bids_counted_by_platform(lot: Lot) -> bool:
    """The platform opens this lot's sealed bids and counts them itself."""
    return _REGISTRY.counted_by_platform is not None and _REGISTRY.counted_by_platform(lot)


def lot_opened_bids(lot: Lot) -> list[OpenedBid]:
    """The bids the opening read out as opened, by bidder number (empty without an opening)."""
    if _REGISTRY.opened_bids is None:
        return []
    return _REGISTRY.opened_bids(lot)
