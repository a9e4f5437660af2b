"""The deposit books: double-entry postings and the balances derived from them (一标一户).

Money is never stored as a balance that could drift: every movement is one posting with a debit
and a credit of the same amount, and an account's balance is the sum of its postings. The
platform's accounts:

- CLEARING: the money the platform's bank account holds (an asset: debit-normal);
- a SUB-ACCOUNT per enrolment: the deposit the platform owes that bidder (credit-normal);
- REFUNDS_PAYABLE: refunds decided and sent to the bank, not yet confirmed paid;
- FORFEITED: deposits kept (实施条例 第74条); EARNEST: land deposits become 定金;
- INTEREST_PAID: the bank interest the platform pays with engineering refunds (实施条例 第57条),
  out of its own interest account at the bank, never out of a bidder's sub-account.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

CLEARING = "clearing"
REFUNDS_PAYABLE = "refunds_payable"
FORFEITED = "forfeited"
INTEREST_PAID = "interest_paid"
SUB_PREFIX = "sub:"
EARNEST_PREFIX = "earnest:"
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


class PostingError(ValueError):
    """A posting the books refuse: no amount, sub-cent amount, or a debit equal to its credit."""


class Overdrawn(ValueError):
    """A movement would take more out of a sub-account than it holds."""


def sub_account(enrolment_id: int) -> str:
    """The enrolment's own account in the books (一标一户)."""
    return f"{SUB_PREFIX}{enrolment_id}"


def earnest_account(enrolment_id: int) -> str:
    """Where a land winner's deposit goes when it becomes 定金 (39号令 第21条)."""
    return f"{EARNEST_PREFIX}{enrolment_id}"


@dataclass(frozen=True)
class Posting:
    """One movement: `amount` leaves `credit` and arrives at `debit`, in yuan to the 分."""

    debit: str
    credit: str
    amount: Decimal

    def __post_init__(self) -> None:
        if self.debit == self.credit:
            raise PostingError("a posting moves money between two different accounts")
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
            raise PostingError("a posting's amount is a finite Decimal")
        if self.amount <= 0:
            raise PostingError("a posting's amount is positive")
        if self.amount != self.amount.quantize(CENT):
            raise PostingError("a posting's amount is kept to the 分")


def balances(postings: Iterable[Posting]) -> dict[str, Decimal]:
    """Each account's debits minus its credits; the sum over all accounts is always zero."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for posting in postings:
        totals[posting.debit] += posting.amount
        totals[posting.credit] -= posting.amount
    return dict(totals)


def held(postings: Iterable[Posting], account: str) -> Decimal:
    """What a credit-normal account (a sub-account) holds: its credits minus its debits."""
    return -balances(postings).get(account, ZERO)


def payment_received(enrolment_id: int, amount: Decimal) -> Posting:
    """A transfer into the enrolment's sub-account: the bank holds it, the platform owes it."""
    return Posting(debit=CLEARING, credit=sub_account(enrolment_id), amount=amount)


def _out_of_sub(enrolment_id: int, to: str, amount: Decimal, holding: Decimal) -> Posting:
    if amount > holding:
        raise Overdrawn(f"sub-account {enrolment_id} holds {holding}, asked for {amount}")
    return Posting(debit=sub_account(enrolment_id), credit=to, amount=amount)


def refund_decided(enrolment_id: int, amount: Decimal, *, holding: Decimal) -> Posting:
    """A refund leaves the sub-account for the payable account before the bank is asked."""
    return _out_of_sub(enrolment_id, REFUNDS_PAYABLE, amount, holding)


def refund_paid(amount: Decimal) -> Posting:
    """The bank confirmed the refund: the money has left the platform's account."""
    return Posting(debit=REFUNDS_PAYABLE, credit=CLEARING, amount=amount)


def forfeiture(enrolment_id: int, amount: Decimal, *, holding: Decimal) -> Posting:
    """The deposit is kept (实施条例 第74条; 电子招标投标办法 第31条)."""
    return _out_of_sub(enrolment_id, FORFEITED, amount, holding)


def earnest_conversion(enrolment_id: int, amount: Decimal, *, holding: Decimal) -> Posting:
    """A land winner's deposit becomes 定金 (招标拍卖挂牌出让国有建设用地使用权规定 第21条)."""
    return _out_of_sub(enrolment_id, earnest_account(enrolment_id), amount, holding)


def interest_paid(amount: Decimal) -> Posting:
    """The platform paid a refund's bank interest from its interest account (实施条例 第57条)."""
    return Posting(debit=INTEREST_PAID, credit=CLEARING, amount=amount)
