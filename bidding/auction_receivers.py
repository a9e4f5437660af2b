"""An auction's receiver and due work: set up when its lot opens or reaches the auction, the
platform's heartbeat, the close of due auctions.

Registered by importing this module from `BiddingConfig.ready`.
"""

from __future__ import annotations

from bidding.models.auctions import Auction
from bidding.services.auction_life import (
    auction_close,
    auction_setup,
    auction_stop,
    auctions_due,
)
from bidding.services.auction_outages import heartbeat_advance, heartbeats_due
from trading.chronograph import DueWork, register_due_work
from trading.clock import get_clock
from trading.events import receiver
from trading.models import Lot, OutboxEvent

# Lot statuses during which its auction runs (a listing's close waits for the platform's close).
RUNNING = frozenset({"bidding", "listing_closed", "auction"})


@receiver("lot.status_changed", name="bidding.auction_setup")
def auction_on_status(event: OutboxEvent) -> None:
    """A listing starts with the bidding (39号令 第19条), an auction at the deadline (第14条)."""
    to = event.payload.get("to")
    lot = Lot.objects.filter(pk=int(event.payload["lot"])).first()
    if lot is None:
        return
    if to in ("bidding", "auction"):
        auction_setup(lot, get_clock()())
    elif (
        lot.status not in RUNNING
        and Auction.objects.filter(lot=lot).exclude(phase="closed").exists()
    ):
        # Recorded by hand or ended otherwise: the auction stops taking bids. The lot's status
        # now decides, not the event's: a late delivery of "published" must not stop a listing.
        auction_stop(lot, get_clock()())


# Before the closes: an outage that ends at this tick is on record when they look for one.
AUCTION_HEARTBEAT = DueWork(
    name="bidding.auction_heartbeat", due=heartbeats_due, advance=heartbeat_advance
)
AUCTION_CLOSES = DueWork(name="bidding.auction_closes", due=auctions_due, advance=auction_close)
register_due_work(AUCTION_HEARTBEAT)
register_due_work(AUCTION_CLOSES)
