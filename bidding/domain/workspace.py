"""What a bidder does next on a lot it follows, and when the lot leaves its current work.

Pure: no Django, no clock (`now` is given). The texts and links are the selector's.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Action(enum.StrEnum):
    DOWNLOAD = "download"  # 招标文件 (法 第22条 keeps who downloaded secret)
    PAY = "pay"  # cash deposit into the enrolment's sub-account (一标一户)
    GUARANTEE = "guarantee"  # 保函/保证保险 instead of cash (实施条例 第26条)
    SUBMIT = "submit"  # sealed bid, before the deadline (法 第28条)
    OPENING = "opening"  # the opening, at the bid deadline (法 第34条)
    AUCTION = "auction"  # the listing's or auction's bidding
    WAIT = "wait"  # evaluation, review or negotiation: nothing to do but wait
    CANDIDATES = "candidates"  # the candidates are publicised: read them (objections in time)
    RESULT = "result"  # the result is published: read it


# Lot statuses (trading.domain.lifecycle.LotStatus values), kept as strings to stay pure.
_TAKING_BIDS = frozenset({"published", "bidding", "prequalification"})
_WAITING = frozenset({"evaluation", "negotiation", "listing_closed", "prequal_review", "agreement"})
_DONE = frozenset({"awarded", "contracted", "closed", "failed", "terminated"})
_SEALED = frozenset({"sealed_bid", "prequalified", "negotiated"})


@dataclass(frozen=True)
class LotFacts:
    """What the platform knows of one enrolment and its lot."""

    status: str
    family: str
    closes_at: datetime | None
    deposit_required: bool  # cash or guarantee is due on this lot
    cash_allowed: bool
    guarantee_allowed: bool
    deposit_settled: bool  # paid in full in time, or a verified guarantee
    deposit_deadline: datetime | None
    documents: bool  # the tender has documents a bidder downloads
    downloaded: bool  # the bidder downloaded every one of them
    withdrawn: bool
    publicity_ends_at: datetime | None = None


@dataclass(frozen=True)
class Step:
    action: Action
    due: datetime | None = None


def is_past(facts: LotFacts) -> bool:
    """Whether the lot leaves the bidder's current work: withdrawn, or decided either way."""
    return facts.withdrawn or facts.status in _DONE


def next_steps(facts: LotFacts, now: datetime) -> list[Step]:
    """The bidder's next steps on the lot, in the order it takes them, each with its deadline."""
    if facts.withdrawn:
        return []
    status = facts.status
    if status in _TAKING_BIDS:
        before_deadline = facts.closes_at is None or now < facts.closes_at
        steps: list[Step] = []
        if not before_deadline:
            return [Step(Action.WAIT)]
        if facts.documents and not facts.downloaded:
            steps.append(Step(Action.DOWNLOAD, facts.closes_at))
        if facts.deposit_required and not facts.deposit_settled:
            due = facts.deposit_deadline or facts.closes_at
            if facts.cash_allowed:
                steps.append(Step(Action.PAY, due))
            elif facts.guarantee_allowed:
                steps.append(Step(Action.GUARANTEE, due))
        if facts.family in _SEALED:
            steps.append(Step(Action.SUBMIT, facts.closes_at))
            steps.append(Step(Action.OPENING, facts.closes_at))
        else:
            steps.append(Step(Action.AUCTION, facts.closes_at))
        return steps
    if status == "opening":
        return [Step(Action.OPENING, facts.closes_at)]
    if status == "auction":
        return [Step(Action.AUCTION)]
    if status in _WAITING:
        return [Step(Action.WAIT)]
    if status == "publicity":
        return [Step(Action.CANDIDATES, facts.publicity_ends_at)]
    if status in _DONE:
        return [Step(Action.RESULT)]
    return []
