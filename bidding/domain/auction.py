"""Live auctions as a pure state machine: listing (挂牌), timed bidding (限时竞价), auction (拍卖)
and reverse auction (反向竞价). No Django, no clock: the caller passes `now` (the server's clock,
read inside the lot's lock) and stores the state it gets back.

Terms (DOMAIN.md): the *start price* (起始价) is the first acceptable bid; the *step* (增价幅度,
降价幅度 for a reverse auction) is the least move from the current price; with *whole multiples*
every bid is the start price plus (minus) a whole number of steps; the *reserve* (底价) is sealed
until the end and decides whether the leader buys; the *floor* (最低限价) of a reverse auction is
the lowest price the buyer accepts: no bid below it is taken, and the countdown still decides.

- Listing (国土资源部令第39号 第17–20条): bids during the listing period; the first ≥ the start
  price, each raise ≥ the step; no withdrawal; equal bids cannot happen (a bid must beat the price),
  so the earlier one leads. The listing period's end does not move with bids.
- At the listing close (第20条): bidders declare (要求报价) in a window before the close; two or
  more declarants → timed bidding among them from the current price; otherwise the highest listing
  bid buys if it reaches the reserve, else 流拍.
- Timed bidding and auctions (第14–16条): each accepted bid restarts the countdown; when it runs
  out with no bid, the leader buys if the price reaches the reserve, else 流拍.
- Suspension (中止): an outage longer than the setting during the countdown suspends instead of
  closing; the auction resumes at an announced time with a fresh countdown.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

CENT = Decimal("0.01")
# The largest price the platform records (16 digits, two decimals): a larger "amount" is no
# price at all, and Decimal arithmetic on it could overflow the context instead of refusing.
AMOUNT_MAX = Decimal("99999999999999.99")


class Phase(enum.StrEnum):
    LISTING = "listing"  # 挂牌期: listing bids, declarations in the window before the close
    TIMED = "timed"  # 限时竞价 / 拍卖: each bid restarts the countdown
    SUSPENDED = "suspended"  # 中止: no bids until the announced resumption
    CLOSED = "closed"


class Direction(enum.StrEnum):
    UP = "up"  # 增价: land, mining, property, carbon, pollution
    DOWN = "down"  # 减价 (反向竞价): government procurement buys


class Refusal(enum.StrEnum):
    """Why a bid or a declaration is refused; the room shows each as a sentence (REFUSAL_TEXT)."""

    NOT_STARTED = "not_started"
    CLOSED = "closed"
    SUSPENDED = "suspended"
    MALFORMED = "malformed"  # not positive, more than two decimals, or beyond AMOUNT_MAX
    BELOW_START = "below_start"  # above, for a reverse auction
    OUTBID = "outbid"  # does not beat the current price (someone was faster)
    STEP = "step"  # beats the price by less than one step
    NOT_MULTIPLE = "not_multiple"
    BEYOND_FLOOR = "beyond_floor"  # a reverse auction's bid below its floor
    LEADING = "leading"  # the leader may not bid against itself
    NOT_DECLARED = "not_declared"  # timed bidding after a listing is for its declarants
    NOT_IN_WINDOW = "not_in_window"  # a declaration outside the declaration window
    ALREADY_DECLARED = "already_declared"


def _is_price(amount: Decimal) -> bool:
    return amount.is_finite() and 0 < amount <= AMOUNT_MAX and amount == amount.quantize(CENT)


@dataclass(frozen=True)
class Rules:
    """A sale's settings, fixed when the auction is set up."""

    direction: Direction
    start: Decimal
    step: Decimal
    countdown: timedelta
    whole_multiples: bool = False
    floor: Decimal | None = None  # reverse auctions only
    declaration_window: timedelta = timedelta(0)  # listings only: before the listing close

    def __post_init__(self) -> None:
        for amount in (self.start, self.step, self.floor):
            if amount is not None and not _is_price(amount):
                raise ValueError("start, step and floor are prices: positive, in cents")
        if self.countdown <= timedelta(0):
            raise ValueError("the countdown must be positive")
        if self.floor is not None and (self.direction is Direction.UP or self.floor > self.start):
            raise ValueError("a floor belongs to a reverse auction, at or below its start")


