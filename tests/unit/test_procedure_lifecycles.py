"""The procedure-specific lifecycles: land listing (39号令 第20条), property disclosure (32号令),
prequalification (实施条例 第15-19条), and the decisions taken at each close."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.domain.lifecycle import (
    TIMED_EVENTS,
    IllegalTransition,
    LotEvent,
    LotStatus,
    next_check,
    transition,
)
from trading.domain.procedures import (
    MIN_QUALIFIED_APPLICANTS,
    disclosure_outcome,
    is_sale,
    listing_outcome,
    prequalification_outcome,
    redisclosure_needs_approval,
)

_AFTER_RESULT = [
    ("publicity", "award", "awarded"),
    ("awarded", "winner_declined", "failed"),  # a buyer who will not sign: sold again
    ("awarded", "contract", "contracted"),
    ("contracted", "close", "closed"),
]
# Written out literally, independently of the module, so any change to a table fails here.
LAND_LISTING = [
    ("draft", "publish", "published"),
    ("published", "open_bidding", "bidding"),
    ("bidding", "close_bidding", "listing_closed"),
    ("listing_closed", "sold", "publicity"),
    ("listing_closed", "unsold", "failed"),
    ("listing_closed", "several_bidders", "auction"),
    ("auction", "sold", "publicity"),
    ("auction", "unsold", "failed"),
    *_AFTER_RESULT,
]
PROPERTY_DISCLOSURE = [
    ("draft", "publish", "published"),
    ("published", "open_bidding", "bidding"),
    ("bidding", "close_bidding", "listing_closed"),
    ("listing_closed", "extend", "bidding"),
    ("listing_closed", "redisclose", "bidding"),
    ("listing_closed", "unsold", "failed"),
    ("listing_closed", "one_transferee", "agreement"),
    ("listing_closed", "several_bidders", "auction"),
    ("agreement", "sold", "publicity"),
    ("agreement", "unsold", "failed"),
    ("auction", "sold", "publicity"),
    ("auction", "unsold", "failed"),
    *_AFTER_RESULT,
]
PREQUALIFIED = [
    ("draft", "publish", "prequalification"),
    ("prequalification", "close_applications", "prequal_review"),
    ("prequal_review", "applicants_sufficient", "published"),
    ("prequal_review", "applicants_insufficient", "failed"),
    ("published", "open_bidding", "bidding"),
    ("bidding", "close_bidding", "opening"),
    ("opening", "bids_sufficient", "evaluation"),
    ("opening", "bids_insufficient", "failed"),
    ("evaluation", "evaluation_reported", "publicity"),
    ("evaluation", "all_rejected", "failed"),  # 招标投标法 第42条
    ("publicity", "reevaluate", "evaluation"),  # 实施条例 第54条
    ("publicity", "award", "awarded"),
    ("awarded", "next_candidate", "awarded"),  # 实施条例 第55条
    ("awarded", "winner_declined", "failed"),
    ("awarded", "contract", "contracted"),
    ("contracted", "close", "closed"),
]
TABLES = {"listing": LAND_LISTING, "property_disclosure": PROPERTY_DISCLOSURE}
TABLES["prequalified"] = PREQUALIFIED


@pytest.mark.parametrize(
    ("family", "status", "event", "target"),
    [(family, *row) for family, rows in TABLES.items() for row in rows],
)
def test_each_listed_edge_moves_where_the_table_says(
    family: str, status: str, event: str, target: str
) -> None:
    assert transition(family, status, event) == target


def _run(family: str, events: list[str]) -> LotStatus:
    status = LotStatus.DRAFT
    for event in events:
        status = transition(family, status, event)
    return status


_LAND_OPEN = ["publish", "open_bidding", "close_bidding"]


@pytest.mark.parametrize(
    ("events", "end"),
    [
        # 39号令 第20条(一): one bidder at or above the reserve — sold without on-site bidding.
        ([*_LAND_OPEN, "sold", "award", "contract", "close"], LotStatus.CLOSED),
        # 第20条(二): two or more — the highest bid after timed bidding.
        ([*_LAND_OPEN, "several_bidders", "sold"], LotStatus.PUBLICITY),
        # 第20条(三): none, or below the reserve — 挂牌不成交 (流拍).
        ([*_LAND_OPEN, "unsold"], LotStatus.FAILED),
    ],
)
def test_land_listing_is_decided_at_the_close_39号令_第20条(
    events: list[str], end: LotStatus
) -> None:
    assert _run("listing", events) is end


def test_land_listing_never_goes_to_timed_bidding_straight_from_the_listing_39号令_第20条() -> None:
    assert transition("listing", "bidding", "close_bidding") is LotStatus.LISTING_CLOSED
    with pytest.raises(IllegalTransition):
        transition("listing", "listing_closed", "one_transferee")


_DISCLOSE = ["publish", "open_bidding", "close_bidding"]


@pytest.mark.parametrize(
    ("events", "end"),
    [
        # 32号令 第18条: extended, then re-disclosed at a lower price, then one transferee.
        ([*_DISCLOSE, "extend", "close_bidding", "redisclose", "close_bidding"], "listing_closed"),
        ([*_DISCLOSE, "one_transferee", "sold", "award"], "awarded"),
        ([*_DISCLOSE, "several_bidders", "sold"], "publicity"),
        ([*_DISCLOSE, "unsold"], "failed"),
        ([*_DISCLOSE, "one_transferee", "unsold"], "failed"),
        ([*_DISCLOSE, "extend"], "bidding"),
    ],
)
def test_property_disclosure_paths_32号令_第18_22条(events: list[str], end: str) -> None:
    assert _run("property_disclosure", events) == end


def test_a_property_disclosure_is_not_extended_while_it_runs_or_after_the_deal() -> None:
    for status in ("bidding", "agreement", "auction", "publicity"):
        with pytest.raises(IllegalTransition):
            transition("property_disclosure", status, "extend")


@pytest.mark.parametrize(
    ("events", "end"),
    [
        (["publish"], "prequalification"),
        (["publish", "close_applications"], "prequal_review"),
        (["publish", "close_applications", "applicants_sufficient"], "published"),
        (["publish", "close_applications", "applicants_insufficient"], "failed"),
        (
            ["publish", "close_applications", "applicants_sufficient", "open_bidding"],
            "bidding",
        ),
    ],
)
def test_prequalification_comes_before_the_bidding_实施条例_第19条(
    events: list[str], end: str
) -> None:
    assert _run("prequalified", events) == end


def test_a_prequalification_lot_is_not_published_straight_to_bidding() -> None:
    with pytest.raises(IllegalTransition):
        transition("prequalified", "prequalification", "open_bidding")


@pytest.mark.parametrize("status", ["prequalification", "prequal_review", "listing_closed"])
def test_the_new_states_can_be_terminated_before_the_award_实施条例_第31条(status: str) -> None:
    family = {"listing_closed": "property_disclosure"}.get(status, "prequalified")
    assert transition(family, status, "terminate") is LotStatus.TERMINATED


def test_the_chronograph_closes_the_applications_at_their_deadline() -> None:
    assert TIMED_EVENTS[LotStatus.PREQUALIFICATION] == "applications_close_at"
    from datetime import UTC, datetime

    deadline = datetime(2026, 12, 20, 1, 30, tzinfo=UTC)
    due = next_check(
        status="prequalification",
        opens_at=None,
        closes_at=None,
        publicity_ends_at=None,
        suspended=False,
        applications_close_at=deadline,
    )
    assert due == deadline
    suspended = next_check(
        status="prequalification",
        opens_at=None,
        closes_at=None,
        publicity_ends_at=None,
        suspended=True,
        applications_close_at=deadline,
    )
    assert suspended is None


# --- the decisions at the close -------------------------------------------------------------


@pytest.mark.parametrize(
    ("bidders", "reaches_reserve", "event"),
    [
        (0, False, LotEvent.UNSOLD),
        (0, True, LotEvent.UNSOLD),
        (1, True, LotEvent.SOLD),
        (1, False, LotEvent.UNSOLD),
        (2, False, LotEvent.SEVERAL_BIDDERS),
        (2, True, LotEvent.SEVERAL_BIDDERS),
        (7, True, LotEvent.SEVERAL_BIDDERS),
    ],
)
def test_listing_close_39号令_第20条(bidders: int, reaches_reserve: bool, event: LotEvent) -> None:
    assert listing_outcome(bidders, reaches_reserve=reaches_reserve) is event


@pytest.mark.parametrize(
    ("qualified", "event"),
    [(0, None), (1, LotEvent.ONE_TRANSFEREE), (2, LotEvent.SEVERAL_BIDDERS)],
)
def test_disclosure_close_32号令_第22条(qualified: int, event: LotEvent | None) -> None:
    assert disclosure_outcome(qualified) is event


@pytest.mark.parametrize(
    ("qualified", "event"),
    [
        (0, LotEvent.APPLICANTS_INSUFFICIENT),
        (2, LotEvent.APPLICANTS_INSUFFICIENT),
        (3, LotEvent.APPLICANTS_SUFFICIENT),
        (9, LotEvent.APPLICANTS_SUFFICIENT),
    ],
)
def test_fewer_than_3_qualified_applicants_restart_it_实施条例_第19条(
    qualified: int, event: LotEvent
) -> None:
    assert prequalification_outcome(qualified) is event


@given(st.integers(min_value=0, max_value=10_000))
def test_prequalification_outcome_is_the_threshold(qualified: int) -> None:
    sufficient = prequalification_outcome(qualified) is LotEvent.APPLICANTS_SUFFICIENT
    assert sufficient == (qualified >= MIN_QUALIFIED_APPLICANTS)


@pytest.mark.parametrize("bad", [-1, True])
def test_a_negative_count_is_a_programming_error(bad: int) -> None:
    for decide in (disclosure_outcome, prequalification_outcome):
        with pytest.raises(ValueError):
            decide(bad)
    with pytest.raises(ValueError):
        listing_outcome(bad, reaches_reserve=True)


@pytest.mark.parametrize(
    ("price", "valuation", "needs"),
    [
        ("900000.00", "1000000.00", False),  # exactly 90%: no consent needed
        ("899999.99", "1000000.00", True),
        ("950000.00", "1000000.00", False),
        ("1000000.00", "1000000.00", False),
        ("0.00", "1000000.00", True),
    ],
)
def test_a_price_below_90_percent_of_the_valuation_needs_consent_32号令_第18条(
    price: str, valuation: str, needs: bool
) -> None:
    assert redisclosure_needs_approval(Decimal(price), Decimal(valuation)) is needs


@given(
    valuation=st.decimals(min_value=1, max_value=10**9, places=2),
    share=st.decimals(min_value=0, max_value=2, places=4),
)
def test_consent_is_needed_exactly_below_the_90_percent_line(
    valuation: Decimal, share: Decimal
) -> None:
    price = (valuation * share).quantize(Decimal("0.01"))
    assert redisclosure_needs_approval(price, valuation) == (price < valuation * Decimal("0.9"))


def test_sales_are_the_listing_auction_and_property_families() -> None:
    assert is_sale("listing_auction") and is_sale("listing") and is_sale("property_disclosure")
    assert not is_sale("sealed_bid") and not is_sale("prequalified")
