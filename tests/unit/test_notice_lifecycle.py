"""A notice's table: approved from a draft, published once scheduled, never changed after."""

from __future__ import annotations

import itertools

import pytest

from notices.domain.lifecycle import (
    NOTICE_TRANSITIONS,
    NoticeEvent,
    NoticeState,
    notice_transition,
)
from notices.models import NoticeStatus
from trading.domain.lifecycle import IllegalStep

# Written out literally, so any change to the table fails here.
_NOTICE = {
    ("draft", "approve"): "scheduled",
    ("scheduled", "publish"): "published",
    ("draft", "withdraw"): "withdrawn",
    ("scheduled", "withdraw"): "withdrawn",
}


def test_the_states_are_the_models_statuses() -> None:
    assert {state.value for state in NoticeState} == set(NoticeStatus.values)


@pytest.mark.parametrize(("state", "event"), list(itertools.product(NoticeState, NoticeEvent)))
def test_every_pair_moves_to_its_listed_target_or_is_refused(
    state: NoticeState, event: NoticeEvent
) -> None:
    target = _NOTICE.get((state.value, event.value))
    if target is not None:
        assert notice_transition(state, event) == target
        return
    with pytest.raises(IllegalStep):
        notice_transition(state, event)


def test_a_published_notice_moves_no_more() -> None:
    assert not [pair for pair in NOTICE_TRANSITIONS if pair[0] is NoticeState.PUBLISHED]


def test_the_table_holds_exactly_the_listed_transitions() -> None:
    assert {(s.value, e.value): t.value for (s, e), t in NOTICE_TRANSITIONS.items()} == _NOTICE
