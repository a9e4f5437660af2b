"""The lifecycles of tenders and lots: statuses, events and their transition tables.

Pure: no Django, no clock. A tender has one table; a lot one per procedure family.
`trading.services.lot_state` is the only writer of a lot's status: it applies a transition under
the lot's lock and writes the ledger entry with it; the chronograph fires the timed events.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime


class TenderStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    PUBLISHED = "published"


class TenderEvent(enum.StrEnum):
    SUBMIT = "submit"
    REJECT = "reject"
    PUBLISH = "publish"


# A tender is drafted by its owner, reviewed and published by the desk (管办分离): staff return a
# submitted draft with a reason or publish it; nothing else moves a tender.
TENDER_TRANSITIONS: dict[tuple[TenderStatus, TenderEvent], TenderStatus] = {
    (TenderStatus.DRAFT, TenderEvent.SUBMIT): TenderStatus.PENDING_REVIEW,
    (TenderStatus.PENDING_REVIEW, TenderEvent.REJECT): TenderStatus.DRAFT,
    (TenderStatus.PENDING_REVIEW, TenderEvent.PUBLISH): TenderStatus.PUBLISHED,
}


class IllegalStep(Exception):
    """An event that a one-table lifecycle (a tender's, a notice's) does not allow from `state`."""

    def __init__(self, state: str, event: str) -> None:
        self.state = state
        self.event = event
        super().__init__(f"event {event!s} is not allowed from status {state!s}")


def step[S: enum.StrEnum, E: enum.StrEnum](table: Mapping[tuple[S, E], S], state: S, event: E) -> S:
    """The status `table` moves `state` to on `event`; anything it does not list is refused."""
    try:
        return table[state, event]
    except KeyError:
        raise IllegalStep(state, event) from None


def tender_transition(status: TenderStatus | str, event: TenderEvent | str) -> TenderStatus:
    """The status a tender moves to on `event` (TENDER_TRANSITIONS), or IllegalStep."""
    return step(TENDER_TRANSITIONS, TenderStatus(status), TenderEvent(event))


class LotStatus(enum.StrEnum):
    DRAFT = "draft"  # its tender is a draft or under review
    PUBLISHED = "published"  # announced; bidding not open yet
    BIDDING = "bidding"  # enrolment and bids (or listing bids) accepted
    OPENING = "opening"  # bid deadline reached: the opening session (法 第34条)
    AUCTION = "auction"  # live or timed bidding (限时竞价)
    EVALUATION = "evaluation"  # expert committee at work
    NEGOTIATION = "negotiation"  # negotiated procedures: the parties negotiate (谈判/协商)
    PUBLICITY = "publicity"  # candidates or result publicised
    AWARDED = "awarded"  # award confirmed, letter issued
    CONTRACTED = "contracted"  # contract recorded
    CLOSED = "closed"
    FAILED = "failed"  # 流标 / 流拍
    TERMINATED = "terminated"
    # --- procedures as they really run (issue 8, `procedures`) ---
    # 资格预审: applications accepted until the application deadline (实施条例 第17条).
    PREQUALIFICATION = "prequalification"
    # The application deadline passed: the review of the applicants (实施条例 第18、19条).
    PREQUAL_REVIEW = "prequal_review"
    # A listing or a property disclosure ended: staff record who bid or qualified (39号令 第20条,
    # 32号令 第18、22条) and the lot goes on by that number.
    LISTING_CLOSED = "listing_closed"
    # 协议转让 with the one qualified transferee of a property disclosure.
    AGREEMENT = "agreement"


TERMINAL = frozenset({LotStatus.CLOSED, LotStatus.FAILED, LotStatus.TERMINATED})


class Family(enum.StrEnum):
    """Procedure families: the values of `trading.models.ProcedureFamily`."""

    SEALED_BID = "sealed_bid"
    LISTING_AUCTION = "listing_auction"
    NEGOTIATED = "negotiated"
    # --- procedures as they really run (issue 8, `procedures`) ---
    LISTING = "listing"  # 挂牌出让: decided at the listing close (39号令 第20条)
    PROPERTY_DISCLOSURE = "property_disclosure"  # 产权转让、增资: 信息披露 (32号令)
    PREQUALIFIED = "prequalified"  # 资格预审 before the bidding (实施条例 第15-19条)


class LotEvent(enum.StrEnum):
    PUBLISH = "publish"
    OPEN_BIDDING = "open_bidding"
    CLOSE_BIDDING = "close_bidding"
    BIDS_SUFFICIENT = "bids_sufficient"
    BIDS_INSUFFICIENT = "bids_insufficient"
    SOLD = "sold"
    UNSOLD = "unsold"
    EVALUATION_REPORTED = "evaluation_reported"
    AWARD = "award"
    CONTRACT = "contract"
    CLOSE = "close"
    TERMINATE = "terminate"
    ALL_REJECTED = "all_rejected"
    REEVALUATE = "reevaluate"
    NEXT_CANDIDATE = "next_candidate"
    WINNER_DECLINED = "winner_declined"
    NEGOTIATED = "negotiated"
    NO_AGREEMENT = "no_agreement"
    # --- procedures as they really run (issue 8, `procedures`) ---
    CLOSE_APPLICATIONS = "close_applications"
    APPLICANTS_SUFFICIENT = "applicants_sufficient"
    APPLICANTS_INSUFFICIENT = "applicants_insufficient"
    SEVERAL_BIDDERS = "several_bidders"
    ONE_TRANSFEREE = "one_transferee"
    EXTEND = "extend"
    REDISCLOSE = "redisclose"
    # --- training tenders (issue 9, `training`) ---
    TRAINING_CLOSE = "training_close"


# The winner declines or does not sign (实施条例 第55条): the owner awards the next candidate in
# the committee's order (a new award, still AWARDED) or tenders again (the lot fails).
_WINNER_DECLINES: dict[tuple[LotStatus, LotEvent], LotStatus] = {
    (LotStatus.AWARDED, LotEvent.NEXT_CANDIDATE): LotStatus.AWARDED,
    (LotStatus.AWARDED, LotEvent.WINNER_DECLINED): LotStatus.FAILED,
}

_SEALED_BID: dict[tuple[LotStatus, LotEvent], LotStatus] = {
    (LotStatus.DRAFT, LotEvent.PUBLISH): LotStatus.PUBLISHED,
    (LotStatus.PUBLISHED, LotEvent.OPEN_BIDDING): LotStatus.BIDDING,
    # The opening takes place at the bid deadline (招标投标法 第34条).
    (LotStatus.BIDDING, LotEvent.CLOSE_BIDDING): LotStatus.OPENING,
    (LotStatus.OPENING, LotEvent.BIDS_SUFFICIENT): LotStatus.EVALUATION,
    (LotStatus.OPENING, LotEvent.BIDS_INSUFFICIENT): LotStatus.FAILED,  # 流标 (实施条例 第44条)
    (LotStatus.EVALUATION, LotEvent.EVALUATION_REPORTED): LotStatus.PUBLICITY,  # 实施条例 第54条
    # The committee rejects every bid (招标投标法 第42条; 政府采购法 第36条 废标).
    (LotStatus.EVALUATION, LotEvent.ALL_REJECTED): LotStatus.FAILED,
    # An upheld objection to the result or a regulator's order (实施条例 第54、71条).
    (LotStatus.PUBLICITY, LotEvent.REEVALUATE): LotStatus.EVALUATION,
    (LotStatus.PUBLICITY, LotEvent.AWARD): LotStatus.AWARDED,
    **_WINNER_DECLINES,
    (LotStatus.AWARDED, LotEvent.CONTRACT): LotStatus.CONTRACTED,  # 法 第46条
    (LotStatus.CONTRACTED, LotEvent.CLOSE): LotStatus.CLOSED,
}

_LISTING_AUCTION: dict[tuple[LotStatus, LotEvent], LotStatus] = {
    (LotStatus.DRAFT, LotEvent.PUBLISH): LotStatus.PUBLISHED,
    (LotStatus.PUBLISHED, LotEvent.OPEN_BIDDING): LotStatus.BIDDING,
    # The listing ends in timed bidding (限时竞价) among those who bid (39号令 第18条).
    (LotStatus.BIDDING, LotEvent.CLOSE_BIDDING): LotStatus.AUCTION,
    (LotStatus.AUCTION, LotEvent.SOLD): LotStatus.PUBLICITY,
    (LotStatus.AUCTION, LotEvent.UNSOLD): LotStatus.FAILED,  # 流拍
    (LotStatus.PUBLICITY, LotEvent.AWARD): LotStatus.AWARDED,
    # A buyer who will not sign loses the sale; an auction has no second in order: re-list.
    (LotStatus.AWARDED, LotEvent.WINNER_DECLINED): LotStatus.FAILED,
    (LotStatus.AWARDED, LotEvent.CONTRACT): LotStatus.CONTRACTED,
    (LotStatus.CONTRACTED, LotEvent.CLOSE): LotStatus.CLOSED,
}

# Single source, 协议出让, 挂网, 谈判: no opening and no bid count. When the response period
# ends the parties negotiate; the record of that negotiation (not an evaluation report) names
# the party agreed with and the price, and its result is publicised.
_NEGOTIATED: dict[tuple[LotStatus, LotEvent], LotStatus] = {
    (LotStatus.DRAFT, LotEvent.PUBLISH): LotStatus.PUBLISHED,
    (LotStatus.PUBLISHED, LotEvent.OPEN_BIDDING): LotStatus.BIDDING,
    (LotStatus.BIDDING, LotEvent.CLOSE_BIDDING): LotStatus.NEGOTIATION,
    (LotStatus.NEGOTIATION, LotEvent.NEGOTIATED): LotStatus.PUBLICITY,
    (LotStatus.NEGOTIATION, LotEvent.NO_AGREEMENT): LotStatus.FAILED,
    (LotStatus.PUBLICITY, LotEvent.REEVALUATE): LotStatus.NEGOTIATION,
    (LotStatus.PUBLICITY, LotEvent.AWARD): LotStatus.AWARDED,
    **_WINNER_DECLINES,
    (LotStatus.AWARDED, LotEvent.CONTRACT): LotStatus.CONTRACTED,
    (LotStatus.CONTRACTED, LotEvent.CLOSE): LotStatus.CLOSED,
}


# --- procedures as they really run (issue 8, `procedures`) ----------------------------------

# A buyer who will not sign loses the sale (no second in order): the lot is sold again.
_AFTER_RESULT: dict[tuple[LotStatus, LotEvent], LotStatus] = {
    (LotStatus.PUBLICITY, LotEvent.AWARD): LotStatus.AWARDED,
    (LotStatus.AWARDED, LotEvent.WINNER_DECLINED): LotStatus.FAILED,
    (LotStatus.AWARDED, LotEvent.CONTRACT): LotStatus.CONTRACTED,
    (LotStatus.CONTRACTED, LotEvent.CLOSE): LotStatus.CLOSED,
}

_LAND_LISTING: dict[tuple[LotStatus, LotEvent], LotStatus] = {
    (LotStatus.DRAFT, LotEvent.PUBLISH): LotStatus.PUBLISHED,
    (LotStatus.PUBLISHED, LotEvent.OPEN_BIDDING): LotStatus.BIDDING,
    (LotStatus.BIDDING, LotEvent.CLOSE_BIDDING): LotStatus.LISTING_CLOSED,
    # 39号令 第20条: one bidder at or above the reserve buys at the listing price; none, or a
    # bid below the reserve, leaves the parcel unsold (流拍); two or more bid on (限时竞价).
    (LotStatus.LISTING_CLOSED, LotEvent.SOLD): LotStatus.PUBLICITY,
    (LotStatus.LISTING_CLOSED, LotEvent.UNSOLD): LotStatus.FAILED,
    (LotStatus.LISTING_CLOSED, LotEvent.SEVERAL_BIDDERS): LotStatus.AUCTION,
    (LotStatus.AUCTION, LotEvent.SOLD): LotStatus.PUBLICITY,
    (LotStatus.AUCTION, LotEvent.UNSOLD): LotStatus.FAILED,
    **_AFTER_RESULT,
}

_PROPERTY_DISCLOSURE: dict[tuple[LotStatus, LotEvent], LotStatus] = {
    (LotStatus.DRAFT, LotEvent.PUBLISH): LotStatus.PUBLISHED,
    (LotStatus.PUBLISHED, LotEvent.OPEN_BIDDING): LotStatus.BIDDING,
    # The disclosure ends (32号令 第13条: ≥ 20 工作日); staff record the qualified 意向受让方.
    (LotStatus.BIDDING, LotEvent.CLOSE_BIDDING): LotStatus.LISTING_CLOSED,
    # None qualified (32号令 第18条): the transferor extends, re-discloses at a new price, or ends.
    (LotStatus.LISTING_CLOSED, LotEvent.EXTEND): LotStatus.BIDDING,
    (LotStatus.LISTING_CLOSED, LotEvent.REDISCLOSE): LotStatus.BIDDING,
    (LotStatus.LISTING_CLOSED, LotEvent.UNSOLD): LotStatus.FAILED,
    # One qualified: 协议转让; two or more: 网络竞价 (32号令 第22条).
    (LotStatus.LISTING_CLOSED, LotEvent.ONE_TRANSFEREE): LotStatus.AGREEMENT,
    (LotStatus.LISTING_CLOSED, LotEvent.SEVERAL_BIDDERS): LotStatus.AUCTION,
    (LotStatus.AGREEMENT, LotEvent.SOLD): LotStatus.PUBLICITY,
    (LotStatus.AGREEMENT, LotEvent.UNSOLD): LotStatus.FAILED,
    (LotStatus.AUCTION, LotEvent.SOLD): LotStatus.PUBLICITY,
    (LotStatus.AUCTION, LotEvent.UNSOLD): LotStatus.FAILED,
    **_AFTER_RESULT,
}

_PREQUALIFIED: dict[tuple[LotStatus, LotEvent], LotStatus] = {
    # The prequalification notice is the lot's announcement; applications until the deadline.
    (LotStatus.DRAFT, LotEvent.PUBLISH): LotStatus.PREQUALIFICATION,
    (LotStatus.PREQUALIFICATION, LotEvent.CLOSE_APPLICATIONS): LotStatus.PREQUAL_REVIEW,
    # Three or more qualified applicants are invited to bid; fewer restart it (实施条例 第19条).
    (LotStatus.PREQUAL_REVIEW, LotEvent.APPLICANTS_SUFFICIENT): LotStatus.PUBLISHED,
    (LotStatus.PREQUAL_REVIEW, LotEvent.APPLICANTS_INSUFFICIENT): LotStatus.FAILED,
    **{key: to for key, to in _SEALED_BID.items() if key[0] is not LotStatus.DRAFT},
}


# After the award letter the owner is bound by it (招标投标法 第45条): from then on a transaction
# is not terminated, its parties answer for breaking the award instead.
AFTER_AWARD = frozenset({LotStatus.AWARDED, LotStatus.CONTRACTED})


def _with_terminate(
    table: dict[tuple[LotStatus, LotEvent], LotStatus],
) -> dict[tuple[LotStatus, LotEvent], LotStatus]:
    """终止 is an act before the award (实施条例 第31条); a draft is withdrawn, not terminated."""
    stoppable = [
        s
        for s in LotStatus
        if s not in TERMINAL and s is not LotStatus.DRAFT and s not in AFTER_AWARD
    ]
    return table | {(s, LotEvent.TERMINATE): LotStatus.TERMINATED for s in stoppable}


TRANSITIONS: dict[Family, dict[tuple[LotStatus, LotEvent], LotStatus]] = {
    Family.SEALED_BID: _with_terminate(_SEALED_BID),
    Family.LISTING_AUCTION: _with_terminate(_LISTING_AUCTION),
    Family.NEGOTIATED: _with_terminate(_NEGOTIATED),
    Family.LISTING: _with_terminate(_LAND_LISTING),
    Family.PROPERTY_DISCLOSURE: _with_terminate(_PROPERTY_DISCLOSURE),
    Family.PREQUALIFIED: _with_terminate(_PREQUALIFIED),
}


# A training lot that cannot move within its scaled time is closed with the reason, whatever its
# status (`trading.domain.training`): it is no transaction, so nothing binds it, the award neither.
TRAINING_EDGES: dict[tuple[LotStatus, LotEvent], LotStatus] = {
    (s, LotEvent.TRAINING_CLOSE): LotStatus.CLOSED
    for s in LotStatus
    if s not in TERMINAL and s is not LotStatus.DRAFT
}


def _direct_award(
    table: dict[tuple[LotStatus, LotEvent], LotStatus],
) -> dict[tuple[LotStatus, LotEvent], LotStatus]:
    """No candidate publicity: the award follows the evaluation report (政府采购法实施条例 第43条).

    The purchaser chooses from the report's candidates in their order; the result notice then
    goes out with the award letter (87号令 第69条).
    """
    direct: dict[tuple[LotStatus, LotEvent], LotStatus] = {
        (status, event): after
        for (status, event), after in table.items()
        if status is not LotStatus.PUBLICITY and after is not LotStatus.PUBLICITY
    }
    # The report (or the negotiation record) is recorded in place; the award then follows it.
    for status, event in (
        (LotStatus.EVALUATION, LotEvent.EVALUATION_REPORTED),
        (LotStatus.NEGOTIATION, LotEvent.NEGOTIATED),
    ):
        if (status, event) in table:
            direct[status, LotEvent.AWARD] = LotStatus.AWARDED
    return direct


# Procedures without candidate publicity (Procedure.candidate_publicity false) use these.
DIRECT_AWARD: dict[Family, dict[tuple[LotStatus, LotEvent], LotStatus]] = {
    family: _direct_award(table) for family, table in TRANSITIONS.items()
}


def lot_table(
    family: Family | str, *, candidate_publicity: bool = True, training: bool = False
) -> dict[tuple[LotStatus, LotEvent], LotStatus]:
    """The transition table of a procedure: its family's, or the direct award's; a training
    lot's has the training close besides."""
    tables = TRANSITIONS if candidate_publicity else DIRECT_AWARD
    table = tables[Family(family)]
    return table | TRAINING_EDGES if training else table


