"""Training tenders: which step comes next for a training lot, when it is due, when it is stuck.

Pure: no Django, no clock. A training tender (Project.training) runs its legal time `scale` times
faster than the real one. Every step a person takes (recording the opening, the evaluation, the
auction's result, the award, the contract, the report) is offered to the user running the
training for half a training day, then taken by the scenario's demo actor; every timed event
fires by the chronograph. A lot whose step or timed event is more than STUCK_AFTER training days
late cannot move: it is closed (LotEvent.TRAINING_CLOSE) with the reason, so no training lot
sits forever. A training tender is no transaction: no law binds it, the plan only imitates one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from trading.domain.lifecycle import TERMINAL, Family, LotEvent, LotStatus

DAY = timedelta(days=1)
# The user running the training may take the step themselves this long before the actor does.
ACT_AFTER_DAYS = 0.5
# A step or timed event this many training days late means the lot cannot move: it is closed.
STUCK_AFTER_DAYS = 3


class Step(enum.StrEnum):
    """What a training lot waits for: a person's step (or the actor's), or what it waits for."""

    WAIT = "wait"  # a timed event of the lot's schedule
    PUBLICATION = "publication"  # a notice's publication (the scenario approves it)
    RESUME = "resume"  # a hold being lifted (staff or a regulator decide; no actor does)
    RECORD_BIDS = "record_bids"  # staff: the opening's valid bids (法 第34条)
    RECORD_PREQUALIFICATION = "record_prequalification"  # staff: qualified applicants (第19条)
    RECORD_EVALUATION = "record_evaluation"  # staff: the committee's ranked candidates (第53条)
    RECORD_NEGOTIATION = "record_negotiation"  # staff: the negotiation record
    RECORD_AUCTION = "record_auction"  # staff: the auction's result (no room for training lots)
    RECORD_LISTING = "record_listing"  # staff: the listing's bidders (39号令 第20条)
    RECORD_TRANSFEREES = "record_transferees"  # staff: qualified transferees (32号令 第22条)
    RECORD_AGREEMENT = "record_agreement"  # staff: the 协议转让's result
    AWARD = "award"  # owner: confirm the first candidate (法 第45条)
    CONTRACT = "contract"  # owner: the signed contract (法 第46条)
    REPORT = "report"  # owner: the written report (法 第47条), which closes the lot


# The event the demo actor's step leads to. The actor makes every training lot succeed: enough
# bids, a sale, an agreement; two bidders at a close, so a property transfer shows its auction.
# RECORD_EVALUATION and RECORD_NEGOTIATION without candidate publicity move nothing (the award
# follows the report, 政府采购法实施条例 第43条): None.
SCRIPTED_EVENT: dict[Step, LotEvent | None] = {
    Step.RECORD_BIDS: LotEvent.BIDS_SUFFICIENT,
    Step.RECORD_PREQUALIFICATION: LotEvent.APPLICANTS_SUFFICIENT,
    Step.RECORD_EVALUATION: LotEvent.EVALUATION_REPORTED,
    Step.RECORD_NEGOTIATION: LotEvent.NEGOTIATED,
    Step.RECORD_AUCTION: LotEvent.SOLD,
    Step.RECORD_LISTING: LotEvent.SEVERAL_BIDDERS,
    Step.RECORD_TRANSFEREES: LotEvent.SEVERAL_BIDDERS,
    Step.RECORD_AGREEMENT: LotEvent.SOLD,
    Step.AWARD: LotEvent.AWARD,
    Step.CONTRACT: LotEvent.CONTRACT,
    Step.REPORT: LotEvent.CLOSE,
}

# What nobody of the scenario does: the lot waits for it.
WAITING = frozenset({Step.WAIT, Step.PUBLICATION, Step.RESUME})

# What a person does in each status where nothing fires by itself.
_BY_STATUS: dict[LotStatus, Step] = {
    LotStatus.OPENING: Step.RECORD_BIDS,
    LotStatus.PREQUAL_REVIEW: Step.RECORD_PREQUALIFICATION,
    LotStatus.EVALUATION: Step.RECORD_EVALUATION,
    LotStatus.NEGOTIATION: Step.RECORD_NEGOTIATION,
    LotStatus.AUCTION: Step.RECORD_AUCTION,
    LotStatus.AGREEMENT: Step.RECORD_AGREEMENT,
    LotStatus.CONTRACTED: Step.REPORT,
}

# Statuses the chronograph moves at a time of the lot's schedule.
TIMED = frozenset({LotStatus.PUBLISHED, LotStatus.BIDDING, LotStatus.PREQUALIFICATION})


@dataclass(frozen=True)
class TrainingLot:
    """What the plan reads of a training lot (the service fills it from the rows)."""

    family: Family
    status: LotStatus
    scale: int
    status_changed_at: datetime
    candidate_publicity: bool = True
    timed_at: datetime | None = None  # the schedule time a timed status waits for
    evaluated_at: datetime | None = None  # report or agreed negotiation recorded, no publicity
    publicity_ends_at: datetime | None = None
    letter_issued_at: datetime | None = None
    suspended_at: datetime | None = None


@dataclass(frozen=True)
class Plan:
    """The lot's next step, when the demo actor takes it, and when the lot counts as stuck."""

    step: Step
    due_at: datetime
    stuck_at: datetime