@dataclass(frozen=True)
class State:
    """Where an auction stands. `ends_at` is the listing close, or the countdown's end."""

    rules: Rules
    phase: Phase
    opens_at: datetime  # no bid before it (the listing start, or an announced resumption)
    ends_at: datetime
    price: Decimal | None = None
    leader: int | None = None  # the leading enrolment's id
    seq: int = 0  # accepted bids so far: the last bid's sequence number
    # Timed bidding after a listing is open to its declarants only; None: every eligible bidder.
    bidders: frozenset[int] | None = None
    declarants: frozenset[int] = frozenset()
    suspended_from: Phase | None = None


@dataclass(frozen=True)
class Outcome:
    sold: bool
    winner: int | None
    price: Decimal | None


def listing_start(rules: Rules, *, opens_at: datetime, closes_at: datetime) -> State:
    """A listing period (39号令 第19条: at least 10 days; the rule table says how long)."""
    return State(rules=rules, phase=Phase.LISTING, opens_at=opens_at, ends_at=closes_at)


def auction_start(rules: Rules, *, opens_at: datetime) -> State:
    """An auction (拍卖, 39号令 第14–16条) or a reverse auction: the countdown runs at once."""
    return State(
        rules=rules, phase=Phase.TIMED, opens_at=opens_at, ends_at=opens_at + rules.countdown
    )


def _beats(direction: Direction, amount: Decimal, price: Decimal) -> bool:
    return amount > price if direction is Direction.UP else amount < price


def bid_minimum(state: State) -> Decimal:
    """The least acceptable next bid (the highest, for a reverse auction)."""
    rules = state.rules
    if state.price is None:
        return rules.start
    sign = 1 if rules.direction is Direction.UP else -1
    return state.price + sign * rules.step


def bid_refusal(state: State, bidder: int, amount: Decimal, now: datetime) -> Refusal | None:
    """Why `bidder` may not bid `amount` now, or None: the bid is a legal step (第15、18条)."""
    rules = state.rules
    if not _is_price(amount):
        return Refusal.MALFORMED
    if state.phase is Phase.CLOSED:
        return Refusal.CLOSED
    if state.phase is Phase.SUSPENDED:
        return Refusal.SUSPENDED
    if now < state.opens_at:
        return Refusal.NOT_STARTED
    if now >= state.ends_at:
        return Refusal.CLOSED
    if state.bidders is not None and bidder not in state.bidders:
        return Refusal.NOT_DECLARED
    if state.leader == bidder:
        return Refusal.LEADING
    if _beats(rules.direction, rules.start, amount):
        return Refusal.BELOW_START
    if rules.floor is not None and amount < rules.floor:
        return Refusal.BEYOND_FLOOR
    if state.price is not None:
        if not _beats(rules.direction, amount, state.price):
            return Refusal.OUTBID
        if _beats(rules.direction, bid_minimum(state), amount):
            return Refusal.STEP
    if rules.whole_multiples and (amount - rules.start) % rules.step != 0:
        return Refusal.NOT_MULTIPLE
    return None


def bid_accept(state: State, bidder: int, amount: Decimal, now: datetime) -> State:
    """The state after an accepted bid: in timed bidding the countdown restarts (第16条)."""
    refusal = bid_refusal(state, bidder, amount, now)
    if refusal is not None:
        raise ValueError(f"refused bid: {refusal}")
    ends_at = now + state.rules.countdown if state.phase is Phase.TIMED else state.ends_at
    return dataclasses.replace(
        state, price=amount, leader=bidder, seq=state.seq + 1, ends_at=ends_at
    )


