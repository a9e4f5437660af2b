"""The guarantee issuer adapter: a bank (电子保函) or an insurer (保证保险) seen from the platform.

A real issuer is reached over its own API; the embedded `LocalIssuer` issues at once and writes the
guarantee's terms into its number, signed with the platform's secret, so that `status` can read
any number back (and reject a forged one) without a table of its own. Every implementation passes
tests/functional/test_guarantee_issuer_contract.py. settings.GUARANTEE_ISSUER names the default.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

__all__ = [
    "GuaranteeApplication",
    "GuaranteeIssuer",
    "IssuedGuarantee",
    "IssuerDeclined",
    "LocalIssuer",
    "get_issuer",
]


class IssuerDeclined(Exception):
    """The issuer will not issue (or act on) the guarantee; the message says why."""


@dataclass(frozen=True)
class GuaranteeApplication:
    kind: str  # "bank" or "insurance"
    applicant_uscc: str
    beneficiary_uscc: str
    beneficiary_name: str
    amount: Decimal
    valid_until: datetime
    # The platform's own reference (its guarantee row), so a repeated application issues once.
    reference: str


@dataclass(frozen=True)
class IssuedGuarantee:
    number: str
    issuer_name: str
    amount: Decimal
    beneficiary_uscc: str
    valid_until: datetime


class GuaranteeIssuer(Protocol):
    code: str

    def apply(self, application: GuaranteeApplication) -> IssuedGuarantee:
        """Issue the guarantee (the same one for the same reference), or IssuerDeclined."""
        ...

    def status(self, number: str) -> IssuedGuarantee | None:
        """The guarantee's terms as the issuer holds them; None for a number it never issued."""
        ...

    def claim(self, number: str, *, amount: Decimal, reason: str) -> str:
        """Claim the guarantee for the beneficiary; the same reference on a repeat."""
        ...

    def release(self, number: str) -> str:
        """Release the guarantee; the same reference on a repeat."""
        ...


class LocalIssuer:
    """Issues every application with a positive amount at once; for the embedded mode and demos."""

    code = "local"
    name = "本地演示出具机构"

    def __init__(self, secret: str | None = None) -> None:
        self._secret = (secret if secret is not None else settings.SECRET_KEY).encode()

    def _signature(self, body: str) -> str:
        return hmac.new(self._secret, body.encode(), hashlib.sha256).hexdigest()[:16].upper()

    def apply(self, application: GuaranteeApplication) -> IssuedGuarantee:
        if application.amount <= 0:
            raise IssuerDeclined("担保金额必须大于零。")
        reference = "".join(ch for ch in application.reference if ch.isalnum())[:20]
        body = "-".join(
            [
                "LB" if application.kind == "bank" else "LI",
                str(application.amount),
                application.beneficiary_uscc,
                str(int(application.valid_until.timestamp())),
                reference,
            ]
        )
        issued = self.status(f"{body}-{self._signature(body)}")
        if issued is None:  # cannot happen: the number was signed just now
            raise IssuerDeclined("保函编号无法校验。")
        return issued

    def status(self, number: str) -> IssuedGuarantee | None:
        body, _, signature = number.rpartition("-")
        if not hmac.compare_digest(signature.encode(), self._signature(body).encode()):
            return None
        parts = body.split("-")
        if len(parts) != 5 or parts[0] not in ("LB", "LI"):
            return None
        try:
            amount = Decimal(parts[1])
            valid_until = datetime.fromtimestamp(int(parts[3]), tz=UTC)
        except (ArithmeticError, ValueError):
            return None
        return IssuedGuarantee(
            number=number,
            issuer_name=self.name,
            amount=amount,
            beneficiary_uscc=parts[2],
            valid_until=valid_until,
        )

    def claim(self, number: str, *, amount: Decimal, reason: str) -> str:
        if self.status(number) is None:
            raise IssuerDeclined("出具机构没有这一编号的保函。")
        return f"CLAIM-{hashlib.sha256(number.encode()).hexdigest()[:16]}"

    def release(self, number: str) -> str:
        if self.status(number) is None:
            raise IssuerDeclined("出具机构没有这一编号的保函。")
        return f"RELEASE-{hashlib.sha256(number.encode()).hexdigest()[:16]}"


def get_issuer() -> GuaranteeIssuer:
    """The issuer settings name (GUARANTEE_ISSUER), constructed with its defaults."""
    path = getattr(settings, "GUARANTEE_ISSUER", "bidding.guarantee_issuers.LocalIssuer")
    issuer: GuaranteeIssuer = import_string(path)()
    return issuer