class IllegalTransition(Exception):
    """An event that the family's transition table does not allow from the lot's status."""

    def __init__(self, family: Family, status: LotStatus, event: LotEvent) -> None:
        self.family = family
        self.status = status
        self.event = event
        super().__init__(
            f"event {event!s} is not allowed from status {status!s} in family {family!s}"
        )


def transition(
    family: Family | str,
    status: LotStatus | str,
    event: LotEvent | str,
    *,
    candidate_publicity: bool = True,
    training: bool = False,
) -> LotStatus:
    """The status a lot moves to on `event`; anything the table does not list is refused."""
    family, status, event = Family(family), LotStatus(status), LotEvent(event)
    try:
        table = lot_table(family, candidate_publicity=candidate_publicity, training=training)
        return table[status, event]
    except KeyError:
        raise IllegalTransition(family, status, event) from None


def allowed_events(
    family: Family | str,
    status: LotStatus | str,
    *,
    candidate_publicity: bool = True,
    training: bool = False,
) -> frozenset[LotEvent]:
    """The events the procedure's table allows from `status`."""
    status = LotStatus(status)
    table = lot_table(family, candidate_publicity=candidate_publicity, training=training)
    return frozenset(e for (s, e) in table if s is status)


def bids_outcome(count: int, min_bids: int) -> LotEvent:
    """Fewer bids than the minimum: no opening, the lot fails (流标, 实施条例 第44条)."""
    if count < 0 or min_bids < 1:
        raise ValueError(f"bid count must be ≥ 0 and minimum ≥ 1, got {count} and {min_bids}")
    return LotEvent.BIDS_INSUFFICIENT if count < min_bids else LotEvent.BIDS_SUFFICIENT


