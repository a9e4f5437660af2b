"""The live auction's pure rules, table by table: every refusal, the listing close, the outcome
against the reserve, the reverse auction with its floor, suspension and resumption."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bidding.domain.auction import (
    Direction,
    Outcome,
    Phase,
    Refusal,
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
    outage_during_countdown,
    outcome,
    resume,
    suspend,
    timed_close,
)

T0 = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
COUNTDOWN = timedelta(minutes=4)
D = Decimal

UP = Rules(direction=Direction.UP, start=D("1000.00"), step=D("50.00"), countdown=COUNTDOWN)
UP_MULTIPLES = dataclasses.replace(UP, whole_multiples=True)
DOWN = Rules(
    direction=Direction.DOWN,
    start=D("1000.00"),
    step=D("10.00"),
    countdown=COUNTDOWN,
    whole_multiples=True,
    floor=D("900.00"),
)
LISTING = dataclasses.replace(UP, declaration_window=timedelta(minutes=10))


def listing(rules: Rules = LISTING) -> State:
    return listing_start(rules, opens_at=T0, closes_at=T0 + 60 * MIN)


def priced(state: State, price: str, leader: int) -> State:
    return dataclasses.replace(state, price=D(price), leader=leader, seq=state.seq + 1)


OPEN_UP = auction_start(UP, opens_at=T0)
LED_UP = priced(OPEN_UP, "1100.00", leader=1)
LED_MULTIPLES = priced(auction_start(UP_MULTIPLES, opens_at=T0), "1100.00", leader=1)
OPEN_DOWN = auction_start(DOWN, opens_at=T0)
LED_DOWN = priced(OPEN_DOWN, "950.00", leader=1)
TIMED_AMONG_DECLARANTS = dataclasses.replace(LED_UP, bidders=frozenset({1, 2}))

# (case, state, bidder, amount, minutes after T0, refusal or None when the bid is a legal step)
BIDS = [
    ("three decimals", OPEN_UP, 2, "1000.001", 1, Refusal.MALFORMED),
    ("negative", OPEN_UP, 2, "-1000.00", 1, Refusal.MALFORMED),
    ("zero", OPEN_UP, 2, "0", 1, Refusal.MALFORMED),
    ("not a number", OPEN_UP, 2, "NaN", 1, Refusal.MALFORMED),
    ("infinite", OPEN_UP, 2, "Infinity", 1, Refusal.MALFORMED),
    ("beyond any price", OPEN_UP, 2, "1E+30", 1, Refusal.MALFORMED),
    ("one cent beyond the largest price", OPEN_UP, 2, "100000000000000.00", 1, Refusal.MALFORMED),
    ("before the opening", OPEN_UP, 2, "1000.00", -1, Refusal.NOT_STARTED),
    ("at the end", OPEN_UP, 2, "1000.00", 4, Refusal.CLOSED),
    ("after the end", OPEN_UP, 2, "1000.00", 90, Refusal.CLOSED),
    ("closed", dataclasses.replace(LED_UP, phase=Phase.CLOSED), 2, "1200.00", 1, Refusal.CLOSED),
    ("suspended", suspend(LED_UP), 2, "1200.00", 1, Refusal.SUSPENDED),
    ("not a declarant", TIMED_AMONG_DECLARANTS, 3, "1200.00", 1, Refusal.NOT_DECLARED),
    ("a declarant", TIMED_AMONG_DECLARANTS, 2, "1200.00", 1, None),
    ("the leader again", LED_UP, 1, "1200.00", 1, Refusal.LEADING),
    ("below the start", OPEN_UP, 2, "999.99", 1, Refusal.BELOW_START),
    ("the start itself", OPEN_UP, 2, "1000.00", 1, None),
    ("any first bid above the start", OPEN_UP, 2, "1000.01", 1, None),
    ("the current price", LED_UP, 2, "1100.00", 1, Refusal.OUTBID),
    ("below the current price", LED_UP, 2, "1050.00", 1, Refusal.OUTBID),
    ("less than a step", LED_UP, 2, "1149.99", 1, Refusal.STEP),
    ("exactly a step", LED_UP, 2, "1150.00", 1, None),
    ("more than a step", LED_UP, 2, "1163.27", 1, None),
    ("off the grid of whole steps", LED_MULTIPLES, 2, "1163.27", 1, Refusal.NOT_MULTIPLE),
    ("two steps on the grid", LED_MULTIPLES, 2, "1200.00", 1, None),
    (
        "first bid off the grid",
        auction_start(UP_MULTIPLES, opens_at=T0),
        2,
        "1020",
        1,
        Refusal.NOT_MULTIPLE,
    ),
    ("reverse: above the start", OPEN_DOWN, 2, "1000.01", 1, Refusal.BELOW_START),
    ("reverse: the start", OPEN_DOWN, 2, "1000.00", 1, None),
    ("reverse: below the floor", LED_DOWN, 2, "890.00", 1, Refusal.BEYOND_FLOOR),
    ("reverse: the floor itself", LED_DOWN, 2, "900.00", 1, None),
    ("reverse: above the price", LED_DOWN, 2, "960.00", 1, Refusal.OUTBID),
    ("reverse: less than a decrement", LED_DOWN, 2, "945.00", 1, Refusal.STEP),
    ("reverse: one decrement", LED_DOWN, 2, "940.00", 1, None),
    ("reverse: off the grid", OPEN_DOWN, 2, "995.00", 1, Refusal.NOT_MULTIPLE),
    ("listing: before the listing opens", listing(), 2, "1000.00", -1, Refusal.NOT_STARTED),
    ("listing: at the listing close", listing(), 2, "1000.00", 60, Refusal.CLOSED),
    ("listing: a first bid", listing(), 2, "1000.00", 30, None),
]


@pytest.mark.parametrize(
    ("state", "bidder", "amount", "minutes", "refusal"),
    [case[1:] for case in BIDS],
    ids=[case[0] for case in BIDS],
)
def test_a_bid_is_refused_for_the_reason_a_bidder_can_act_on(
    state: State, bidder: int, amount: str, minutes: int, refusal: Refusal | None
) -> None:
    now = T0 + minutes * MIN

    assert bid_refusal(state, bidder, D(amount), now) == refusal
    if refusal is None:
        after = bid_accept(state, bidder, D(amount), now)
        assert (after.price, after.leader, after.seq) == (D(amount), bidder, state.seq + 1)
    else:
        with pytest.raises(ValueError, match=str(refusal)):
            bid_accept(state, bidder, D(amount), now)


def test_a_reverse_bid_between_two_decrements_is_a_step_refusal_without_whole_multiples() -> None:
    free = priced(
        auction_start(dataclasses.replace(DOWN, whole_multiples=False), opens_at=T0),
        "950.00",
        leader=1,
    )

    assert bid_refusal(free, 2, D("945.00"), T0 + MIN) is Refusal.STEP
    assert bid_refusal(free, 2, D("939.99"), T0 + MIN) is None


def test_the_minimum_next_bid_is_the_start_then_the_price_plus_or_minus_a_step() -> None:
    assert bid_minimum(OPEN_UP) == D("1000.00")
    assert bid_minimum(LED_UP) == D("1150.00")
    assert bid_minimum(OPEN_DOWN) == D("1000.00")
    assert bid_minimum(LED_DOWN) == D("940.00")


def test_a_timed_bid_restarts_the_countdown_and_a_listing_bid_does_not() -> None:
    timed = bid_accept(OPEN_UP, 2, D("1000.00"), T0 + 3 * MIN)
    listed = bid_accept(listing(), 2, D("1000.00"), T0 + 3 * MIN)

    assert timed.ends_at == T0 + 3 * MIN + COUNTDOWN
    assert listed.ends_at == T0 + 60 * MIN


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (dict(start=D("0")), "prices"),
        (dict(step=D("-1")), "prices"),
        (dict(step=D("0.001")), "prices"),
        (dict(start=D("1E+20")), "prices"),
        (dict(countdown=timedelta(0)), "countdown"),
        (dict(floor=D("900.00")), "floor"),
    ],
)
def test_impossible_rules_are_refused_when_the_sale_is_set_up(rules: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(UP, **rules)


def test_a_floor_above_the_start_of_a_reverse_auction_is_refused() -> None:
    with pytest.raises(ValueError, match="floor"):
        dataclasses.replace(DOWN, floor=D("1000.01"))


# --- declarations (要求报价) ---
WINDOW_OPENS = 50  # minutes after T0: the listing closes at 60 with a 10-minute window

DECLARATIONS = [
    ("before the window", listing(), 1, WINDOW_OPENS - 1, Refusal.NOT_IN_WINDOW),
    ("as the window opens", listing(), 1, WINDOW_OPENS, None),
    ("at the close", listing(), 1, 60, Refusal.NOT_IN_WINDOW),
    ("twice", declare(listing(), 1, T0 + 55 * MIN), 1, 56, Refusal.ALREADY_DECLARED),
    ("a second bidder", declare(listing(), 1, T0 + 55 * MIN), 2, 56, None),
    ("in timed bidding", OPEN_UP, 1, 1, Refusal.CLOSED),
    ("while suspended", suspend(listing()), 1, 55, Refusal.SUSPENDED),
    ("without a window", listing(UP), 1, 59, Refusal.NOT_IN_WINDOW),
    (
        "before a resumed listing reopens",
        resume(suspend(listing()), T0 + 57 * MIN, listing_ends_at=T0 + 70 * MIN),
        1,
        56,
        Refusal.NOT_STARTED,
    ),
]


@pytest.mark.parametrize(
    ("state", "bidder", "minutes", "refusal"),
    [case[1:] for case in DECLARATIONS],
    ids=[case[0] for case in DECLARATIONS],
)
def test_a_declaration_is_taken_only_in_the_window_before_the_listing_close(
    state: State, bidder: int, minutes: int, refusal: Refusal | None
) -> None:
    now = T0 + minutes * MIN

    assert declare_refusal(state, bidder, now) == refusal
    if refusal is None:
        assert bidder in declare(state, bidder, now).declarants
    else:
        with pytest.raises(ValueError, match=str(refusal)):
            declare(state, bidder, now)


# --- the listing close (第20条) and the outcome against the reserve ---
CLOSE = T0 + 60 * MIN


def listed(*, bids: list[tuple[int, str]], declarants: list[int]) -> State:
    state = listing()
    for minute, (bidder, amount) in enumerate(bids, start=1):
        state = bid_accept(state, bidder, D(amount), T0 + minute * MIN)
    for bidder in declarants:
        state = declare(state, bidder, T0 + 55 * MIN)
    return state


LISTING_CLOSES = [
    # (case, bids, declarants, reserve, phase after the close, outcome if it closed)
    ("no bids, no declarants", [], [], None, Phase.CLOSED, Outcome(False, None, None)),
    ("no bids, one declarant", [], [1], None, Phase.CLOSED, Outcome(False, None, None)),
    (
        "one bid, nobody declares: the bid buys",
        [(1, "1000.00")],
        [],
        None,
        Phase.CLOSED,
        Outcome(True, 1, D("1000.00")),
    ),
    (
        "bids, one declarant: the highest bid buys at the listing price",
        [(1, "1000.00"), (2, "1100.00")],
        [2],
        D("1100.00"),
        Phase.CLOSED,
        Outcome(True, 2, D("1100.00")),
    ),
    (
        "bids, one declarant, the reserve not reached: 流拍",
        [(1, "1000.00"), (2, "1100.00")],
        [1],
        D("1100.01"),
        Phase.CLOSED,
        Outcome(False, None, None),
    ),
    ("two declarants, no bids: timed bidding", [], [1, 2], None, Phase.TIMED, None),
    (
        "bids, three declarants: timed bidding from the price",
        [(1, "1000.00"), (2, "1100.00")],
        [1, 2, 3],
        D("5000.00"),
        Phase.TIMED,
        None,
    ),
]


@pytest.mark.parametrize(
    ("bids", "declarants", "reserve", "phase", "result"),
    [case[1:] for case in LISTING_CLOSES],
    ids=[case[0] for case in LISTING_CLOSES],
)
def test_the_listing_close_goes_to_timed_bidding_with_two_declarants_else_decides(
    bids: list[tuple[int, str]],
    declarants: list[int],
    reserve: Decimal | None,
    phase: Phase,
    result: Outcome | None,
) -> None:
    before = listed(bids=bids, declarants=declarants)

    after = listing_close(before, CLOSE)

    assert after.phase is phase
    assert (after.price, after.leader) == (before.price, before.leader)
    if phase is Phase.TIMED:
        assert after.bidders == frozenset(declarants)
        assert (after.opens_at, after.ends_at) == (CLOSE, CLOSE + COUNTDOWN)
    else:
        assert outcome(after, reserve) == result


def test_timed_bidding_after_the_listing_starts_from_its_price_among_declarants_only() -> None:
    timed = listing_close(listed(bids=[(1, "1000.00"), (2, "1100.00")], declarants=[1, 2]), CLOSE)

    assert bid_refusal(timed, 3, D("1200.00"), CLOSE) is Refusal.NOT_DECLARED
    assert bid_refusal(timed, 2, D("1200.00"), CLOSE) is Refusal.LEADING
    assert bid_refusal(timed, 1, D("1100.00"), CLOSE) is Refusal.OUTBID
    after = bid_accept(timed, 1, D("1150.00"), CLOSE + MIN)
    assert after.ends_at == CLOSE + MIN + COUNTDOWN


def test_a_listing_cannot_close_early_nor_twice() -> None:
    with pytest.raises(ValueError, match="not due"):
        listing_close(listing(), CLOSE - timedelta(seconds=1))
    with pytest.raises(ValueError, match="not due"):
        listing_close(listing_close(listing(), CLOSE), CLOSE)


@pytest.mark.parametrize(
    ("state", "reserve", "result"),
    [
        (LED_UP, None, Outcome(True, 1, D("1100.00"))),
        (LED_UP, D("1100.00"), Outcome(True, 1, D("1100.00"))),
        (LED_UP, D("1100.01"), Outcome(False, None, None)),
        (OPEN_UP, None, Outcome(False, None, None)),
        (LED_DOWN, D("950.00"), Outcome(True, 1, D("950.00"))),
        (LED_DOWN, D("949.99"), Outcome(False, None, None)),
        (LED_DOWN, D("2000.00"), Outcome(True, 1, D("950.00"))),
    ],
    ids=[
        "no reserve",
        "the reserve reached exactly",
        "a cent short of the reserve",
        "no bid",
        "reverse: at the reserve (the buyer's ceiling)",
        "reverse: above the ceiling",
        "reverse: well below the ceiling",
    ],
)
def test_the_leader_buys_when_its_price_reaches_the_reserve(
    state: State, reserve: Decimal | None, result: Outcome
) -> None:
    assert outcome(dataclasses.replace(state, phase=Phase.CLOSED), reserve) == result


# --- timed close, due work, suspension and resumption ---
def test_the_countdown_closes_the_auction_only_once_it_has_run_out() -> None:
    bid = bid_accept(OPEN_UP, 2, D("1000.00"), T0 + MIN)
    end = T0 + MIN + COUNTDOWN

    assert not is_due(bid, end - timedelta(microseconds=1))
    assert is_due(bid, end)
    with pytest.raises(ValueError, match="not run out"):
        timed_close(bid, end - timedelta(microseconds=1))
    closed = timed_close(bid, end)
    assert closed.phase is Phase.CLOSED
    assert not is_due(closed, end + MIN)
    assert not is_due(suspend(bid), end + MIN)


def test_a_suspended_timed_auction_resumes_with_a_fresh_countdown_and_its_leader() -> None:
    bid = bid_accept(OPEN_UP, 2, D("1000.00"), T0 + MIN)
    at = T0 + 30 * MIN

    resumed = resume(suspend(bid), at)

    assert resumed.phase is Phase.TIMED
    assert (resumed.price, resumed.leader, resumed.seq) == (D("1000.00"), 2, 1)
    assert (resumed.opens_at, resumed.ends_at) == (at, at + COUNTDOWN)
    assert bid_refusal(resumed, 3, D("1050.00"), at - timedelta(seconds=1)) is Refusal.NOT_STARTED
    assert bid_refusal(resumed, 3, D("1050.00"), at) is None


def test_a_suspended_listing_resumes_its_listing_period() -> None:
    suspended = suspend(listing())

    assert resume(suspended, T0 + 30 * MIN).ends_at == T0 + 60 * MIN
    assert resume(suspended, T0 + 70 * MIN, listing_ends_at=T0 + 80 * MIN).ends_at == T0 + 80 * MIN
    with pytest.raises(ValueError, match="end after"):
        resume(suspended, T0 + 70 * MIN)


def test_only_a_running_auction_suspends_and_only_a_suspended_one_resumes() -> None:
    with pytest.raises(ValueError, match="running"):
        suspend(suspend(OPEN_UP))
    with pytest.raises(ValueError, match="running"):
        suspend(dataclasses.replace(OPEN_UP, phase=Phase.CLOSED))
    with pytest.raises(ValueError, match="suspended"):
        resume(OPEN_UP, T0)


OUTAGE_THRESHOLD = timedelta(seconds=60)
# The countdown's last run: the bid at T0 + 10 min restarted it, it ends at T0 + 14 min.
COUNTING = bid_accept(auction_start(UP, opens_at=T0 + 8 * MIN), 2, D("1000.00"), T0 + 10 * MIN)


def span(start_minutes: float, seconds: int) -> tuple[datetime, datetime]:
    started = T0 + timedelta(minutes=start_minutes)
    return started, started + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("outages", "suspends"),
    [
        ([], False),
        ([span(11, 61)], True),
        ([span(11, 60)], False),  # not longer than the threshold
        ([span(8, 61)], False),  # before the countdown's last run
        ([span(9.5, 120)], True),  # began before, reached into it
        ([span(14, 300)], False),  # began as the countdown ended
        ([span(2, 30), span(12, 90)], True),
    ],
    ids=["none", "inside", "at the threshold", "before", "overlapping", "after", "two"],
)
def test_an_outage_over_the_threshold_during_the_countdown_means_suspend_not_close(
    outages: list[tuple[datetime, datetime]], suspends: bool
) -> None:
    assert outage_during_countdown(COUNTING, outages, OUTAGE_THRESHOLD) is suspends
