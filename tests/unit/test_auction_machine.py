"""The auction's rules as a state machine under Hypothesis: whatever bidders, clocks, declarations,
closes and suspensions do, the price only moves the sale's way by legal steps, the winner is the
last accepted bid's bidder, the end time moves only by the countdown rule, and no bid is taken at
or after the end or while suspended. The model below keeps its own books, not the module's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from bidding.domain.auction import (
    Direction,
    Phase,
    Rules,
    State,
    auction_start,
    bid_accept,
    bid_minimum,
    bid_refusal,
    declare,
    declare_refusal,
    is_due,
    listing_close,
    listing_start,
    outcome,
    resume,
    suspend,
    timed_close,
)

T0 = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
CENT = Decimal("0.01")
BIDDERS = st.integers(min_value=1, max_value=4)
ANYONE = st.integers(min_value=1, max_value=5)  # bidder 5 never declares
WILD = st.sampled_from(
    [Decimal("NaN"), Decimal("-Infinity"), Decimal("1E+30"), Decimal("-0"), Decimal("0.001")]
) | st.decimals(min_value=-1, max_value=10**6, places=3)
cents = st.integers(min_value=1, max_value=500_000).map(lambda n: Decimal(n) * CENT)


class AuctionMachine(RuleBasedStateMachine):
    state: State
    now: datetime
    ends_at: datetime  # where the model says the sale ends
    phase: Phase
    last_bid: tuple[int, Decimal] | None
    suspended_from: Phase | None

    @initialize(
        down=st.booleans(),
        listing=st.booleans(),
        start=cents,
        step=st.integers(min_value=1, max_value=10_000).map(lambda n: Decimal(n) * CENT),
        whole_multiples=st.booleans(),
        floor_steps=st.none() | st.integers(min_value=0, max_value=40),
        countdown=st.integers(min_value=1, max_value=600),
        window_share=st.sampled_from([0, 1, 2, 4]),  # quarters of the listing period
        listing_seconds=st.integers(min_value=60, max_value=900),
    )
    def set_up(
        self,
        down: bool,
        listing: bool,
        start: Decimal,
        step: Decimal,
        whole_multiples: bool,
        floor_steps: int | None,
        countdown: int,
        window_share: int,
        listing_seconds: int,
    ) -> None:
        floor = None
        if down and floor_steps is not None and start - floor_steps * step > 0:
            floor = start - floor_steps * step
        self.rules = Rules(
            direction=Direction.DOWN if down else Direction.UP,
            start=start,
            step=step,
            countdown=timedelta(seconds=countdown),
            whole_multiples=whole_multiples,
            floor=floor,
            declaration_window=timedelta(seconds=listing_seconds * window_share // 4),
        )
        self.now = T0
        if listing:
            self.ends_at = T0 + timedelta(seconds=listing_seconds)
            self.state = listing_start(self.rules, opens_at=T0, closes_at=self.ends_at)
            self.phase = Phase.LISTING
        else:
            self.ends_at = T0 + self.rules.countdown
            self.state = auction_start(self.rules, opens_at=T0)
            self.phase = Phase.TIMED
        self.opens_at = T0
        self.last_bid = None
        self.suspended_from = None
        self.bidders: frozenset[int] | None = None
        self.declarants: set[int] = set()

    # --- the model's expectations ---
    def beats(self, amount: Decimal, price: Decimal) -> bool:
        return amount > price if self.rules.direction is Direction.UP else amount < price

    def may_bid_now(self, bidder: int) -> bool:
        return (
            self.phase in (Phase.LISTING, Phase.TIMED)
            and self.opens_at <= self.now < self.ends_at
            and (self.bidders is None or bidder in self.bidders)
            and (self.last_bid is None or self.last_bid[0] != bidder)
        )

    # --- what happens ---
    @rule(seconds=st.integers(min_value=0, max_value=900), rarely=st.integers(0, 2))
    def a_long_wait(self, seconds: int, rarely: int) -> None:
        if not rarely:
            self.now += timedelta(seconds=seconds)

    @rule(
        bidder=ANYONE,
        steps=st.integers(min_value=-2, max_value=5),
        cents_off=st.sampled_from([0, 0, 1, -1, 37, -37]),
        wild=st.none() | WILD,
        seconds=st.integers(min_value=0, max_value=20),
    )
    def bids(
        self, bidder: int, steps: int, cents_off: int, wild: Decimal | None, seconds: int
    ) -> None:
        self.now += timedelta(seconds=seconds)  # bidders think between bids
        # Mostly near the least acceptable bid, where the rules bite; now and then anything.
        if wild is not None and steps == 5:
            self.bid(bidder, wild)
            return
        sign = 1 if self.rules.direction is Direction.UP else -1
        amount = bid_minimum(self.state) + sign * steps * self.rules.step + cents_off * CENT
        self.bid(bidder, amount)

    def bid(self, bidder: int, amount: Decimal) -> None:
        before = self.state
        refusal = bid_refusal(before, bidder, amount, self.now)
        if refusal is not None:
            return
        # Accepted: then it was the right time, the right bidder, and a legal step.
        assert self.may_bid_now(bidder), (self.phase, self.now, self.ends_at, bidder)
        assert amount == amount.quantize(CENT) and amount > 0
        assert not self.beats(self.rules.start, amount)
        if self.rules.floor is not None:
            assert amount >= self.rules.floor
        if self.rules.whole_multiples:
            assert (amount - self.rules.start) % self.rules.step == 0
        if self.last_bid is not None:
            assert self.beats(amount, self.last_bid[1])
            assert abs(amount - self.last_bid[1]) >= self.rules.step
        self.state = bid_accept(before, bidder, amount, self.now)
        self.last_bid = (bidder, amount)
        event(f"accepted {self.phase} bid{' among declarants' if self.bidders else ''}")
        if self.phase is Phase.TIMED:
            self.ends_at = self.now + self.rules.countdown
        assert self.state.seq == before.seq + 1

    @precondition(lambda self: self.phase is Phase.LISTING)
    @rule(bidder=BIDDERS)
    def declares(self, bidder: int) -> None:
        if declare_refusal(self.state, bidder, self.now) is not None:
            return
        assert self.phase is Phase.LISTING
        assert self.ends_at - self.rules.declaration_window <= self.now < self.ends_at
        assert bidder not in self.declarants
        self.state = declare(self.state, bidder, self.now)
        self.declarants.add(bidder)

    @precondition(
        lambda self: (
            self.phase is Phase.LISTING
            and self.rules.declaration_window
            and self.declarants == set()
        )
    )
    @rule(declarants=st.sets(BIDDERS, min_size=1, max_size=4))
    def the_listing_runs_out_with_declarants(self, declarants: set[int]) -> None:
        # Declarations in the window's last second, then the close: the path to timed bidding.
        self.now = max(self.now, self.ends_at - timedelta(seconds=1))
        for bidder in sorted(declarants):
            self.declares(bidder)
        self.now = max(self.now, self.ends_at)
        self.the_chronograph_closes_what_is_due()

    @precondition(lambda self: self.phase in (Phase.LISTING, Phase.TIMED))
    @rule()
    def the_chronograph_closes_what_is_due(self) -> None:
        due = is_due(self.state, self.now)
        assert due is (self.now >= self.ends_at)
        if not due:
            return
        if self.phase is Phase.LISTING:
            self.state = listing_close(self.state, self.now)
            if len(self.declarants) >= 2:
                self.phase = Phase.TIMED
                self.bidders = frozenset(self.declarants)
                event("timed bidding among declarants")
                self.opens_at = self.now
                self.ends_at = self.now + self.rules.countdown
            else:
                self.phase = Phase.CLOSED
        else:
            self.state = timed_close(self.state, self.now)
            self.phase = Phase.CLOSED

    @precondition(lambda self: self.phase in (Phase.LISTING, Phase.TIMED))
    @rule(rarely=st.integers(min_value=0, max_value=3))
    def staff_suspend(self, rarely: int) -> None:
        if rarely:  # an outage or staff's decision: the exception, not the rule
            return
        self.state = suspend(self.state)
        self.suspended_from, self.phase = self.phase, Phase.SUSPENDED

    @precondition(lambda self: self.phase is Phase.SUSPENDED)
    @rule(notice=st.integers(min_value=0, max_value=900), extend=st.integers(1, 3_600))
    def staff_resume(self, notice: int, extend: int) -> None:
        at = self.now + timedelta(seconds=notice)
        assert self.suspended_from is not None
        if self.suspended_from is Phase.TIMED:
            self.state = resume(self.state, at)
            self.ends_at = at + self.rules.countdown
        else:
            listing_ends_at = max(self.ends_at, at + timedelta(seconds=extend))
            self.state = resume(self.state, at, listing_ends_at=listing_ends_at)
            self.ends_at = listing_ends_at
        self.opens_at = at
        self.phase, self.suspended_from = self.suspended_from, None

    # --- what always holds ---
    @invariant()
    def the_state_agrees_with_the_model(self) -> None:
        assert self.state.phase is self.phase
        if self.phase is not Phase.CLOSED:
            assert self.state.ends_at == self.ends_at
            assert self.state.opens_at == self.opens_at
        assert self.state.bidders == self.bidders
        assert self.state.declarants == frozenset(self.declarants)

    @invariant()
    def the_leader_and_price_are_the_last_accepted_bid(self) -> None:
        if self.last_bid is None:
            assert (self.state.leader, self.state.price) == (None, None)
        else:
            assert (self.state.leader, self.state.price) == self.last_bid

    @invariant()
    def a_closed_sale_goes_to_the_last_accepted_bidder(self) -> None:
        if self.phase is not Phase.CLOSED:
            return
        result = outcome(self.state, None)
        if self.last_bid is None:
            assert not result.sold
        else:
            assert (result.sold, result.winner, result.price) == (True, *self.last_bid)
            # A reserve one cent better than the price is not reached.
            sign = 1 if self.rules.direction is Direction.UP else -1
            assert not outcome(self.state, self.last_bid[1] + sign * CENT).sold

    @invariant()
    def nothing_is_taken_at_or_after_the_end_or_while_suspended(self) -> None:
        if self.phase is Phase.CLOSED or self.phase is Phase.SUSPENDED or self.now >= self.ends_at:
            for bidder in (1, 2, 3, 4, 5):
                assert bid_refusal(self.state, bidder, bid_minimum(self.state), self.now)


AuctionMachine.TestCase.settings = settings(
    max_examples=300,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestAuctionMachine = AuctionMachine.TestCase