def award_must_go_to_first(*, state_funded: bool, business_type: str) -> bool:
    """State-funded must-tender engineering projects award the first candidate (实施条例 第55条)."""
    return state_funded and business_type == "engineering"


def award_blockers(
    *,
    status: LotStatus | str,
    now: datetime,
    publicity_ends_at: datetime | None,
    active_holds: int,
    candidate_publicity: bool = True,
) -> list[str]:
    """Why the award cannot be confirmed yet: publicity unfinished or a hold (实施条例 第54条).

    Without candidate publicity the award follows the evaluation report (政府采购法实施条例 第43条).
    """
    blockers = []
    if not candidate_publicity:
        # The report, or a negotiated procedure's record, is in: the award follows it.
        if LotStatus(status) not in (LotStatus.EVALUATION, LotStatus.NEGOTIATION):
            blockers.append("not_evaluated")
    elif LotStatus(status) is not LotStatus.PUBLICITY:
        blockers.append("not_in_publicity")
    elif publicity_ends_at is None:
        # The publicity runs from its notice's publication, not from the report (第54条).
        blockers.append("publicity_not_published")
    elif now < publicity_ends_at:
        blockers.append("publicity_running")
    if active_holds > 0:
        blockers.append("suspended")
    return blockers


# The schedule field whose time fires the lot's next timed event.
TIMED_EVENTS: dict[LotStatus, str] = {
    LotStatus.PUBLISHED: "opens_at",
    LotStatus.BIDDING: "closes_at",
    LotStatus.PREQUALIFICATION: "applications_close_at",
}


