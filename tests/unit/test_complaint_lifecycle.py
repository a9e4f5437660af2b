"""The complaint (投诉) lifecycle: every (status, event) pair, the decision orders, the periods."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.domain.complaints import (
    COMPLAINT_TRANSITIONS,
    DECIDED,
    TERMINAL,
    ComplaintEvent,
    ComplaintOrder,
    ComplaintStatus,
    IllegalStep,
    complaint_transition,
    decision_start,
    filing_start,
    order_required,
    working_days_left,
)
from trading.domain.timeline import Calendar
from trading.models import complaints as complaint_models

# Written out literally, independently of the module, so any change to the table fails here.
_ALLOWED = [
    ("filed", "accept", "accepted"),  # 实施条例 第61条
    ("filed", "refuse", "refused"),
    ("filed", "withdraw", "withdrawn"),  # 财政部令第94号 第24条
    ("accepted", "request_statements", "statements_requested"),
    ("accepted", "extend", "accepted"),
    ("accepted", "dismiss", "dismissed"),
    ("accepted", "uphold", "upheld"),
    ("accepted", "withdraw", "withdrawn"),
    ("statements_requested", "request_statements", "statements_requested"),
    ("statements_requested", "extend", "statements_requested"),
    ("statements_requested", "dismiss", "dismissed"),
    ("statements_requested", "uphold", "upheld"),
    ("statements_requested", "withdraw", "withdrawn"),
]
_ALLOWED_PAIRS = {(s, e): t for s, e, t in _ALLOWED}


@pytest.mark.parametrize(
    ("status", "event"), list(itertools.product(ComplaintStatus, ComplaintEvent))
)
def test_every_status_event_pair(status: ComplaintStatus, event: ComplaintEvent) -> None:
    expected = _ALLOWED_PAIRS.get((status.value, event.value))
    if expected is None:
        with pytest.raises(IllegalStep):
            complaint_transition(status, event)
    else:
        assert complaint_transition(status, event) == expected


def test_table_is_exactly_the_listed_steps() -> None:
    assert {(s.value, e.value): t.value for (s, e), t in COMPLAINT_TRANSITIONS.items()} == (
        _ALLOWED_PAIRS
    )


def test_nothing_leaves_a_final_status() -> None:
    assert {s for (s, _e) in COMPLAINT_TRANSITIONS} & TERMINAL == set()
    assert DECIDED <= TERMINAL


@given(st.lists(st.sampled_from(list(ComplaintEvent)), max_size=12))
def test_any_sequence_of_events_ends_in_a_known_status_and_stops_at_a_final_one(
    events: list[ComplaintEvent],
) -> None:
    status = ComplaintStatus.FILED
    decisions = 0
    for event in events:
        try:
            following = complaint_transition(status, event)
        except IllegalStep:
            continue
        assert status not in TERMINAL
        if following in DECIDED:
            decisions += 1
            # A decision is only ever made on an accepted complaint (实施条例 第61条).
            assert status in (ComplaintStatus.ACCEPTED, ComplaintStatus.STATEMENTS_REQUESTED)
        status = following
    assert decisions <= 1


@pytest.mark.parametrize(
    ("event", "order", "wrong"),
    [
        ("uphold", "reevaluate", False),
        ("uphold", "retender", False),
        ("uphold", "correct_documents", False),
        ("uphold", "", True),
        ("uphold", None, True),
        ("uphold", "fine", True),
        ("dismiss", "", False),
        ("dismiss", "retender", True),
        ("accept", None, False),
    ],
)
def test_an_upheld_complaint_names_its_order(event: str, order: str | None, wrong: bool) -> None:
    assert order_required(event, order) is wrong


_T = datetime(2026, 12, 1, 10, tzinfo=UTC)


def test_engineering_counts_from_the_owners_answer() -> None:
    found = filing_start(
        from_point="known",
        objection_raised=True,
        answered_at=_T,
        answer_due=_T + timedelta(days=3),
        now=_T + timedelta(days=1),
    )
    assert found.start == _T and found.refusal is None


@pytest.mark.parametrize("from_point", ["known", "objection_answer_due"])
def test_without_an_objection_first_there_is_no_complaint(from_point: str) -> None:
    found = filing_start(
        from_point=from_point, objection_raised=False, answered_at=None, answer_due=None, now=_T
    )
    assert found.start is None and found.refusal == "objection_first"


def test_engineering_waits_for_the_answer() -> None:
    found = filing_start(
        from_point="known", objection_raised=True, answered_at=None, answer_due=_T, now=_T
    )
    assert found.refusal == "objection_first"


def test_procurement_counts_from_the_end_of_the_answer_period() -> None:
    due = _T + timedelta(days=7)
    waiting = filing_start(
        from_point="objection_answer_due",
        objection_raised=True,
        answered_at=None,
        answer_due=due,
        now=_T,
    )
    assert waiting.refusal == "objection_first"
    unanswered = filing_start(
        from_point="objection_answer_due",
        objection_raised=True,
        answered_at=None,
        answer_due=due,
        now=due + timedelta(hours=1),
    )
    assert unanswered.start == due
    answered = filing_start(
        from_point="objection_answer_due",
        objection_raised=True,
        answered_at=_T + timedelta(days=1),
        answer_due=due,
        now=_T + timedelta(days=2),
    )
    assert answered.start == due


def test_decision_period_starts_where_the_rule_row_says() -> None:
    accepted = _T + timedelta(days=2)
    assert decision_start("complaint", filed_at=_T, accepted_at=accepted) == _T
    assert decision_start("complaint_accepted", filed_at=_T, accepted_at=accepted) == accepted


_CST = ZoneInfo("Asia/Shanghai")
_NEW_YEAR = Calendar(holidays=frozenset({date(2027, 1, 1)}))
# 3 工作日 from Thursday 31 December 2026 end at 24:00 on Wednesday 6 January 2027.
_DUE = datetime(2027, 1, 7, tzinfo=_CST)


@pytest.mark.parametrize(
    ("today", "left"),
    [
        (date(2026, 12, 31), 3),  # 元旦 and the weekend do not count
        (date(2027, 1, 4), 2),
        (date(2027, 1, 6), 0),  # the last day
        (date(2027, 1, 7), -1),  # overdue by a working day
        (date(2027, 1, 11), -3),
    ],
)
def test_working_days_left_skip_holidays_and_weekends(today: date, left: int) -> None:
    now = datetime(today.year, today.month, today.day, 10, tzinfo=_CST)
    assert working_days_left(_NEW_YEAR, now, _DUE) == left


def test_the_models_statuses_and_orders_are_the_domains() -> None:
    assert set(complaint_models.ComplaintStatus.values) == {s.value for s in ComplaintStatus}
    assert set(complaint_models.ComplaintOrder.values) == {o.value for o in ComplaintOrder}
