"""A bidder's seat at a live auction, and whether its deposit lets it bid.

Only the user's own standing enrolment bids (the bidder that enrolled and paid the deposit the
出让公告 asks for); a consortium bids through its lead. The amount and the bidder number are
all the auction ever shows of a bidder (bidder numbers only, never names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from bidding.models import Enrolment
from bidding.models.auctions import Auction, AuctionPhase
from bidding.selectors.deposits import deposit_status
from bidding.selectors.sealed_bids import access_bid_lot
from trading.models import Lot, User

# Whether a deposit lets its enrolment bid in a live auction: confirmed, or none asked.
DEPOSIT_CONFIRMED = frozenset({"paid", "not_required"})


@dataclass(frozen=True)
class AuctionSeat:
    """A bidder at its own lot's auction: the lot, the auction and the enrolment it bids for."""

    lot: Lot
    auction: Auction
    enrolment: Enrolment


def access_auction_bidder(user: User, lot_id: int) -> AuctionSeat:
    """The user's standing enrolment in a lot with a live auction (39号令 第15、18条).

    403 for other roles and for a consortium member that does not lead it; 404 when the user's
    organisation did not enrol (or withdrew), or when the lot holds no auction.
    """
    seat = access_bid_lot(user, lot_id)
    if not seat.is_lead:
        raise PermissionDenied(_("联合体由牵头人报价，成员不能报价。"))
    auction = Auction.objects.filter(lot=seat.lot).first()
    if auction is None:
        raise Http404(_("本标段没有网上竞价。"))
    return AuctionSeat(lot=seat.lot, auction=auction, enrolment=seat.enrolment)


def auction_deposit_blocker(enrolment: Enrolment, now: datetime) -> str:
    """Why the enrolment may not bid or declare for want of its deposit; '' when it may.

    Only a bidder whose deposit has arrived bids (the 出让公告's 竞买保证金); a deposit still short
    before its deadline does not count yet, unlike a sealed bid's (it may arrive until then).
    """
    status = deposit_status(enrolment, now)
    if status.state in DEPOSIT_CONFIRMED:
        return ""
    if status.state == "invalid":
        return _("保证金未从基本存款账户转出，无效，不能报价。")
    return _("保证金尚未足额到账，不能报价。")


def auction_running(lot: Lot) -> bool:
    """The platform runs the lot's auction (a row not yet closed): bids, not staff, decide it."""
    return Auction.objects.filter(lot_id=lot.pk).exclude(phase=AuctionPhase.CLOSED).exists()
