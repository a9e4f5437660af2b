"""The auction room's chokepoint and what each seat sees (国土资源部令第39号 第17–20条: the highest
price is public, who bid it is not; DESIGN.md invariant 3).

Bidders see bidder numbers only; the public watches price and countdown without signing in;
supervisors watch and may reveal a number (a ledgered act); the desk's staff operate the room.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from bidding.domain.auction import Phase, State, bid_minimum, bid_refusal, declare_refusal
from bidding.models import Enrolment
from bidding.models.auctions import Auction, AuctionBid
from bidding.selectors.auctions import auction_deposit_blocker
from bidding.selectors.enrolment import enrolment_get_own
from bidding.services.auctions import auction_state
from trading.domain.employer import OrganisationKind
from trading.models import Lot, User
from trading.models.tenders import TenderStatus
from trading.selectors.access import Purpose, acting_organisation_id, may, supervises

# The price history a snapshot carries; a listing of weeks may hold more bids than a page needs.
HISTORY_LIMIT = 500


class AuctionSeat(enum.StrEnum):
    BIDDER = "bidder"
    # Anyone, signed in or not: price, countdown, bidder numbers (39号令 第18条: 挂牌价格公布).
    PUBLIC = "public"
    # Regulators watch read-only and may reveal who is behind a number (管办分离).
    SUPERVISOR = "supervisor"
    # The desk's staff operate the auction: suspend (中止) and resume.
    STAFF = "staff"


@dataclass(frozen=True)
class AuctionRoomSeat:
    lot: Lot
    auction: Auction
    seat: AuctionSeat
    user: User | AnonymousUser
    # The bidder's own standing enrolment; None for every other seat.
    enrolment: Enrolment | None = None
    # A consortium bids through its lead (实施条例 第37条): members watch their own number.
    is_lead: bool = False


def _lot_with_auction(lot_id: int) -> tuple[Lot, Auction]:
    """The published lot's auction, else 404 (an unpublished lot is nobody's to know here)."""
    auction = (
        Auction.objects.select_related(
            "lot__tender__procedure",
            "lot__tender__project__region",
            "lot__tender__project__business_type",
            "lot__tender__project__industry",
            "lot__tender__desk",
        )
        .filter(lot_id=lot_id)
        .first()
    )
    if auction is None or auction.lot.tender.status != TenderStatus.PUBLISHED:
        raise Http404(_("没有找到该标段的竞价室。"))
    return auction.lot, auction


def access_auction_room(user: User | AnonymousUser, lot_id: int) -> AuctionRoomSeat:
    """The user's seat in a lot's live auction: 404 for no such auction; everyone else watches."""
    lot, auction = _lot_with_auction(lot_id)
    if isinstance(user, User) and acting_organisation_id(user) is not None:
        if user.organisation_kind == OrganisationKind.BIDDER:
            enrolment = enrolment_get_own(user, lot)
            if enrolment is not None and enrolment.withdrawn_at is None:
                return AuctionRoomSeat(
                    lot=lot,
                    auction=auction,
                    seat=AuctionSeat.BIDDER,
                    user=user,
                    enrolment=enrolment,
                    is_lead=enrolment.lead_id == user.organisation_id,
                )
        elif user.organisation_kind == OrganisationKind.REGULATOR:
            if supervises(user, lot.tender):
                return AuctionRoomSeat(
                    lot=lot, auction=auction, seat=AuctionSeat.SUPERVISOR, user=user
                )
        elif may(user, lot.tender, purpose=Purpose.OPERATE):
            return AuctionRoomSeat(lot=lot, auction=auction, seat=AuctionSeat.STAFF, user=user)
    return AuctionRoomSeat(lot=lot, auction=auction, seat=AuctionSeat.PUBLIC, user=user)


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment is not None else None


def _money(amount: Any) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def auction_history(auction: Auction) -> list[dict[str, Any]]:
    """The accepted bids, oldest first (the last HISTORY_LIMIT): numbers, never names."""
    bids = (
        AuctionBid.objects.filter(auction=auction)
        .select_related("enrolment")
        .order_by("-seq")[:HISTORY_LIMIT]
    )
    return [
        {
            "bid_seq": bid.seq,
            "amount": _money(bid.amount),
            "at": _iso(bid.placed_at),
            "bidder_number": bid.enrolment.bidder_number,
            "phase": bid.phase,
        }
        for bid in reversed(list(bids))
    ]


def _bidder_view(
    seat: AuctionRoomSeat, enrolment: Enrolment, state: State, now: datetime
) -> dict[str, Any]:
    enrolment.lot = seat.lot
    # Whether it could bid were it not leading: the page recomputes "may bid" as bids arrive.
    eligible = (
        seat.is_lead
        and (state.bidders is None or enrolment.pk in state.bidders)
        and not auction_deposit_blocker(enrolment, now)
    )
    may_bid = eligible and bid_refusal(state, enrolment.pk, bid_minimum(state), now) is None
    return {
        "eligible": eligible,
        "bidder_number": enrolment.bidder_number,
        "is_lead": seat.is_lead,
        "may_bid": may_bid,
        "may_declare": seat.is_lead and declare_refusal(state, enrolment.pk, now) is None,
        "declared": enrolment.pk in state.declarants,
        "leading": state.leader == enrolment.pk,
    }


def auction_room_snapshot(seat: AuctionRoomSeat, now: datetime) -> dict[str, Any]:
    """What the room shows `seat` at `now` (the base adds the room's seq and the server time)."""
    auction = Auction.objects.get(pk=seat.auction.pk)
    state = auction_state(auction)
    rules = state.rules
    leader = (
        Enrolment.objects.filter(pk=state.leader).values_list("bidder_number", flat=True).first()
        if state.leader is not None
        else None
    )
    declaring_from = (
        state.ends_at - rules.declaration_window
        if state.phase is Phase.LISTING and rules.declaration_window
        else None
    )
    shown: dict[str, Any] = {
        "seat": seat.seat.value,
        "lot": seat.lot.pk,
        "kind": auction.kind,
        "phase": state.phase.value,
        "price": _money(state.price),
        "leader": leader,
        "bid_seq": state.seq,
        "opens_at": _iso(state.opens_at),
        "ends_at": _iso(state.ends_at),
        "declaration_opens_at": _iso(declaring_from),
        "direction": rules.direction.value,
        "start": _money(rules.start),
        "step": _money(rules.step),
        "floor": _money(rules.floor),
        "whole_multiples": rules.whole_multiples,
        "countdown_seconds": auction.countdown_seconds,
        "minimum": _money(bid_minimum(state)) if state.phase is not Phase.CLOSED else None,
        "suspended_reason": auction.suspended_reason if state.phase is Phase.SUSPENDED else "",
        "sold": auction.sold,
        # 底价 stays sealed until the close reveals it (auction_reserve_reveal writes it back).
        "reserve": _money(auction.reserve) if state.phase is Phase.CLOSED else None,
        "history": auction_history(auction),
        "bidder_number": None,
        "eligible": False,
        "may_bid": False,
        "may_declare": False,
        "declared": False,
    }
    if seat.enrolment is not None:
        shown.update(_bidder_view(seat, seat.enrolment, state, now))
    return shown
