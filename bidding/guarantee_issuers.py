"""The guarantee issuer adapter: a bank (电子保函) or an insurer (保证保险) seen from the platform.

A real issuer is reached over its own API; the embedded `LocalIssuer` issues at once and writes the
guarantee's terms into its number, signed with the platform's secret, so that `status` can read
any number back (and reject a forged one) without a table of its own. Every implementation passes
tests/functional/test_guarantee_issuer_contract.py. settings.GUARANTEE_ISSUER names the default.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
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


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class LocalIssuer:
    """Issues every application with a positive amount at once; for the embedded mode and demos."""

    code = "local"
    name = "本地演示出具机构"

    def __init__(self, secret: str | None = None) -> None:
        self._secret = (secret if secret is not None else settings.SECRET_KEY).encode()

    def _signature(self, body: str) -> str:
        digest = hmac.new(self._secret, body.encode(), hashlib.sha256).digest()
        return _b64(digest[:12])

    def apply(self, application: GuaranteeApplication) -> IssuedGuarantee:
        if application.amount <= 0:
            raise IssuerDeclined("担保金额必须大于零。")
        terms = {
            "k": application.kind,
            "a": str(application.amount),
            "b": application.beneficiary_uscc,
            "v": application.valid_until.isoformat(),
            "r": application.reference,
        }
        body = _b64(json.dumps(terms, separators=(",", ":"), sort_keys=True).encode())
        number = f"LG-{body}.{self._signature(body)}"
        issued = self.status(number)
        if issued is None:  # cannot happen: the number was signed just now
            raise IssuerDeclined("保函编号无法校验。")
        return issued

    def status(self, number: str) -> IssuedGuarantee | None:
        if not number.startswith("LG-") or "." not in number:
            return None
        body, signature = number[3:].rsplit(".", 1)
        if not hmac.compare_digest(signature, self._signature(body)):
            return None
        try:
            terms = json.loads(_unb64(body))
        except ValueError:
            return None
        return IssuedGuarantee(
            number=number,
            issuer_name=self.name,
            amount=Decimal(terms["a"]),
            beneficiary_uscc=terms["b"],
            valid_until=datetime.fromisoformat(terms["v"]),
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
