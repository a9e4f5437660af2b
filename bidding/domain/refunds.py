"""When a bid deposit falls due for refund, or is kept (pure: no Django, no clock).

The periods are the rule rows trading seeds and the platform administrator edits (DESIGN.md §7):
engineering ≤ 5 日 after the contract, with bank interest (招标投标法实施条例 第57条) and ≤ 5 日
after a withdrawal (第35条); procurement losers ≤ 5 工作日 after the award letter, the winner
≤ 5 工作日 after the contract (财政部令第87号 第38条). Where no row governs a refund (a lot that
failed or was terminated, a sale's losers) it is due at once, at the event itself: the law asks
for promptness (及时退还, 实施条例 第31条) and names no number the platform could count.
In a sale (land, mining, property …) the winner's deposit becomes 定金 (DOMAIN.md).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from trading.domain.points import Point
from trading.domain.timeline import Calendar, Rule, latest, legal_day

__all__ = [
    "LATE_FEE_MARKUP",
    "Outcome",
    "RefundPlan",
    "Role",
    "deposit_interest",
    "late_fee",
    "refund_plan",
]

# 财政部令第87号 第38条: a late refund pays the central bank's loan benchmark rate plus 20%.
LATE_FEE_MARKUP = Decimal("1.2")
# 人民币利率管理规定 第二十五条: a day's rate is the annual rate over 360.
DAYS_IN_RATE_YEAR = Decimal(360)
CENT = Decimal("0.01")

# Business types whose refunds carry bank interest (实施条例 第31、57条: 银行同期存款利息).
INTEREST_TYPES = frozenset({"engineering"})
# Business types whose late refunds accrue the late fee (87号令 第38条).
LATE_FEE_TYPES = frozenset({"procurement"})


class Role(enum.StrEnum):
    """Where an enrolment stands when its deposit is settled."""

    WITHDRAWN = "withdrawn"  # withdrew its bid before the deadline
    LOSER = "loser"  # took part; another won
    WINNER = "winner"  # the award's bidder
    ENDED = "ended"  # the lot failed or was terminated: nobody won
    FORFEITED = "forfeited"  # 实施条例 第35、74条: the deposit is kept


class Outcome(enum.StrEnum):
    REFUND = "refund"
    EARNEST = "earnest"  # becomes 定金 (a sale's winner)
    KEPT = "kept"  # forfeited


@dataclass(frozen=True)
class RefundPlan:
    """What happens to one deposit: refunded (from when, by when) or kept, and under which rule."""

    outcome: Outcome
    # When the refund may be paid (the event that releases it); None: not yet known.
    payable_at: datetime | None = None
    # The latest lawful moment of the refund (None where no rule counts one).
    due_at: datetime | None = None
    rule_key: str = ""
    article: str = ""
    with_interest: bool = False
    late_fee_applies: bool = False

    @property
    def scheduled(self) -> bool:
        return self.outcome is Outcome.REFUND and self.payable_at is not None


# The rule rows' to-points for each role (the rows of the other party do not apply).
_TO_POINTS = {
    Role.WITHDRAWN: (Point.DEPOSIT_REFUND,),
    Role.LOSER: (Point.DEPOSIT_REFUND_LOSERS, Point.DEPOSIT_REFUND),
    Role.WINNER: (Point.DEPOSIT_REFUND_WINNER, Point.DEPOSIT_REFUND),
}
# Without a rule row, the instant that releases each role's refund.
_RELEASED_BY = {
    Role.WITHDRAWN: Point.WITHDRAWAL,
    Role.LOSER: Point.AWARD_DECISION,
    Role.WINNER: Point.CONTRACT,
    Role.ENDED: Point.FAILED,
}


def _rules_for(rules: Iterable[Rule], role: Role) -> list[Rule]:
    to_points = _TO_POINTS.get(role, ())
    withdrawal = role is Role.WITHDRAWN
    return [
        rule
        for rule in rules
        if rule.maximum is not None
        and rule.to_point in to_points
        and (rule.from_point == Point.WITHDRAWAL) == withdrawal
    ]


def refund_plan(
    *,
    business_type: str,
    sale: bool,
    role: Role,
    instants: Mapping[str, datetime],
    rules: Iterable[Rule],
    calendar: Calendar,
) -> RefundPlan:
    """The deposit's fate: 定金 for a sale's winner, kept when forfeited, else refunded by the
    rule rows counted from the instants known so far (实施条例 第35、57条; 87号令 第38条).

    `instants` holds the lot's moments by timeline point: `withdrawal`, `award_decision` (the
    winner is known), `award_letter`, `contract`, `failed` (the lot ended without a winner).
    """
    if role is Role.FORFEITED:
        return RefundPlan(outcome=Outcome.KEPT)
    if role is Role.WINNER and sale:
        return RefundPlan(outcome=Outcome.EARNEST)
    interest = business_type in INTEREST_TYPES and role is not Role.WITHDRAWN
    late_fee = business_type in LATE_FEE_TYPES
    governing = [] if role is Role.ENDED else _rules_for(rules, role)
    if not governing:
        released = instants.get(_RELEASED_BY[role])
        return RefundPlan(
            outcome=Outcome.REFUND,
            payable_at=released,
            due_at=released,
            article="招标投标法实施条例 第31条" if role is Role.ENDED else "",
            with_interest=interest,
            late_fee_applies=late_fee,
        )
    # Several rows may govern (a region's override beside the national row): the strictest wins.
    best: RefundPlan | None = None
    for rule in governing:
        start = instants.get(rule.from_point)
        if start is None:
            continue
        due = latest(start, rule, calendar)
        if best is None or best.due_at is None or due < best.due_at:
            best = RefundPlan(
                outcome=Outcome.REFUND,
                payable_at=start,
                due_at=due,
                rule_key=rule.key,
                article=rule.article,
                with_interest=interest,
                late_fee_applies=late_fee,
            )
    return best or RefundPlan(outcome=Outcome.REFUND, with_interest=interest)


def late_fee(
    *, principal: Decimal, due_at: datetime, paid_at: datetime, annual_rate: Decimal
) -> Decimal:
    """The late fee of a refund paid after its due day: the loan benchmark rate plus 20%, per day
    late (财政部令第87号 第38条)."""
    days = (legal_day(paid_at) - legal_day(due_at)).days
    if days <= 0:
        return Decimal("0.00")
    fee = principal * annual_rate * LATE_FEE_MARKUP * days / DAYS_IN_RATE_YEAR
    return fee.quantize(CENT, rounding=ROUND_HALF_UP)


def deposit_interest(
    *, principal: Decimal, received_at: datetime, refunded_at: datetime, annual_rate: Decimal
) -> Decimal:
    """The bank interest refunded with an engineering deposit, at the demand deposit rate for
    the days the platform held it (实施条例 第31、57条: 银行同期存款利息)."""
    days = (legal_day(refunded_at) - legal_day(received_at)).days
    if days <= 0:
        return Decimal("0.00")
    interest = principal * annual_rate * days / DAYS_IN_RATE_YEAR
    return interest.quantize(CENT, rounding=ROUND_HALF_UP)
