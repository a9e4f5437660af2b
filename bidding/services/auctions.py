"""The auction row and the pure rules meet here: read a row as a `State`, store a `State` back.

Every service that changes an auction takes `auction_lock` (lot, then auction: DESIGN.md
invariant 1), builds the state with `auction_state`, asks `bidding.domain.auction`, stores the
result with `auction_store` and appends the room event, all in one transaction.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bidding.domain.auction import Direction, Phase, Refusal, Rules, State
from bidding.lock_objects import lock_lot
from bidding.models.auctions import Auction, AuctionDeclaration
from trading.models import Lot

# What a bidder reads when its bid or declaration is refused (a person, second by second).
REFUSAL_TEXT: dict[Refusal, Promise] = {
    Refusal.NOT_STARTED: _("竞价尚未开始。"),
    Refusal.CLOSED: _("竞价已结束，报价未被接受。"),
    Refusal.SUSPENDED: _("竞价已中止，恢复前不接受报价。"),
    Refusal.MALFORMED: _("报价须为正数，最多两位小数。"),
    Refusal.BELOW_START: _("报价未达到起始价。"),
    Refusal.OUTBID: _("已有更优报价，您的报价未被接受，请按最新价格重新报价。"),
    Refusal.STEP: _("报价变动小于规定的幅度。"),
    Refusal.NOT_MULTIPLE: _("报价须为起始价加（减）整数倍的幅度。"),
    Refusal.BEYOND_FLOOR: _("报价低于最低限价。"),
    Refusal.LEADING: _("您已是当前最优报价人，无需再次报价。"),
    Refusal.NOT_DECLARED: _("限时竞价仅限挂牌截止时要求报价的竞买人参加。"),
    Refusal.NOT_IN_WINDOW: _("不在要求报价的时段内。"),
    Refusal.ALREADY_DECLARED: _("您已要求报价。"),
}


def room_key_auction(lot_id: int) -> str:
    return f"auction:{lot_id}"


def auction_lock(lot_id: int) -> tuple[Lot, Auction]:
    """Lock the lot, then its auction row (raises Auction.DoesNotExist for a lot without one)."""
    lot = lock_lot(lot_id)
    auction = Auction.objects.select_for_update().get(lot_id=lot_id)
    return lot, auction


def auction_rules(auction: Auction) -> Rules:
    return Rules(
        direction=Direction(auction.direction),
        start=auction.start_price,
        step=auction.step,
        countdown=timedelta(seconds=auction.countdown_seconds),
        whole_multiples=auction.whole_multiples,
        floor=auction.floor,
        declaration_window=timedelta(seconds=auction.declaration_window_seconds),
    )


def auction_state(auction: Auction) -> State:
    declarants = frozenset(
        AuctionDeclaration.objects.filter(auction=auction).values_list("enrolment_id", flat=True)
    )
    return State(
        rules=auction_rules(auction),
        phase=Phase(auction.phase),
        opens_at=auction.opens_at,
        ends_at=auction.ends_at,
        price=auction.price,
        leader=auction.leader_id,
        seq=auction.seq,
        bidders=None if auction.bidders is None else frozenset(auction.bidders),
        declarants=declarants,
        suspended_from=Phase(auction.suspended_from) if auction.suspended_from else None,
    )


def auction_store(auction: Auction, state: State) -> Auction:
    """Write the state back to the (locked) row; declarations are rows of their own."""
    auction.phase = state.phase
    auction.opens_at = state.opens_at
    auction.ends_at = state.ends_at
    auction.price = state.price
    auction.leader_id = state.leader
    auction.seq = state.seq
    auction.bidders = None if state.bidders is None else sorted(state.bidders)
    auction.suspended_from = state.suspended_from or ""
    auction.save(
        update_fields=[
            "phase",
            "opens_at",
            "ends_at",
            "price",
            "leader",
            "seq",
            "bidders",
            "suspended_from",
        ]
    )
    return auction
