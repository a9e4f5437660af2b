"""Who pays a refund that fell due: an interface, and the default that only records it.

The books and the bank adapter pay for real (`deposit_refund_pay` in bidding.services.deposits,
built beside this); until they are wired in, `RecordOnlyPayer` marks the refund as paid without
moving money. settings.REFUND_PAYER names the payer. A payer must be idempotent by the refund's
`idempotency_key`: the chronograph may call it again after a crash before its commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from bidding.models import RefundDue

__all__ = ["RecordOnlyPayer", "RefundPayer", "get_refund_payer"]


class RefundPayer(Protocol):
    def pay(self, refund: RefundDue) -> str:
        """Pay the refund once per idempotency key; return the payment's reference."""
        ...


class RecordOnlyPayer:
    """Records the refund as paid; no money moves (until the books are merged)."""

    def pay(self, refund: RefundDue) -> str:
        return f"RECORDED-{refund.idempotency_key}"


def get_refund_payer() -> RefundPayer:
    path = getattr(settings, "REFUND_PAYER", "bidding.refund_payers.RecordOnlyPayer")
    payer: RefundPayer = import_string(path)()
    return payer