def next_check(
    *,
    status: LotStatus | str,
    opens_at: datetime | None,
    closes_at: datetime | None,
    publicity_ends_at: datetime | None,
    suspended: bool,
    applications_close_at: datetime | None = None,
) -> datetime | None:
    """When the chronograph next looks at the lot; suspended lots wait (实施条例 第22、54条)."""
    status = LotStatus(status)
    if suspended or status in TERMINAL:
        return None
    # The end of publicity fires no event: the owner is told the award may now be confirmed.
    due = {
        LotStatus.PUBLISHED: opens_at,
        LotStatus.BIDDING: closes_at,
        LotStatus.PUBLICITY: publicity_ends_at,
        LotStatus.PREQUALIFICATION: applications_close_at,
    }
    return due.get(status)


def next_candidate_rank(ranks: Iterable[int], awarded: Iterable[int]) -> int | None:
    """The next candidate in the committee's order once a winner declines (实施条例 第55条).

    Candidates already awarded (and who declined) are passed over; None when nobody is left.
    """
    passed = set(awarded)
    left = sorted(rank for rank in set(ranks) if rank not in passed)
    return left[0] if left else None


# Who approves a change of procedure for the next round, by business type (87号令 第43条:
# 公开招标 that failed may change method with the approval of the procurement regulator).
METHOD_CHANGE_ARTICLE: dict[str, str] = {
    "procurement": "政府采购货物和服务招标投标管理办法（财政部令第87号）第43条",
}


def method_change_blockers(
    *, same_procedure: bool, same_business_type: bool, approval: str, approval_number: str
) -> list[str]:
    """A successor keeps its predecessor's procedure unless a change is approved (87号令 第43条)."""
    if not same_business_type:
        return ["business_type"]
    if same_procedure:
        return []
    blockers = []
    if not approval.strip():
        blockers.append("approval")
    if not approval_number.strip():
        blockers.append("approval_number")
    return blockers
