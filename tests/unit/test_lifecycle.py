"""The lot lifecycle: every (family, status, event) triple, the guards and the timed checks."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.test_procedure_lifecycles import TABLES as PROCEDURE_TABLES
from trading.domain.lifecycle import (
    AFTER_AWARD,
    TENDER_TRANSITIONS,
    TERMINAL,
    TIMED_EVENTS,
    TRANSITIONS,
    Family,
    IllegalStep,
    IllegalTransition,
    LotEvent,
    LotStatus,
    TenderEvent,
    TenderStatus,
    allowed_events,
    award_blockers,
    award_must_go_to_first,
    bids_outcome,
    method_change_blockers,
    next_candidate_rank,
    next_check,
    tender_transition,
    transition,
)

# Written out literally, independently of the module, so any change to a table fails here.
_SEALED = [
    ("draft", "publish", "published"),
    ("published", "open_bidding", "bidding"),
    ("bidding", "close_bidding", "opening"),
    ("opening", "bids_sufficient", "evaluation"),
    ("opening", "bids_insufficient", "failed"),
    ("evaluation", "evaluation_reported", "publicity"),
    ("evaluation", "all_rejected", "failed"),  # 招标投标法 第42条; 政府采购法 第36条
    ("publicity", "reevaluate", "evaluation"),  # 实施条例 第54条 (objection upheld)
    ("publicity", "award", "awarded"),
    ("awarded", "next_candidate", "awarded"),  # 实施条例 第55条
    ("awarded", "winner_declined", "failed"),  # 实施条例 第55条: 重新招标
    ("awarded", "contract", "contracted"),
    ("contracted", "close", "closed"),
]
# Single source, 协议出让, 挂网, 谈判: no opening, no bid count; a negotiation record instead.
_NEGOTIATED = [
    ("draft", "publish", "published"),
    ("published", "open_bidding", "bidding"),
    ("bidding", "close_bidding", "negotiation"),
    ("negotiation", "negotiated", "publicity"),
    ("negotiation", "no_agreement", "failed"),
    ("publicity", "reevaluate", "negotiation"),
    ("publicity", "award", "awarded"),
    ("awarded", "next_candidate", "awarded"),
    ("awarded", "winner_declined", "failed"),
    ("awarded", "contract", "contracted"),
    ("contracted", "close", "closed"),
]
_LISTING = [
    ("draft", "publish", "published"),
    ("published", "open_bidding", "bidding"),
    ("bidding", "close_bidding", "auction"),
    ("auction", "sold", "publicity"),
    ("auction", "unsold", "failed"),
    ("publicity", "award", "awarded"),
    ("awarded", "winner_declined", "failed"),  # no second in an auction: re-list
    ("awarded", "contract", "contracted"),
    ("contracted", "close", "closed"),
]
# 终止 before the award only (实施条例 第31条; after it, 招标投标法 第45条 binds the owner).
_TERMINABLE = [
    "published",
    "bidding",
    "opening",
    "auction",
    "evaluation",
    "negotiation",
    "publicity",
    "prequalification",
    "prequal_review",
    "listing_closed",
    "agreement",
]
ALLOWED: dict[tuple[str, str, str], str] = {
    (family, status, event): target
    for family, rows in [
        ("sealed_bid", _SEALED),
        ("negotiated", _NEGOTIATED),
        ("listing_auction", _LISTING),
        *PROCEDURE_TABLES.items(),
    ]
    for status, event, target in rows + [(s, "terminate", "terminated") for s in _TERMINABLE]
}

EVERY_TRIPLE = list(itertools.product(Family, LotStatus, LotEvent))


def test_the_enumerations_have_the_agreed_values() -> None:
    assert {f.value for f in Family} == {
        "sealed_bid",
        "listing_auction",
        "negotiated",
        "listing",
        "property_disclosure",
        "prequalified",
    }
    assert len(LotEvent) == 26  # training_close: training lots only (test_training_plan)
    assert {s.value for s in TERMINAL} == {"closed", "failed", "terminated"}


def test_the_tables_hold_exactly_the_listed_transitions() -> None:
    actual = {(f, s, e): t for f, table in TRANSITIONS.items() for (s, e), t in table.items()}
    assert actual == ALLOWED


@pytest.mark.parametrize(("family", "status", "event"), EVERY_TRIPLE)
def test_every_triple_moves_to_its_listed_target_or_is_refused_by_name(
    family: Family, status: LotStatus, event: LotEvent
) -> None:
    target = ALLOWED.get((family, status, event))
    if target is not None:
        assert transition(family, status, event) == target
        assert event in allowed_events(family, status)
        return
    with pytest.raises(IllegalTransition) as refused:
        transition(family, status, event)
    assert (refused.value.family, refused.value.status, refused.value.event) == (
        family,
        status,
        event,
    )
    for name in (family, status, event):
        assert str(name) in str(refused.value)
    assert event not in allowed_events(family, status)


def test_plain_strings_are_accepted_and_typed_results_returned() -> None:
    result = transition("listing_auction", "bidding", "close_bidding")
    assert result is LotStatus.AUCTION
    assert allowed_events("sealed_bid", "opening") == {
        LotEvent.BIDS_SUFFICIENT,
        LotEvent.BIDS_INSUFFICIENT,
        LotEvent.TERMINATE,
    }


def test_an_unknown_name_is_a_programming_error_not_a_refusal() -> None:
    with pytest.raises(ValueError, match="bogus"):
        transition("sealed_bid", "bogus", "publish")


@pytest.mark.parametrize(("family", "status"), list(itertools.product(Family, TERMINAL)))
def test_a_terminal_status_allows_nothing(family: Family, status: LotStatus) -> None:
    assert allowed_events(family, status) == frozenset()


@pytest.mark.parametrize(
    ("family", "status"),
    [(f, LotStatus(s)) for f in Family for s in _TERMINABLE],
)
def test_a_started_lot_can_be_terminated_until_the_award(family: Family, status: LotStatus) -> None:
    assert transition(family, status, LotEvent.TERMINATE) is LotStatus.TERMINATED


@pytest.mark.parametrize(
    ("family", "status"),
    [(f, s) for f in Family for s in (LotStatus.AWARDED, LotStatus.CONTRACTED)],
)
def test_an_awarded_lot_cannot_be_terminated_the_letter_binds_the_owner(
    family: Family, status: LotStatus
) -> None:
    """招标投标法 第45条: after the award, changing the result is a liability, not a 终止."""
    with pytest.raises(IllegalTransition):
        transition(family, status, LotEvent.TERMINATE)


@pytest.mark.parametrize("family", Family)
def test_a_draft_cannot_be_terminated(family: Family) -> None:
    with pytest.raises(IllegalTransition):
        transition(family, LotStatus.DRAFT, LotEvent.TERMINATE)


def _successors(family: Family, status: LotStatus) -> set[LotStatus]:
    return {transition(family, status, e) for e in allowed_events(family, status)}


def _reachable(family: Family, start: LotStatus) -> set[LotStatus]:
    seen: set[LotStatus] = set()
    todo = [start]
    while todo:
        for nxt in _successors(family, todo.pop()) - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


@pytest.mark.parametrize(("family", "status"), list(itertools.product(Family, TERMINAL)))
def test_no_path_leads_out_of_a_terminal_status(family: Family, status: LotStatus) -> None:
    assert _reachable(family, status) == set()


@pytest.mark.parametrize(
    ("family", "status"), [(f, s) for f in Family for s in LotStatus if s not in TERMINAL]
)
def test_every_live_status_can_reach_an_end(family: Family, status: LotStatus) -> None:
    assert _reachable(family, status) & TERMINAL


_SEALED_PATH = ["publish", "open_bidding", "close_bidding", "bids_sufficient"]
_SEALED_PATH += ["evaluation_reported", "award", "contract", "close"]
_NEGOTIATED_PATH = ["publish", "open_bidding", "close_bidding", "negotiated"]
_NEGOTIATED_PATH += ["award", "contract", "close"]
_LISTING_PATH = ["publish", "open_bidding", "close_bidding", "sold", "award", "contract", "close"]


@pytest.mark.parametrize(
    ("family", "events", "end"),
    [
        (Family.SEALED_BID, _SEALED_PATH, LotStatus.CLOSED),
        (Family.NEGOTIATED, _NEGOTIATED_PATH, LotStatus.CLOSED),
        (Family.NEGOTIATED, [*_NEGOTIATED_PATH[:3], "no_agreement"], LotStatus.FAILED),
        (Family.SEALED_BID, [*_SEALED_PATH[:4], "all_rejected"], LotStatus.FAILED),
        (
            Family.SEALED_BID,
            [*_SEALED_PATH[:5], "reevaluate", "evaluation_reported"],
            LotStatus.PUBLICITY,
        ),
        (
            Family.SEALED_BID,
            [*_SEALED_PATH[:6], "next_candidate", "contract"],
            LotStatus.CONTRACTED,
        ),
        (Family.SEALED_BID, [*_SEALED_PATH[:6], "winner_declined"], LotStatus.FAILED),
        (Family.LISTING_AUCTION, [*_LISTING_PATH[:5], "winner_declined"], LotStatus.FAILED),
        (Family.LISTING_AUCTION, _LISTING_PATH, LotStatus.CLOSED),
        (Family.SEALED_BID, [*_SEALED_PATH[:3], "bids_insufficient"], LotStatus.FAILED),
        (Family.LISTING_AUCTION, [*_LISTING_PATH[:3], "unsold"], LotStatus.FAILED),
        (Family.SEALED_BID, [*_SEALED_PATH[:5], "terminate"], LotStatus.TERMINATED),
    ],
)
def test_each_path_from_draft_ends_where_the_law_says(
    family: Family, events: list[str], end: LotStatus
) -> None:
    status = LotStatus.DRAFT
    for event in events:
        status = transition(family, status, event)
    assert status is end


@given(family=st.sampled_from(Family), events=st.lists(st.sampled_from(LotEvent), max_size=40))
def test_random_event_sequences_stay_in_the_graph_and_never_leave_an_end(
    family: Family, events: list[LotEvent]
) -> None:
    status = LotStatus.DRAFT
    for event in events:
        try:
            after = transition(family, status, event)
        except IllegalTransition:
            continue
        assert after in LotStatus
        assert status not in TERMINAL
        status = after


# Guards.


@pytest.mark.parametrize(
    ("count", "min_bids", "event"),
    [
        (0, 1, LotEvent.BIDS_INSUFFICIENT),
        (1, 1, LotEvent.BIDS_SUFFICIENT),
        (2, 1, LotEvent.BIDS_SUFFICIENT),
        (3, 1, LotEvent.BIDS_SUFFICIENT),
        (10, 1, LotEvent.BIDS_SUFFICIENT),
        (0, 3, LotEvent.BIDS_INSUFFICIENT),
        (1, 3, LotEvent.BIDS_INSUFFICIENT),
        (2, 3, LotEvent.BIDS_INSUFFICIENT),
        (3, 3, LotEvent.BIDS_SUFFICIENT),
        (10, 3, LotEvent.BIDS_SUFFICIENT),
    ],
)
def test_fewer_bids_than_the_minimum_fail_the_lot(
    count: int, min_bids: int, event: LotEvent
) -> None:
    assert bids_outcome(count, min_bids) is event


@pytest.mark.parametrize(("count", "min_bids"), [(-1, 3), (3, 0)])
def test_impossible_bid_counts_are_rejected(count: int, min_bids: int) -> None:
    with pytest.raises(ValueError, match="bid count"):
        bids_outcome(count, min_bids)


@pytest.mark.parametrize(
    ("business_type", "state_funded", "first_only"),
    [
        ("engineering", True, True),
        ("engineering", False, False),
        ("procurement", True, False),
        ("land", True, False),
        ("property", True, False),
        ("other", False, False),
    ],
)
def test_only_state_funded_engineering_must_award_the_first_candidate(
    business_type: str, state_funded: bool, first_only: bool
) -> None:
    result = award_must_go_to_first(state_funded=state_funded, business_type=business_type)
    assert result is first_only


NOW = datetime(2026, 12, 21, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "ends_at", "holds", "blockers"),
    [
        (LotStatus.PUBLICITY, NOW - timedelta(seconds=1), 0, []),
        (LotStatus.PUBLICITY, NOW, 0, []),
        (LotStatus.PUBLICITY, NOW + timedelta(seconds=1), 0, ["publicity_running"]),
        # The publicity runs from its notice (实施条例 第54条): not published, not running.
        (LotStatus.PUBLICITY, None, 0, ["publicity_not_published"]),
        (LotStatus.PUBLICITY, NOW - timedelta(days=1), 1, ["suspended"]),
        (LotStatus.PUBLICITY, NOW + timedelta(days=1), 2, ["publicity_running", "suspended"]),
        (LotStatus.EVALUATION, NOW - timedelta(days=1), 0, ["not_in_publicity"]),
        (LotStatus.AWARDED, NOW - timedelta(days=1), 0, ["not_in_publicity"]),
        (LotStatus.BIDDING, None, 1, ["not_in_publicity", "suspended"]),
    ],
)
def test_award_waits_for_the_end_of_publicity_and_every_hold(
    status: LotStatus, ends_at: datetime | None, holds: int, blockers: list[str]
) -> None:
    result = award_blockers(status=status, now=NOW, publicity_ends_at=ends_at, active_holds=holds)
    assert result == blockers


OPENS, CLOSES, PUBLICITY_ENDS = NOW, NOW + timedelta(days=20), NOW + timedelta(days=30)


def test_the_timed_events_fire_from_the_agreed_schedule_fields() -> None:
    assert TIMED_EVENTS == {
        LotStatus.PUBLISHED: "opens_at",
        LotStatus.BIDDING: "closes_at",
        LotStatus.PREQUALIFICATION: "applications_close_at",
    }


@pytest.mark.parametrize(
    ("status", "suspended", "due"),
    [(s, True, None) for s in LotStatus]
    + [(s, False, None) for s in TERMINAL]
    + [
        (LotStatus.PUBLISHED, False, OPENS),
        (LotStatus.BIDDING, False, CLOSES),
        (LotStatus.PUBLICITY, False, PUBLICITY_ENDS),
        (LotStatus.DRAFT, False, None),
        (LotStatus.OPENING, False, None),
        (LotStatus.AUCTION, False, None),
        (LotStatus.EVALUATION, False, None),
        (LotStatus.NEGOTIATION, False, None),
        (LotStatus.AWARDED, False, None),
        (LotStatus.CONTRACTED, False, None),
    ],
)
def test_next_check_follows_status_and_schedule_and_waits_while_suspended(
    status: LotStatus, suspended: bool, due: datetime | None
) -> None:
    result = next_check(
        status=status,
        opens_at=OPENS,
        closes_at=CLOSES,
        publicity_ends_at=PUBLICITY_ENDS,
        suspended=suspended,
    )
    assert result == due


def test_next_check_is_none_when_the_schedule_field_is_missing() -> None:
    result = next_check(
        status="bidding", opens_at=OPENS, closes_at=None, publicity_ends_at=None, suspended=False
    )
    assert result is None


# --- the tender's table ------------------------------------------------------------------------

_TENDER = {
    ("draft", "submit"): "pending_review",
    ("pending_review", "reject"): "draft",
    ("pending_review", "publish"): "published",
}


@pytest.mark.parametrize(("status", "event"), list(itertools.product(TenderStatus, TenderEvent)))
def test_every_tender_pair_moves_to_its_listed_target_or_is_refused(
    status: TenderStatus, event: TenderEvent
) -> None:
    target = _TENDER.get((status.value, event.value))
    if target is not None:
        assert tender_transition(status, event) == target
        return
    with pytest.raises(IllegalStep) as refused:
        tender_transition(status, event)
    assert (refused.value.state, refused.value.event) == (status, event)


def test_the_tender_table_holds_exactly_the_listed_transitions() -> None:
    assert {(s.value, e.value): t.value for (s, e), t in TENDER_TRANSITIONS.items()} == _TENDER


# --- the ways a lot ends -----------------------------------------------------------------------


@pytest.mark.parametrize("family", Family)
def test_no_event_after_the_award_terminates_or_goes_back_before_it(family: Family) -> None:
    """招标投标法 第45条: after the award the lot ends in a contract or fails; it is not 终止."""
    for status in AFTER_AWARD:
        for event in allowed_events(family, status):
            assert transition(family, status, event) in AFTER_AWARD | {
                LotStatus.FAILED,
                LotStatus.CLOSED,
            }, event


@pytest.mark.parametrize("family", Family)
def test_a_negotiated_lot_has_no_opening_and_no_bid_count(family: Family) -> None:
    events = {e for (_s, e) in TRANSITIONS[family]}
    opening = {LotEvent.BIDS_SUFFICIENT, LotEvent.BIDS_INSUFFICIENT}
    if family is Family.NEGOTIATED:
        assert not events & opening
        assert LotStatus.OPENING not in _reachable(family, LotStatus.DRAFT)
        assert LotStatus.EVALUATION not in _reachable(family, LotStatus.DRAFT)
    else:
        assert LotStatus.NEGOTIATION not in _reachable(family, LotStatus.DRAFT)


@pytest.mark.parametrize(
    ("ranks", "awarded", "next_rank"),
    [
        ([1, 2, 3], [1], 2),
        ([1, 2, 3], [1, 2], 3),
        ([1, 2, 3], [1, 2, 3], None),
        ([1], [1], None),
        ([1, 2, 3], [2], 1),  # the owner chose the second; the first is next in order
        ([1, 2], [], 1),
    ],
)
def test_the_next_candidate_is_the_first_in_order_not_yet_awarded(
    ranks: list[int], awarded: list[int], next_rank: int | None
) -> None:
    """实施条例 第55条: 按照评标委员会提出的中标候选人名单排序依次确定其他中标候选人."""
    assert next_candidate_rank(ranks, awarded) == next_rank


@given(
    ranks=st.sets(st.integers(min_value=1, max_value=3)),
    awarded=st.sets(st.integers(min_value=1, max_value=3)),
)
def test_the_next_candidate_was_never_awarded_and_none_before_it_is_left(
    ranks: set[int], awarded: set[int]
) -> None:
    result = next_candidate_rank(ranks, awarded)
    left = ranks - awarded
    if result is None:
        assert not left
    else:
        assert result in left and result not in awarded
        assert all(rank > result for rank in left - {result})


@pytest.mark.parametrize(
    ("same_procedure", "same_type", "approval", "number", "blockers"),
    [
        (True, True, "", "", []),
        (False, True, "财政部门批复同意", "琼财采〔2026〕12号", []),
        (False, True, "", "琼财采〔2026〕12号", ["approval"]),
        (False, True, "财政部门批复同意", "  ", ["approval_number"]),
        (False, True, "", "", ["approval", "approval_number"]),
        (True, False, "x", "y", ["business_type"]),
    ],
)
def test_a_successor_changes_its_procedure_only_with_a_recorded_approval(
    same_procedure: bool, same_type: bool, approval: str, number: str, blockers: list[str]
) -> None:
    """87号令 第43条: after 流标, another procurement method needs the regulator's approval."""
    result = method_change_blockers(
        same_procedure=same_procedure,
        same_business_type=same_type,
        approval=approval,
        approval_number=number,
    )
    assert result == blockers
