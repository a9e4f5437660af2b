"""A scheduled refund paid with money: the sub-account through the bank, and the bank interest of
an engineering deposit from the platform's interest account (实施条例 第57条).

The chronograph runs this inside its transaction with the refund's row locked; the bank pays each
key once, so a tick retried after a crash asks the same keys again and nothing is paid twice.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext_noop

from bidding.adapters.bank import Bank, bank_get
from bidding.domain import books
from bidding.domain.refunds import deposit_interest
from bidding.models import BookEntry, DepositAccount, DepositRefund, RefundDue
from bidding.models.deposits import EntryKind
from bidding.models.refunds import NIL_PREFIX
from bidding.services.deposits import deposit_refund_pay
from trading.services.common import fixed_clock, record_text

ZERO = Decimal("0.00")


def refund_interest(account: DepositAccount, now: datetime) -> Decimal:
    """The bank interest of the valid money the sub-account received, to `now` (第57条)."""
    rate = Decimal(str(settings.DEPOSIT_INTEREST_RATE))
    total = ZERO
    for transfer in account.transfers.filter(valid=True):
        total += deposit_interest(
            principal=transfer.amount,
            received_at=transfer.received_at,
            refunded_at=now,
            annual_rate=rate,
        )
    return total


def _interest_pay(
    refund: RefundDue, account: DepositAccount, paid: DepositRefund, bank: Bank, now: datetime
) -> Decimal:
    """Pay the interest to where the deposit went back, once (the bank's key; the books' unique
    (refund, kind) posting)."""
    already = account.entries.filter(kind=EntryKind.INTEREST).aggregate(s=Sum("amount"))["s"]
    if already:
        return Decimal(already)
    interest = refund_interest(account, now)
    if interest <= 0:
        return ZERO
    receipt = bank.refund(
        key=f"{refund.idempotency_key}:interest",
        from_account=settings.BANK_INTEREST_ACCOUNT,
        to_account=paid.payee_account,
        amount=interest,
        now=now,
    )
    posting = books.interest_paid(interest)
    BookEntry.objects.create(
        debit=posting.debit,
        credit=posting.credit,
        amount=posting.amount,
        kind=EntryKind.INTEREST,
        account=account,
        refund=paid,
        memo=receipt.reference,
        posted_at=now,
    )
    return interest


def refund_money_pay(refund: RefundDue, *, now: datetime, bank: Bank | None = None) -> str:
    """Pay `refund` out of the sub-account (only its transfer's money for an invalid payment),
    with the bank interest where its rule row says so; the bank's references, or a note that the
    sub-account held nothing (a guarantee, or a deposit never paid)."""
    bank = bank or bank_get()
    enrolment = refund.enrolment
    reasons = {
        "invalid": gettext_noop("无效缴款原路退还（招标投标法实施条例第二十六条）"),
        "withdrawn": gettext_noop("撤回投标文件后退还"),
        "loser": gettext_noop("未中标退还"),
        "winner": gettext_noop("中标人签订合同后退还"),
        "ended": gettext_noop("流标或终止后退还"),
    }
    paid = deposit_refund_pay(
        enrolment=enrolment,
        reason=record_text(reasons.get(refund.kind, gettext_noop("保证金退还"))),
        bank=bank,
        clock=fixed_clock(now),
        transfer=refund.transfer,
        tell=False,
    )
    if not paid:
        return f"{NIL_PREFIX}{refund.idempotency_key}"
    references = [p.bank_reference for p in paid]
    if refund.with_interest and refund.transfer_id is None:
        account = paid[0].account
        interest = _interest_pay(refund, account, paid[0], bank, now)
        if interest > 0:
            refund.interest = interest
            refund.save(update_fields=["interest"])
    return " ".join(references)[:100]