def scaled(days: float, scale: int) -> timedelta:
    """`days` of training time in real time: one day lasts 1/scale of a real day."""
    if scale < 1:
        raise ValueError(f"a time scale is at least 1, got {scale}")
    return DAY * days / scale


def next_step(lot: TrainingLot) -> tuple[Step, datetime]:
    """The lot's next step and the moment it waits from (its status, a period's end, a letter)."""
    status = lot.status
    if lot.suspended_at is not None:
        return Step.RESUME, lot.suspended_at
    if status in TIMED:
        return Step.WAIT, lot.timed_at or lot.status_changed_at
    if status is LotStatus.LISTING_CLOSED:
        if lot.family is Family.PROPERTY_DISCLOSURE:
            return Step.RECORD_TRANSFEREES, lot.status_changed_at
        return Step.RECORD_LISTING, lot.status_changed_at
    if status in (LotStatus.EVALUATION, LotStatus.NEGOTIATION) and lot.evaluated_at is not None:
        # No candidate publicity: the purchaser awards from the report (第43条).
        return Step.AWARD, lot.evaluated_at
    if status is LotStatus.PUBLICITY:
        if lot.publicity_ends_at is None:
            # Its notice is not public yet; the period runs from its publication (第54条).
            return Step.PUBLICATION, lot.status_changed_at
        return Step.AWARD, lot.publicity_ends_at
    if status is LotStatus.AWARDED:
        if lot.letter_issued_at is None:
            # The letter is issued by its publication (法 第45条).
            return Step.PUBLICATION, lot.status_changed_at
        return Step.CONTRACT, lot.letter_issued_at
    step = _BY_STATUS.get(status)
    if step is None:
        raise ValueError(f"a training lot in status {status!s} has no next step")
    return step, lot.status_changed_at


def training_plan(lot: TrainingLot) -> Plan | None:
    """The lot's plan: None once it is over (or still a draft, which nothing times)."""
    if lot.status in TERMINAL or lot.status is LotStatus.DRAFT:
        return None
    step, since = next_step(lot)
    if step in WAITING:
        return Plan(step, since, since + scaled(STUCK_AFTER_DAYS, lot.scale))
    due = since + scaled(ACT_AFTER_DAYS, lot.scale)
    return Plan(step, due, due + scaled(STUCK_AFTER_DAYS, lot.scale))


def step_is_due(plan: Plan | None, now: datetime) -> bool:
    """The demo actor takes the step now (the user running the training did not)."""
    return plan is not None and plan.step not in WAITING and plan.due_at <= now < plan.stuck_at


def is_stuck(plan: Plan | None, now: datetime) -> bool:
    """The lot could not move within its scaled time: the scenario closes it."""
    return plan is not None and now >= plan.stuck_at
