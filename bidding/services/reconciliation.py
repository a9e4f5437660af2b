"""The daily reconciliation: each sub-account's books against the bank's statement.

Chronograph due work: every sub-account is due once a day (`reconcile_at`); a difference is kept
as a `Discrepancy` for the center's staff, who see it by bidder number only before the opening.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from bidding.adapters.bank import Bank, bank_get
from bidding.models import DepositAccount, Discrepancy
from bidding.services.deposits import deposit_expected_at_bank, next_reconciliation
from trading.chronograph import DueWork


def deposit_reconcile(
    *, account: DepositAccount, now: datetime, bank: Bank | None = None
) -> Discrepancy | None:
    """Compare one sub-account with the bank's statement at `now`; record a difference."""
    bank = bank or bank_get()
    book = deposit_expected_at_bank(account)
    statement = bank.statement(account_number=account.number, as_of=now)
    account.reconcile_at = next_reconciliation(now)
    account.save(update_fields=["reconcile_at"])
    if statement == book:
        return None
    return Discrepancy.objects.create(
        account=account, found_at=now, book_balance=book, bank_balance=statement
    )


def _due(now: datetime) -> QuerySet[DepositAccount]:
    return DepositAccount.objects.filter(reconcile_at__lte=now)


def _advance(account: DepositAccount, now: datetime) -> None:
    deposit_reconcile(account=account, now=now)


RECONCILIATION = DueWork(name="bidding.deposit_reconciliation", due=_due, advance=_advance)
