"""The bank's signed notifications: the signature, the freshness window, the message's fields.

A notification is signed with HMAC-SHA256 (RFC 2104, FIPS 198-1) over the timestamp, the nonce
and the body, joined by dots, with a key the platform and the bank share: whoever does not hold
the key cannot credit a deposit, and a captured notification cannot be sent again (the timestamp
window and the nonce).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Seconds either side of the platform's clock a notification's timestamp may lie.
WINDOW_SECONDS = 300
_NONCE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_ACCOUNT = re.compile(r"^[0-9]{6,40}$")
_TRANSFER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_AMOUNT = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,2})?$")


class NotificationRefused(ValueError):
    """A notification the platform does not act on; `code` says why, for the bank's log."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def signed_bytes(timestamp: str, nonce: str, body: bytes) -> bytes:
    """What the signature covers: `timestamp.nonce.body`."""
    return f"{timestamp}.{nonce}.".encode() + body


def mac(key: bytes, data: bytes) -> str:
    """HMAC-SHA256 of `data` under `key`, in hex (RFC 2104 with SHA-256, RFC 4231's vectors)."""
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def signature(key: bytes, timestamp: str, nonce: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of the notification."""
    return mac(key, signed_bytes(timestamp, nonce, body))


def check_signature(
    key: bytes, *, timestamp: str, nonce: str, body: bytes, given: str, now: float
) -> None:
    """Refuse a notification whose signature, timestamp or nonce is wrong (before parsing it)."""
    if not _NONCE.match(nonce or ""):
        raise NotificationRefused("bad_nonce")
    if not re.fullmatch(r"[0-9]{1,12}", timestamp or ""):
        raise NotificationRefused("bad_timestamp")
    expected = signature(key, timestamp, nonce, body)
    # Compared in constant time: the time taken reveals nothing about the right signature.
    if not hmac.compare_digest(expected, (given or "").lower()):
        raise NotificationRefused("bad_signature")
    if abs(int(timestamp) - now) > WINDOW_SECONDS:
        raise NotificationRefused("stale")


@dataclass(frozen=True)
class CreditNotice:
    """Money arrived in a sub-account: who paid, from which account, how much."""

    transfer_id: str
    account_number: str
    amount: Decimal
    payer_account: str
    payer_name: str
    payer_bank: str


def parse_amount(value: object) -> Decimal:
    """Yuan as the bank writes them, a string: positive, at most two decimals."""
    if not isinstance(value, str) or not _AMOUNT.match(value):
        raise NotificationRefused("bad_amount")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise NotificationRefused("bad_amount") from None
    if amount <= 0:
        raise NotificationRefused("bad_amount")
    return amount.quantize(Decimal("0.01"))


def parse_credit(body: bytes) -> CreditNotice:
    """The notification's fields, each checked; anything else is refused whole."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise NotificationRefused("bad_body") from None
    if not isinstance(data, dict):
        raise NotificationRefused("bad_body")
    fields = {}
    for name, pattern in (
        ("transfer_id", _TRANSFER),
        ("account_number", _ACCOUNT),
        ("payer_account", _ACCOUNT),
    ):
        value = data.get(name)
        if not isinstance(value, str) or not pattern.match(value):
            raise NotificationRefused(f"bad_{name}")
        fields[name] = value
    texts = {}
    for name in ("payer_name", "payer_bank"):
        value = data.get(name, "")
        if not isinstance(value, str) or len(value) > 200:
            raise NotificationRefused(f"bad_{name}")
        texts[name] = value
    return CreditNotice(amount=parse_amount(data.get("amount")), **fields, **texts)


def credit_body(notice: CreditNotice) -> bytes:
    """The body a bank sends for `notice` (the local bank's, and the tests')."""
    return json.dumps(
        {
            "transfer_id": notice.transfer_id,
            "account_number": notice.account_number,
            "amount": f"{notice.amount:.2f}",
            "payer_account": notice.payer_account,
            "payer_name": notice.payer_name,
            "payer_bank": notice.payer_bank,
        },
        ensure_ascii=False,
        sort_keys=True,
    ).encode()


# Serials of sub-account numbers: ten digits after the platform's prefix.
SERIALS = 10**10


def sub_account_number(prefix: str, serial: int) -> str:
    """A virtual account number (一标一户): the platform's prefix, a ten-digit serial, and a check
    digit (ISO 7064 MOD 11,10) so that a mistyped number is refused."""
    if not 0 <= serial < SERIALS:
        raise ValueError(f"a serial has ten digits, got {serial}")
    body = f"{prefix}{serial:010d}"
    return body + str(_check_digit(body))


def _check_digit(digits: str) -> int:
    product = 10
    for char in digits:
        total = (int(char) + product) % 10 or 10
        product = (2 * total) % 11
    return (11 - product) % 10


def sub_account_number_valid(number: str) -> bool:
    """Whether `number`'s check digit fits."""
    return bool(re.fullmatch(r"[0-9]{2,40}", number)) and _check_digit(number[:-1]) == int(
        number[-1]
    )


@dataclass(frozen=True)
class Deposit:
    """What the books and the transfers say about one enrolment's deposit, for its status."""

    required: bool
    due: Decimal
    paid_in_time: Decimal  # valid credits received by the deadline
    invalid: bool  # a credit arrived from an account the law does not accept
    deadline_passed: bool
    # A guarantee verified by the deadline whose amount covers the deposit (where the tender
    # accepts guarantees: 实施条例 第26条 lets the deposit take the form of a bank guarantee).
    guaranteed: bool = False


def deposit_state(deposit: Deposit) -> str:
    """paid / short / late / invalid / not_required (实施条例 第26条: paid by the deadline, in
    cash or by a guarantee covering the amount)."""
    if not deposit.required or deposit.due <= 0:
        return "not_required"
    if deposit.guaranteed or deposit.paid_in_time >= deposit.due:
        return "paid"
    if deposit.invalid:
        return "invalid"
    return "late" if deposit.deadline_passed else "short"


def basic_account_required(*, business_type: str, must_tender: bool) -> bool:
    """A must-tender engineering bid's cash deposit comes from the bidder's basic account
    (招标投标法实施条例 第26条)."""
    return must_tender and business_type == "engineering"


def paid_from_basic_account(payer_account: str, basic_account: str) -> bool:
    """Whether the paying account is the basic account, ignoring spaces the bidder typed."""
    basic = re.sub(r"\s+", "", basic_account)
    return bool(basic) and re.sub(r"\s+", "", payer_account) == basic
