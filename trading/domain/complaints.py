"""Complaints (投诉) to the regulator: statuses, events, the transition table and the periods.

Pure: no Django, no clock. A bidder complains to the regulator of the lot (实施条例 第60条;
政府采购法 第55条); the regulator accepts or refuses it (实施条例 第61条; 财政部令第94号 第21条),
may ask the parties for written statements, and decides (实施条例 第61条; 政府采购法 第56条).
`trading.services.complaints` is the only writer of a complaint's status.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from trading.domain.lifecycle import IllegalStep, step
from trading.domain.timeline import Calendar, local_date

__all__ = [
    "COMPLAINT_TRANSITIONS",
    "DECIDED",
    "TERMINAL",
    "ComplaintEvent",
    "ComplaintOrder",
    "ComplaintStatus",
    "IllegalStep",
    "complaint_transition",
    "decision_start",
    "filing_start",
    "order_required",
    "working_days_left",
]


class ComplaintStatus(enum.StrEnum):
    FILED = "filed"  # received; the regulator decides whether to accept it
    ACCEPTED = "accepted"  # 受理
    REFUSED = "refused"  # 不予受理
    STATEMENTS_REQUESTED = "statements_requested"  # the parties are asked for written statements
    DISMISSED = "dismissed"  # 驳回投诉
    UPHELD = "upheld"  # 投诉成立, with an order
    WITHDRAWN = "withdrawn"  # 撤回投诉


class ComplaintEvent(enum.StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"
    REQUEST_STATEMENTS = "request_statements"
    EXTEND = "extend"
    DISMISS = "dismiss"
    UPHOLD = "uphold"
    WITHDRAW = "withdraw"


class ComplaintOrder(enum.StrEnum):
    """What an upheld complaint orders (实施条例 第71条; 财政部令第94号 第31、32条)."""

    REEVALUATE = "reevaluate"  # 重新评标
    RETENDER = "retender"  # 重新招标/采购
    CORRECT_DOCUMENTS = "correct_documents"  # 修改招标/采购文件


# Before a decision the complainant may withdraw (财政部令第94号 第24条); the regulator may ask
# for statements again and extend its own period more than once, each time with a reason.
COMPLAINT_TRANSITIONS: dict[tuple[ComplaintStatus, ComplaintEvent], ComplaintStatus] = {
    (ComplaintStatus.FILED, ComplaintEvent.ACCEPT): ComplaintStatus.ACCEPTED,
    (ComplaintStatus.FILED, ComplaintEvent.REFUSE): ComplaintStatus.REFUSED,
    (ComplaintStatus.FILED, ComplaintEvent.WITHDRAW): ComplaintStatus.WITHDRAWN,
    (ComplaintStatus.ACCEPTED, ComplaintEvent.REQUEST_STATEMENTS): (
        ComplaintStatus.STATEMENTS_REQUESTED
    ),
    (ComplaintStatus.ACCEPTED, ComplaintEvent.EXTEND): ComplaintStatus.ACCEPTED,
    (ComplaintStatus.ACCEPTED, ComplaintEvent.DISMISS): ComplaintStatus.DISMISSED,
    (ComplaintStatus.ACCEPTED, ComplaintEvent.UPHOLD): ComplaintStatus.UPHELD,
    (ComplaintStatus.ACCEPTED, ComplaintEvent.WITHDRAW): ComplaintStatus.WITHDRAWN,
    (ComplaintStatus.STATEMENTS_REQUESTED, ComplaintEvent.REQUEST_STATEMENTS): (
        ComplaintStatus.STATEMENTS_REQUESTED
    ),
    (ComplaintStatus.STATEMENTS_REQUESTED, ComplaintEvent.EXTEND): (
        ComplaintStatus.STATEMENTS_REQUESTED
    ),
    (ComplaintStatus.STATEMENTS_REQUESTED, ComplaintEvent.DISMISS): ComplaintStatus.DISMISSED,
    (ComplaintStatus.STATEMENTS_REQUESTED, ComplaintEvent.UPHOLD): ComplaintStatus.UPHELD,
    (ComplaintStatus.STATEMENTS_REQUESTED, ComplaintEvent.WITHDRAW): ComplaintStatus.WITHDRAWN,
}

DECIDED = frozenset({ComplaintStatus.DISMISSED, ComplaintStatus.UPHELD})
TERMINAL = frozenset({ComplaintStatus.REFUSED, ComplaintStatus.WITHDRAWN} | DECIDED)

# The events that end the regulator's decision period.
_DECISIONS = frozenset({ComplaintEvent.DISMISS, ComplaintEvent.UPHOLD})


def complaint_transition(
    status: ComplaintStatus | str, event: ComplaintEvent | str
) -> ComplaintStatus:
    """The status a complaint moves to on `event` (COMPLAINT_TRANSITIONS), or IllegalStep."""
    return step(COMPLAINT_TRANSITIONS, ComplaintStatus(status), ComplaintEvent(event))


def order_required(event: ComplaintEvent | str, order: str | None) -> bool:
    """Whether `order` is wrong for `event`: an upheld complaint names what it orders (实施条例
    第71条), a dismissal orders nothing."""
    if ComplaintEvent(event) == ComplaintEvent.UPHOLD:
        return order not in {o.value for o in ComplaintOrder}
    if ComplaintEvent(event) in _DECISIONS:
        return bool(order)
    return False


@dataclass(frozen=True)
class FilingStart:
    """When the filing period starts, or why the complaint cannot be filed yet."""

    start: datetime | None
    # "objection_first": 实施条例 第60条 / 政府采购法 第55条 require the objection's answer (or
    # the end of its answer period) before a complaint on the same matter.
    refusal: str | None = None


def filing_start(
    *,
    from_point: str,
    objection_raised: bool,
    answered_at: datetime | None,
    answer_due: datetime | None,
    now: datetime,
) -> FilingStart:
    """The start of the complaint period (实施条例 第60条; 政府采购法 第55条).

    Engineering counts 10 日 from the owner's answer to the objection the law requires first;
    procurement counts 15 工作日 from the end of the 质疑 answer period (`objection_answer_due`).
    """
    if not objection_raised:
        return FilingStart(None, "objection_first")
    if from_point == "objection_answer_due":
        if answer_due is None or (answered_at is None and now < answer_due):
            return FilingStart(None, "objection_first")
        return FilingStart(answer_due)
    if answered_at is None:
        return FilingStart(None, "objection_first")
    return FilingStart(answered_at)


def decision_start(from_point: str, *, filed_at: datetime, accepted_at: datetime) -> datetime:
    """The start of the decision period: the acceptance (实施条例 第61条) or the receipt of the
    complaint (政府采购法 第56条), as the rule row says."""
    return filed_at if from_point == "complaint" else accepted_at


def working_days_left(calendar: Calendar, now: datetime, due: datetime) -> int:
    """The working days from tomorrow to the last day of a period ending at `due` (24:00 of that
    day), today not counted (民法典 第201条); 0 on the last day, negative once overdue."""
    last = local_date(due - timedelta(microseconds=1))
    today = local_date(now)
    if last < today:
        return -sum(
            1
            for n in range(1, (today - last).days + 1)
            if calendar.is_working_day(last + timedelta(days=n))
        )
    return sum(
        1
        for n in range(1, (last - today).days + 1)
        if calendar.is_working_day(today + timedelta(days=n))
    )
