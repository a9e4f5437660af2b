"""The opening's outbox receiver and due work: it starts at the bid deadline, its window ends.

Registered by importing this module from `BiddingConfig.ready`.
"""

from __future__ import annotations

from bidding.selectors.opened_bids import lot_counted_by_platform
from bidding.services.opening import opening_start
from bidding.services.opening_unlock import opening_window_close, opening_windows_due
from trading.chronograph import DueWork, register_due_work
from trading.clock import get_clock
from trading.events import receiver
from trading.models import Lot, OutboxEvent


@receiver("lot.status_changed", name="bidding.opening_start")
def opening_on_deadline(event: OutboxEvent) -> None:
    """At the bid deadline a sealed-bid lot's opening starts (招标投标法 第34条)."""
    if event.payload.get("to") != "opening":
        return
    lot = Lot.objects.filter(pk=int(event.payload["lot"])).first()
    if lot is None or not lot_counted_by_platform(lot):
        return
    # A lot no bidder sealed a bid for keeps the desk's record (see lot_counted_by_platform).
    opening_start(lot, get_clock()())


OPENING_WINDOWS = DueWork(
    name="bidding.opening_windows", due=opening_windows_due, advance=opening_window_close
)
register_due_work(OPENING_WINDOWS)
