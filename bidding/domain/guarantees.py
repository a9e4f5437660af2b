"""A deposit guarantee's life as data: 电子保函 (a bank's) or 保证保险 (an insurer's).

招标投标法实施条例 第26条 lets a bid deposit take the form of a bank guarantee, valid as long as
the bid is; 政府采购法实施条例 第33条 lets a supplier give a guarantee instead of cash. The bidder
applies, the issuer issues (number, amount, issuer, valid until), the platform verifies it
against the lot; an issued guarantee is claimed on a forfeiture (实施条例 第74条) or released
with the refunds, and lapses when its validity ends.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

__all__ = [
    "TERMINAL",
    "TRANSITIONS",
    "GuaranteeEvent",
    "GuaranteeKind",
    "GuaranteeState",
    "IllegalGuaranteeTransition",
    "guarantee_next",
    "verification_problems",
]


class GuaranteeKind(enum.StrEnum):
    BANK = "bank"  # 电子保函
    INSURANCE = "insurance"  # 保证保险


class GuaranteeState(enum.StrEnum):
    APPLIED = "applied"
    ISSUED = "issued"
    VERIFIED = "verified"
    REFUSED = "refused"
    CLAIMED = "claimed"
    RELEASED = "released"
    EXPIRED = "expired"


class GuaranteeEvent(enum.StrEnum):
    ISSUE = "issue"  # the issuer issues it
    DECLINE = "decline"  # the issuer will not issue it
    VERIFY = "verify"  # the platform accepts it for the lot
    REFUSE = "refuse"  # the platform does not accept it for the lot
    CLAIM = "claim"  # the deposit is forfeit (实施条例 第74条)
    RELEASE = "release"  # the deposit is refunded
    EXPIRE = "expire"  # its validity ended


S, E = GuaranteeState, GuaranteeEvent

# (state, event) → next state; any pair not listed is refused.
TRANSITIONS: dict[tuple[GuaranteeState, GuaranteeEvent], GuaranteeState] = {
    (S.APPLIED, E.ISSUE): S.ISSUED,
    (S.APPLIED, E.DECLINE): S.REFUSED,
    (S.ISSUED, E.VERIFY): S.VERIFIED,
    (S.ISSUED, E.REFUSE): S.REFUSED,
    (S.ISSUED, E.CLAIM): S.CLAIMED,
    (S.ISSUED, E.RELEASE): S.RELEASED,
    (S.ISSUED, E.EXPIRE): S.EXPIRED,
    (S.VERIFIED, E.CLAIM): S.CLAIMED,
    (S.VERIFIED, E.RELEASE): S.RELEASED,
    (S.VERIFIED, E.EXPIRE): S.EXPIRED,
}

TERMINAL = frozenset({S.REFUSED, S.CLAIMED, S.RELEASED, S.EXPIRED})
# The guarantee stands for the deposit in these states.
STANDING = frozenset({S.ISSUED, S.VERIFIED})


class IllegalGuaranteeTransition(ValueError):
    """`event` is not allowed from `state`."""

    def __init__(self, state: GuaranteeState, event: GuaranteeEvent) -> None:
        super().__init__(f"{event.value} is not allowed from {state.value}")
        self.state = state
        self.event = event


def guarantee_next(state: GuaranteeState, event: GuaranteeEvent) -> GuaranteeState:
    """The state after `event`, or IllegalGuaranteeTransition."""
    after = TRANSITIONS.get((state, event))
    if after is None:
        raise IllegalGuaranteeTransition(state, event)
    return after


@dataclass(frozen=True)
class Problem:
    code: str
    # Values the message shows (amounts and dates already formatted by the caller).
    required: Decimal | datetime | str | None = None


def verification_problems(
    *,
    amount: Decimal,
    required_amount: Decimal,
    valid_until: datetime,
    bid_valid_until: datetime,
    beneficiary_uscc: str,
    owner_uscc: str,
) -> list[Problem]:
    """Why the platform cannot accept a guarantee for the lot: its amount below the deposit, its
    validity shorter than the bid's, or another beneficiary (实施条例 第26条: 投标保证金有效期
    应当与投标有效期一致)."""
    problems = []
    if amount < required_amount:
        problems.append(Problem("amount", required_amount))
    if valid_until < bid_valid_until:
        problems.append(Problem("validity", bid_valid_until))
    if beneficiary_uscc.strip().upper() != owner_uscc.strip().upper():
        problems.append(Problem("beneficiary", owner_uscc))
    return problems
