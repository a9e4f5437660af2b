"""The bank, behind one interface: credit notifications in, refunds out, statements to reconcile.

A real bank is reached through an implementation of `Bank` named by the BANK_ADAPTER setting.
`LocalBank` is the one the embedded mode, the demo and the tests use: it keeps its own record of
what it moved (`LocalBankMovement`), pays each refund key once, and notifies credits by posting a
signed notification to the platform's webhook, as a bank's notification service would.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils.module_loading import import_string

from bidding.domain.bank_messages import CreditNotice, credit_body, signature
from bidding.models import LocalBankMovement
from trading.clock import get_clock

SIGNATURE_HEADER = "X-Bank-Signature"
TIMESTAMP_HEADER = "X-Bank-Timestamp"
NONCE_HEADER = "X-Bank-Nonce"


@dataclass(frozen=True)
class RefundReceipt:
    """The bank's answer to a refund: its reference, and whether this call moved the money."""

    reference: str
    amount: Decimal
    moved_now: bool


@dataclass(frozen=True)
class Delivery:
    """What the bank got back from the platform's webhook."""

    status: int
    body: str


class Bank(Protocol):
    """What the platform needs from a bank holding the deposits' sub-accounts."""

    def refund(
        self, *, key: str, from_account: str, to_account: str, amount: Decimal, now: datetime
    ) -> RefundReceipt:
        """Pay `amount` out of a sub-account; the same `key` never pays twice."""
        ...

    def statement(self, *, account_number: str, as_of: datetime) -> Decimal:
        """The sub-account's balance in the bank's books at `as_of`."""
        ...


def webhook_key() -> bytes:
    """The key the bank and the platform share for notifications (BANK_WEBHOOK_KEY)."""
    return str(settings.BANK_WEBHOOK_KEY).encode()


def signed_headers(body: bytes, *, key: bytes, timestamp: int, nonce: str) -> dict[str, str]:
    """The headers a bank sends with `body`."""
    return {
        TIMESTAMP_HEADER: str(timestamp),
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature(key, str(timestamp), nonce, body),
    }


class LocalBank:
    """The embedded bank: movements in the platform's database, notifications to its webhook."""

    def refund(
        self, *, key: str, from_account: str, to_account: str, amount: Decimal, now: datetime
    ) -> RefundReceipt:
        moved_now = True
        try:
            with transaction.atomic():
                movement = LocalBankMovement.objects.create(
                    key=key,
                    account_number=from_account,
                    counterparty=to_account,
                    amount=-amount,
                    moved_at=now,
                )
        except IntegrityError:
            # Asked again (the platform crashed after our answer): the first payment stands.
            movement = LocalBankMovement.objects.get(key=key)
            moved_now = False
        return RefundReceipt(
            reference=f"LB{movement.pk:010d}", amount=-movement.amount, moved_now=moved_now
        )

    def statement(self, *, account_number: str, as_of: datetime) -> Decimal:
        total = LocalBankMovement.objects.filter(
            account_number=account_number, moved_at__lte=as_of
        ).aggregate(total=Sum("amount"))["total"]
        return (total or Decimal("0")).quantize(Decimal("0.01"))

    def transfer_in(self, notice: CreditNotice, *, now: datetime) -> Delivery:
        """A payer's transfer into a sub-account (the demo's), then its signed notification."""
        with transaction.atomic():
            LocalBankMovement.objects.create(
                key=notice.transfer_id,
                account_number=notice.account_number,
                counterparty=notice.payer_account,
                amount=notice.amount,
                moved_at=now,
            )
        return self.notify(notice)

    def notify(self, notice: CreditNotice, *, nonce: str | None = None) -> Delivery:
        """Post the signed notification of `notice` to the platform's webhook."""
        body = credit_body(notice)
        headers = signed_headers(
            body,
            key=webhook_key(),
            timestamp=int(get_clock()().timestamp()),
            nonce=nonce or secrets.token_hex(16),
        )
        return deliver(body, headers)


def deliver(body: bytes, headers: dict[str, str]) -> Delivery:
    """Hand a notification to the webhook view as an HTTP request would (same checks, same code).

    The embedded server serves one request at a time: a real HTTP call from inside the demo
    page's request would wait for itself.
    """
    path = reverse("bank_notification")
    request = RequestFactory().post(
        path,
        data=body,
        content_type="application/json",
        headers=headers,
    )
    response: HttpResponse = resolve(path).func(request)
    return Delivery(status=response.status_code, body=response.content.decode())


def bank_get() -> Bank:
    """The bank the BANK_ADAPTER setting names."""
    bank: Bank = import_string(settings.BANK_ADAPTER)()
    return bank


def bank_is_local() -> bool:
    """Whether the demo may move money itself (only the local bank lets it)."""
    return isinstance(bank_get(), LocalBank)
