"""Pure rules of the bidder's standing particulars: the basic account and certificate expiry."""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

# Chinese corporate settlement accounts run from 9 (some city commercial banks) to 30 digits.
ACCOUNT_MIN_DIGITS = 9
ACCOUNT_MAX_DIGITS = 30
# How long before its expiry a certificate is flagged (and its users told) ahead of time.
EXPIRY_WARNING_DAYS = 30


class InvalidAccountNumber(ValueError):
    """A bank account number of the wrong shape; `reason` names what is wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def account_number_normalise(raw: str) -> str:
    """The account's digits, as banks print them in groups: spaces and hyphens are dropped.

    人民币银行结算账户管理办法 第16条: a depositor settles through its 基本存款账户, so the
    deposit's paying account is compared with it digit by digit.
    """
    value = unicodedata.normalize("NFKC", raw or "")
    value = re.sub(r"[\s\-]", "", value)
    if not value:
        raise InvalidAccountNumber("missing")
    if not value.isascii() or not value.isdigit():
        raise InvalidAccountNumber("characters")
    if not ACCOUNT_MIN_DIGITS <= len(value) <= ACCOUNT_MAX_DIGITS:
        raise InvalidAccountNumber("length")
    return value


def name_normalise(name: str) -> str:
    """A name as a bank compares it: full-width and half-width forms alike, no spaces."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", name or ""))


def account_name_matches(account_name: str, organisation_name: str) -> bool:
    """人民币银行结算账户管理办法 第17条: a 基本存款账户 is opened in the depositor's own name."""
    return bool(account_name.strip()) and name_normalise(account_name) == name_normalise(
        organisation_name
    )


class CertificateState(enum.StrEnum):
    """Where a certificate stands on a day."""

    USABLE = "usable"
    EXPIRING = "expiring"  # usable, but within EXPIRY_WARNING_DAYS of its expiry
    EXPIRED = "expired"
    REPLACED = "replaced"  # a newer version took its place; bids that used it keep it
    RETIRED = "retired"


def certificate_state(
    *, expires_on: date | None, on: date, replaced: bool = False, retired: bool = False
) -> CertificateState:
    """A certificate is valid through its expiry date and not a day longer."""
    if retired:
        return CertificateState.RETIRED
    if replaced:
        return CertificateState.REPLACED
    if expires_on is None:
        return CertificateState.USABLE
    if on > expires_on:
        return CertificateState.EXPIRED
    if on >= warning_day(expires_on):
        return CertificateState.EXPIRING
    return CertificateState.USABLE


def warning_day(expires_on: date) -> date:
    """The day a certificate is flagged as expiring."""
    return expires_on - timedelta(days=EXPIRY_WARNING_DAYS)


def expired_day(expires_on: date) -> date:
    """The first day a certificate can no longer be used."""
    return expires_on + timedelta(days=1)


class ExpiryNotice(enum.StrEnum):
    WARNING = "warning"
    EXPIRED = "expired"


@dataclass(frozen=True)
class ExpiryStep:
    """What the chronograph does for a certificate on a day, and the next day it looks again."""

    send: ExpiryNotice | None
    next_day: date | None


def expiry_step(
    *, expires_on: date | None, on: date, warned: bool, expired_told: bool
) -> ExpiryStep:
    """Each notice once: the warning from its day on, the expiry from the day after expiry.

    A tick that comes late, past the expiry, sends only the expiry notice: a warning about what
    has already happened helps nobody.
    """
    if expires_on is None or expired_told:
        return ExpiryStep(send=None, next_day=None)
    if on >= expired_day(expires_on):
        return ExpiryStep(send=ExpiryNotice.EXPIRED, next_day=None)
    if not warned and on >= warning_day(expires_on):
        return ExpiryStep(send=ExpiryNotice.WARNING, next_day=expired_day(expires_on))
    next_day = expired_day(expires_on) if warned else warning_day(expires_on)
    return ExpiryStep(send=None, next_day=next_day)