def declare_refusal(state: State, bidder: int, now: datetime) -> Refusal | None:
    """Why `bidder` may not declare it still wants to bid (要求报价, 39号令 第20条), or None."""
    if state.phase is Phase.SUSPENDED:
        return Refusal.SUSPENDED
    if state.phase is not Phase.LISTING:
        return Refusal.CLOSED
    if now < state.opens_at:
        return Refusal.NOT_STARTED
    window_opens = state.ends_at - state.rules.declaration_window
    if not window_opens <= now < state.ends_at:
        return Refusal.NOT_IN_WINDOW
    if bidder in state.declarants:
        return Refusal.ALREADY_DECLARED
    return None


def declare(state: State, bidder: int, now: datetime) -> State:
    refusal = declare_refusal(state, bidder, now)
    if refusal is not None:
        raise ValueError(f"refused declaration: {refusal}")
    return dataclasses.replace(state, declarants=state.declarants | {bidder})


def is_due(state: State, now: datetime) -> bool:
    """The listing period or the countdown ran out: the chronograph must close (or suspend) it."""
    return state.phase in (Phase.LISTING, Phase.TIMED) and now >= state.ends_at


def outcome(state: State, reserve: Decimal | None) -> Outcome:
    """Who buys at the end: the leader, if its price reaches the reserve (底价); else 流拍."""
    if state.price is None or state.leader is None:
        return Outcome(sold=False, winner=None, price=None)
    if reserve is not None and _beats(state.rules.direction, reserve, state.price):
        return Outcome(sold=False, winner=None, price=None)
    return Outcome(sold=True, winner=state.leader, price=state.price)


def listing_close(state: State, now: datetime) -> State:
    """The listing ends: two or more declarants bid on in timed bidding (第20条), else it closes.

    Timed bidding starts from the current price; the caller decides the outcome of a closed state.
    """
    if state.phase is not Phase.LISTING or now < state.ends_at:
        raise ValueError("the listing is not due")
    if len(state.declarants) >= 2:
        return dataclasses.replace(
            state,
            phase=Phase.TIMED,
            opens_at=now,
            ends_at=now + state.rules.countdown,
            bidders=state.declarants,
            # The listing's leader bids on like the others: it may not raise its own bid.
        )
    return dataclasses.replace(state, phase=Phase.CLOSED)


def timed_close(state: State, now: datetime) -> State:
    """The countdown ran out with no bid (第16条): the auction closes."""
    if state.phase is not Phase.TIMED or now < state.ends_at:
        raise ValueError("the countdown has not run out")
    return dataclasses.replace(state, phase=Phase.CLOSED)


def outage_during_countdown(
    state: State, outages: Iterable[tuple[datetime, datetime]], threshold: timedelta
) -> bool:
    """An outage over `threshold` overlapped the countdown's last run: bidders could not bid."""
    window_start = max(state.opens_at, state.ends_at - state.rules.countdown)
    for started, ended in outages:
        if ended - started > threshold and started < state.ends_at and ended > window_start:
            return True
    return False


def suspend(state: State) -> State:
    """中止: no bid is taken until the auction resumes; the leader and the price stand."""
    if state.phase not in (Phase.LISTING, Phase.TIMED):
        raise ValueError("only a running auction can be suspended")
    return dataclasses.replace(state, phase=Phase.SUSPENDED, suspended_from=state.phase)


def resume(state: State, at: datetime, *, listing_ends_at: datetime | None = None) -> State:
    """Resume at an announced time `at`: timed bidding with a fresh countdown from `at`.

    A suspended listing resumes its listing period, which must then end after `at`.
    """
    if state.phase is not Phase.SUSPENDED or state.suspended_from is None:
        raise ValueError("only a suspended auction can resume")
    if state.suspended_from is Phase.TIMED:
        ends_at = at + state.rules.countdown
    else:
        ends_at = listing_ends_at if listing_ends_at is not None else state.ends_at
        if ends_at <= at:
            raise ValueError("a resumed listing must end after it resumes")
    return dataclasses.replace(
        state, phase=state.suspended_from, opens_at=at, ends_at=ends_at, suspended_from=None
    )
