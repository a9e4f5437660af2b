"""Who pays a refund that fell due: an interface, the default that pays through the books and the
bank adapter, and one that only records it.

settings.REFUND_PAYER names the payer (default `BankRefundPayer`). A payer must be idempotent by
the refund's `idempotency_key`: the chronograph may call it again after a crash before its commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from bidding.services.refund_money import refund_money_pay
from trading.clock import get_clock

if TYPE_CHECKING:
    from bidding.models import RefundDue

__all__ = ["BankRefundPayer", "RecordOnlyPayer", "RefundPayer", "get_refund_payer"]


class RefundPayer(Protocol):
    def pay(self, refund: RefundDue) -> str:
        """Pay the refund once per idempotency key; return the payment's reference."""
        ...


class BankRefundPayer:
    """Pays the sub-account's money back through the bank adapter, with the books' postings and
    an engineering deposit's bank interest (实施条例 第57条)."""

    def pay(self, refund: RefundDue) -> str:
        return refund_money_pay(refund, now=get_clock()())


class RecordOnlyPayer:
    """Records the refund as paid; no money moves (a platform whose bank pays refunds itself)."""

    def pay(self, refund: RefundDue) -> str:
        return f"RECORDED-{refund.idempotency_key}"


def get_refund_payer() -> RefundPayer:
    path = getattr(settings, "REFUND_PAYER", "bidding.refund_payers.BankRefundPayer")
    payer: RefundPayer = import_string(path)()
    return payer
