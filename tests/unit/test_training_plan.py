"""The training plan: a training lot's next step, its scaled deadlines, when it is stuck."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trading.domain.lifecycle import (
    TERMINAL,
    Family,
    IllegalTransition,
    LotEvent,
    LotStatus,
    allowed_events,
    lot_table,
    transition,
)
from trading.domain.procedures import is_sale
from trading.domain.training import (
    ACT_AFTER_DAYS,
    SCRIPTED_EVENT,
    STUCK_AFTER_DAYS,
    WAITING,
    Step,
    TrainingLot,
    is_stuck,
    scaled,
    step_is_due,
    training_plan,
)

T0 = datetime.fromisoformat("2026-11-30T12:00:00+08:00")
SCALE = 1440  # one training day per minute
MINUTE = timedelta(minutes=1)
NOW = timedelta(0)


def lot(status: LotStatus, family: Family = Family.SEALED_BID, **facts: object) -> TrainingLot:
    return TrainingLot(
        family=family,
        status=status,
        scale=SCALE,
        status_changed_at=T0,
        **facts,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("status", "family", "facts", "step", "since"),
    [
        (LotStatus.PUBLISHED, Family.SEALED_BID, {"timed_at": T0 + MINUTE}, Step.WAIT, MINUTE),
        (
            LotStatus.BIDDING,
            Family.NEGOTIATED,
            {"timed_at": T0 + 3 * MINUTE},
            Step.WAIT,
            3 * MINUTE,
        ),
        (LotStatus.OPENING, Family.SEALED_BID, {}, Step.RECORD_BIDS, NOW),
        (LotStatus.PREQUAL_REVIEW, Family.PREQUALIFIED, {}, Step.RECORD_PREQUALIFICATION, NOW),
        (LotStatus.EVALUATION, Family.SEALED_BID, {}, Step.RECORD_EVALUATION, NOW),
        (
            LotStatus.EVALUATION,
            Family.SEALED_BID,
            {"candidate_publicity": False, "evaluated_at": T0 + MINUTE},
            Step.AWARD,
            MINUTE,
        ),
        (LotStatus.NEGOTIATION, Family.NEGOTIATED, {}, Step.RECORD_NEGOTIATION, NOW),
        (LotStatus.AUCTION, Family.LISTING_AUCTION, {}, Step.RECORD_AUCTION, NOW),
        (LotStatus.LISTING_CLOSED, Family.LISTING, {}, Step.RECORD_LISTING, NOW),
        (LotStatus.LISTING_CLOSED, Family.PROPERTY_DISCLOSURE, {}, Step.RECORD_TRANSFEREES, NOW),
        (LotStatus.AGREEMENT, Family.PROPERTY_DISCLOSURE, {}, Step.RECORD_AGREEMENT, NOW),
        (LotStatus.PUBLICITY, Family.SEALED_BID, {}, Step.PUBLICATION, NOW),
        (
            LotStatus.PUBLICITY,
            Family.SEALED_BID,
            {"publicity_ends_at": T0 + 4 * MINUTE},
            Step.AWARD,
            4 * MINUTE,
        ),
        (LotStatus.AWARDED, Family.SEALED_BID, {}, Step.PUBLICATION, NOW),
        (
            LotStatus.AWARDED,
            Family.LISTING_AUCTION,
            {"letter_issued_at": T0 + MINUTE},
            Step.CONTRACT,
            MINUTE,
        ),
        (LotStatus.CONTRACTED, Family.NEGOTIATED, {}, Step.REPORT, NOW),
        (
            LotStatus.BIDDING,
            Family.SEALED_BID,
            {"timed_at": T0 + MINUTE, "suspended_at": T0 + 2 * MINUTE},
            Step.RESUME,
            2 * MINUTE,
        ),
    ],
)
def test_the_next_step_of_a_training_lot_and_the_moment_it_waits_from(
    status: LotStatus, family: Family, facts: dict[str, object], step: Step, since: timedelta
) -> None:
    plan = training_plan(lot(status, family, **facts))
    assert plan is not None
    assert plan.step is step
    act = timedelta(0) if step in WAITING else scaled(ACT_AFTER_DAYS, SCALE)
    assert plan.due_at == T0 + since + act
    assert plan.stuck_at == plan.due_at + scaled(STUCK_AFTER_DAYS, SCALE)


@pytest.mark.parametrize("status", [*TERMINAL, LotStatus.DRAFT])
def test_a_lot_that_is_over_or_still_a_draft_has_no_plan(status: LotStatus) -> None:
    assert training_plan(lot(status)) is None


def test_at_one_day_a_minute_the_actor_acts_after_30_seconds_and_a_lot_is_stuck_after_3_minutes():
    plan = training_plan(lot(LotStatus.OPENING))
    assert plan is not None
    assert plan.due_at == T0 + timedelta(seconds=30)
    assert plan.stuck_at == T0 + timedelta(minutes=3, seconds=30)
    assert not step_is_due(plan, T0 + timedelta(seconds=29))  # the user may still act
    assert step_is_due(plan, T0 + timedelta(seconds=30))
    assert not is_stuck(plan, T0 + timedelta(minutes=3, seconds=29))
    assert is_stuck(plan, T0 + timedelta(minutes=3, seconds=30))
    assert not step_is_due(plan, plan.stuck_at)  # stuck: closed, never acted on


@pytest.mark.parametrize("step", sorted(WAITING))
def test_nobody_acts_on_what_a_lot_waits_for(step: Step) -> None:
    assert step not in SCRIPTED_EVENT


def test_a_time_scale_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        scaled(1, 0)


@pytest.mark.parametrize("family", list(Family))
@pytest.mark.parametrize(
    "status", [s for s in LotStatus if s not in TERMINAL and s is not LotStatus.DRAFT]
)
def test_every_running_training_lot_may_be_closed_and_a_real_one_may_not(
    family: Family, status: LotStatus
) -> None:
    assert transition(family, status, LotEvent.TRAINING_CLOSE, training=True) is LotStatus.CLOSED
    assert LotEvent.TRAINING_CLOSE in allowed_events(family, status, training=True)
    assert LotEvent.TRAINING_CLOSE not in allowed_events(family, status)
    with pytest.raises(IllegalTransition):
        transition(family, status, LotEvent.TRAINING_CLOSE)


# Only procurement goes without candidate publicity (政府采购法实施条例 第43条), never a sale.
PROCEDURE_KINDS = [(family, True) for family in Family] + [
    (family, False) for family in Family if not is_sale(family)
]


@pytest.mark.parametrize(("family", "publicity"), PROCEDURE_KINDS)
def test_every_step_the_actor_takes_is_an_edge_of_the_lots_table(
    family: Family, publicity: bool
) -> None:
    table = lot_table(family, candidate_publicity=publicity)
    # The statuses the family's own edges leave (every status may be terminated).
    statuses = {status for status, event in table if event is not LotEvent.TERMINATE}
    for status in statuses - {LotStatus.DRAFT}:
        if status in TERMINAL:
            continue
        facts = _facts_reaching(status, publicity)
        plan = training_plan(lot(status, family, candidate_publicity=publicity, **facts))
        assert plan is not None
        event = SCRIPTED_EVENT.get(plan.step)
        if event is None or (not publicity and plan.step is Step.RECORD_EVALUATION):
            continue
        if not publicity and plan.step is Step.RECORD_NEGOTIATION:
            continue
        assert event in allowed_events(family, status, candidate_publicity=publicity), (
            family,
            status,
            plan.step,
        )


def _facts_reaching(status: LotStatus, publicity: bool) -> dict[str, object]:
    """The facts that make the actor act in `status` (a period over, a letter issued)."""
    if status is LotStatus.PUBLICITY:
        return {"publicity_ends_at": T0}
    if status is LotStatus.AWARDED:
        return {"letter_issued_at": T0}
    return {}


# --- the property: every training lot ends, within its scaled time ---------------------------


def _simulate(
    family: Family,
    publicity: bool,
    scale: int,
    actor_fails: list[bool],
    delays: list[float],
) -> tuple[LotStatus, datetime, int]:
    """Play a training lot from its publication as the chronograph would: timed events fire at
    their time, notices are published after a delay (in training days), the actor takes its
    step when due unless it fails; a lot past its stuck moment is closed. Returns the last
    status, when it was reached and the number of transitions."""
    day = scaled(1, scale)
    status = transition(family, LotStatus.DRAFT, LotEvent.PUBLISH)
    changed = T0
    opens, closes = T0 + day, T0 + 4 * day
    evaluated: datetime | None = None
    publicity_ends: datetime | None = None
    letter: datetime | None = None
    moves = 0
    fails = iter(actor_fails)
    waits = iter(delays)
    while status not in TERMINAL:
        timed = {
            LotStatus.PREQUALIFICATION: T0 + day / 2,
            LotStatus.PUBLISHED: opens,
            LotStatus.BIDDING: closes,
        }.get(status)
        facts = TrainingLot(
            family=family,
            status=status,
            scale=scale,
            status_changed_at=changed,
            candidate_publicity=publicity,
            timed_at=timed,
            evaluated_at=evaluated,
            publicity_ends_at=publicity_ends,
            letter_issued_at=letter,
        )
        plan = training_plan(facts)
        assert plan is not None
        assert plan.due_at <= plan.stuck_at
        now = plan.due_at
        event: LotEvent | None
        if plan.step is Step.WAIT:
            event = {
                LotStatus.PREQUALIFICATION: LotEvent.CLOSE_APPLICATIONS,
                LotStatus.PUBLISHED: LotEvent.OPEN_BIDDING,
                LotStatus.BIDDING: LotEvent.CLOSE_BIDDING,
            }[status]
        elif plan.step is Step.PUBLICATION:
            published = changed + day * next(waits, 0.1)
            if published >= plan.stuck_at:
                now, event = plan.stuck_at, LotEvent.TRAINING_CLOSE
            elif status is LotStatus.PUBLICITY:
                publicity_ends = published + 5 * day  # a publicity of up to 5 days
                continue
            else:
                letter = published
                continue
        elif next(fails, False):
            now, event = plan.stuck_at, LotEvent.TRAINING_CLOSE
        else:
            event = SCRIPTED_EVENT[plan.step]
            if not publicity and plan.step in (Step.RECORD_EVALUATION, Step.RECORD_NEGOTIATION):
                evaluated, changed = now, now
                continue
        assert event is not None
        assert is_stuck(plan, now) or event is not LotEvent.TRAINING_CLOSE
        status = transition(family, status, event, candidate_publicity=publicity, training=True)
        changed = now
        moves += 1
        assert moves < 20, "a training lot must not go round in circles"
    return status, changed, moves


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(PROCEDURE_KINDS),
    scale=st.sampled_from([1440, 2880]),
    actor_fails=st.lists(st.booleans(), max_size=12),
    delays=st.lists(st.floats(min_value=0, max_value=6), max_size=4),
)
def test_every_training_lot_reaches_a_terminal_status_within_its_scaled_time(
    kind: tuple[Family, bool], scale: int, actor_fails: list[bool], delays: list[float]
) -> None:
    family, publicity = kind
    status, ended, moves = _simulate(family, publicity, scale, actor_fails, delays)
    assert status in TERMINAL
    # Its schedule (bidding closes after 4 days), then at most 5 days of publicity and every
    # other status no later than its stuck moment.
    per_status = scaled(ACT_AFTER_DAYS + STUCK_AFTER_DAYS, scale)
    assert ended - T0 <= scaled(4 + 5, scale) + moves * per_status
    # At one training day a minute that is within a quarter of an hour for a lot that succeeds.
    if not any(actor_fails) and all(d <= ACT_AFTER_DAYS for d in delays):
        assert status is LotStatus.CLOSED
        assert ended - T0 <= timedelta(minutes=15) * 1440 / scale
