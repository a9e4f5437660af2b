"""The bidder's next steps on a lot it follows, stage by stage (bidding.domain.workspace)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bidding.domain.workspace import Action, LotFacts, is_past, next_steps

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
CLOSES = NOW + timedelta(days=20)
DEPOSIT_DUE = NOW + timedelta(days=18)

OPEN = LotFacts(
    status="bidding",
    family="sealed_bid",
    closes_at=CLOSES,
    deposit_required=True,
    cash_allowed=True,
    guarantee_allowed=False,
    deposit_settled=False,
    deposit_deadline=DEPOSIT_DUE,
    documents=True,
    downloaded=False,
    withdrawn=False,
    publicity_ends_at=None,
)


def _actions(facts: LotFacts, now: datetime = NOW) -> list[Action]:
    return [step.action for step in next_steps(facts, now)]


def test_an_open_sealed_bid_lot_asks_for_documents_deposit_bid_and_opening_with_deadlines() -> None:
    steps = next_steps(OPEN, NOW)
    assert [s.action for s in steps] == [
        Action.DOWNLOAD,
        Action.PAY,
        Action.SUBMIT,
        Action.OPENING,
    ]
    assert [s.due for s in steps] == [CLOSES, DEPOSIT_DUE, CLOSES, CLOSES]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"downloaded": True}, [Action.PAY, Action.SUBMIT, Action.OPENING]),
        ({"deposit_settled": True}, [Action.DOWNLOAD, Action.SUBMIT, Action.OPENING]),
        ({"deposit_required": False}, [Action.DOWNLOAD, Action.SUBMIT, Action.OPENING]),
        (
            {"cash_allowed": False, "guarantee_allowed": True},
            [Action.DOWNLOAD, Action.GUARANTEE, Action.SUBMIT, Action.OPENING],
        ),
        ({"family": "listing", "documents": False}, [Action.PAY, Action.AUCTION]),
        ({"status": "opening"}, [Action.OPENING]),
        ({"status": "auction"}, [Action.AUCTION]),
        ({"status": "evaluation"}, [Action.WAIT]),
        ({"status": "publicity"}, [Action.CANDIDATES]),
        ({"status": "awarded"}, [Action.RESULT]),
        ({"status": "failed"}, [Action.RESULT]),
        ({"withdrawn": True}, []),
    ],
)
def test_each_stage_has_its_own_next_steps(
    change: dict[str, object], expected: list[Action]
) -> None:
    assert _actions(replace(OPEN, **change)) == expected  # type: ignore[arg-type]


def test_after_the_deadline_an_unsettled_deposit_is_no_longer_asked_for() -> None:
    assert _actions(OPEN, CLOSES + timedelta(minutes=1)) == [Action.WAIT]


def test_the_deposit_is_due_by_the_bid_deadline_when_the_tender_sets_no_other() -> None:
    steps = next_steps(replace(OPEN, deposit_deadline=None), NOW)
    assert [s.due for s in steps if s.action == Action.PAY] == [CLOSES]


@pytest.mark.parametrize(
    ("status", "withdrawn", "past"),
    [
        ("bidding", False, False),
        ("publicity", False, False),
        ("awarded", False, True),
        ("contracted", False, True),
        ("closed", False, True),
        ("failed", False, True),
        ("terminated", False, True),
        ("bidding", True, True),
    ],
)
def test_decided_and_withdrawn_lots_are_past(status: str, withdrawn: bool, past: bool) -> None:
    assert is_past(replace(OPEN, status=status, withdrawn=withdrawn)) is past
