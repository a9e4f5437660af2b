"""The guarantee's state machine, pair by pair, and as a property over any sequence of events."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bidding.domain.guarantees import (
    TERMINAL,
    TRANSITIONS,
    GuaranteeEvent,
    GuaranteeState,
    IllegalGuaranteeTransition,
    guarantee_next,
    verification_problems,
)

S, E = GuaranteeState, GuaranteeEvent

ALLOWED = [
    (S.APPLIED, E.ISSUE, S.ISSUED),
    (S.APPLIED, E.DECLINE, S.REFUSED),
    (S.ISSUED, E.VERIFY, S.VERIFIED),
    (S.ISSUED, E.REFUSE, S.REFUSED),
    (S.ISSUED, E.CLAIM, S.CLAIMED),
    (S.ISSUED, E.RELEASE, S.RELEASED),
    (S.ISSUED, E.EXPIRE, S.EXPIRED),
    (S.VERIFIED, E.CLAIM, S.CLAIMED),
    (S.VERIFIED, E.RELEASE, S.RELEASED),
    (S.VERIFIED, E.EXPIRE, S.EXPIRED),
]


@pytest.mark.parametrize(("before", "event", "after"), ALLOWED)
def test_allowed_transition(
    before: GuaranteeState, event: GuaranteeEvent, after: GuaranteeState
) -> None:
    assert guarantee_next(before, event) is after


REFUSED = [
    (state, event)
    for state in S
    for event in E
    if (state, event) not in {(b, e) for b, e, _ in ALLOWED}
]


@pytest.mark.parametrize(("before", "event"), REFUSED)
def test_every_other_pair_is_refused(before: GuaranteeState, event: GuaranteeEvent) -> None:
    with pytest.raises(IllegalGuaranteeTransition):
        guarantee_next(before, event)


def test_the_table_is_exactly_the_allowed_list() -> None:
    assert {(b, e): a for b, e, a in ALLOWED} == TRANSITIONS


@given(st.lists(st.sampled_from(list(E)), max_size=12))
def test_no_sequence_reaches_an_illegal_state_and_terminal_states_stay(
    events: list[GuaranteeEvent],
) -> None:
    state = S.APPLIED
    path = [state]
    for event in events:
        try:
            state = guarantee_next(state, event)
        except IllegalGuaranteeTransition:
            continue
        path.append(state)
    for earlier, later in itertools.pairwise(path):
        assert earlier not in TERMINAL, f"left terminal {earlier} for {later}"
        assert later in set(S)
    # A guarantee is verified only after it was issued; claimed or released only once standing.
    if S.VERIFIED in path:
        assert path.index(S.ISSUED) < path.index(S.VERIFIED)
    for end in (S.CLAIMED, S.RELEASED):
        if end in path:
            assert S.ISSUED in path[: path.index(end)]


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+08:00")


@pytest.mark.parametrize(
    ("amount", "valid_until", "beneficiary", "codes"),
    [
        ("20000.00", "2027-03-01T00:00", "91460100MA5T000001", []),
        ("19999.99", "2027-03-01T00:00", "91460100MA5T000001", ["amount"]),
        ("20000.00", "2027-02-27T00:00", "91460100MA5T000001", ["validity"]),
        ("20000.00", "2027-03-01T00:00", "91460100MA5T000002", ["beneficiary"]),
        ("1.00", "2026-12-01T00:00", "X", ["amount", "validity", "beneficiary"]),
    ],
)
def test_verification_checks_amount_validity_and_beneficiary(
    amount: str, valid_until: str, beneficiary: str, codes: list[str]
) -> None:
    problems = verification_problems(
        amount=Decimal(amount),
        required_amount=Decimal("20000.00"),
        valid_until=at(valid_until),
        bid_valid_until=at("2027-02-28T00:00"),
        beneficiary_uscc=beneficiary,
        owner_uscc="91460100MA5T000001",
    )
    assert [p.code for p in problems] == codes
