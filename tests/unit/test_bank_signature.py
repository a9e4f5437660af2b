"""The bank's notifications: HMAC-SHA256 against independent answers, freshness, the fields."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bidding.domain.bank_messages import (
    Deposit,
    NotificationRefused,
    check_signature,
    deposit_state,
    mac,
    parse_amount,
    parse_credit,
    signature,
    sub_account_number,
    sub_account_number_valid,
)

# RFC 4231 §4.2 and §4.3 (test cases 1 and 2), HMAC-SHA-256.
RFC4231 = [
    (
        b"\x0b" * 20,
        b"Hi There",
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    ),
    (
        b"Jefe",
        b"what do ya want for nothing?",
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    ),
    (  # test case 6: a key longer than the block size
        b"\xaa" * 131,
        b"Test Using Larger Than Block-Size Key - Hash Key First",
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    ),
]

KEY = b"tianping-test-bank-key"
TIMESTAMP = "1796011200"
NONCE = "nonce-000001"
BODY = (
    '{"account_number": "622700010000000427", "amount": "50000.00", "payer_account":'
    ' "6217000012345678", "payer_bank": "演示银行", "payer_name": "海南测试建设有限公司",'
    ' "transfer_id": "T20261130001"}'
).encode()
# printf '%s' "1796011200.nonce-000001.$BODY" | openssl dgst -sha256 -hmac tianping-test-bank-key
OPENSSL_SIGNATURE = "b31f1543162aab071e5800ec597811e5fff6724aacf02f51398116c976e81885"


@pytest.mark.parametrize(("key", "data", "expected"), RFC4231)
def test_hmac_sha256_gives_the_rfc_4231_answers(key: bytes, data: bytes, expected: str) -> None:
    assert mac(key, data) == expected


def test_a_notification_is_signed_as_openssl_signs_timestamp_nonce_and_body() -> None:
    assert signature(KEY, TIMESTAMP, NONCE, BODY) == OPENSSL_SIGNATURE
    check_signature(
        KEY, timestamp=TIMESTAMP, nonce=NONCE, body=BODY, given=OPENSSL_SIGNATURE, now=1796011260
    )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"body": BODY.replace(b"50000.00", b"90000.00")}, "bad_signature"),
        ({"given": "0" * 64}, "bad_signature"),
        ({"nonce": "nonce-000002"}, "bad_signature"),
        ({"timestamp": "1796011201"}, "bad_signature"),
        ({"now": 1796011200 + 301}, "stale"),
        ({"now": 1796011200 - 301}, "stale"),
        ({"nonce": "short"}, "bad_nonce"),
        ({"timestamp": "yesterday"}, "bad_timestamp"),
    ],
)
def test_a_changed_or_stale_notification_is_refused(change: dict, code: str) -> None:
    arguments = {
        "timestamp": TIMESTAMP,
        "nonce": NONCE,
        "body": BODY,
        "given": OPENSSL_SIGNATURE,
        "now": 1796011200,
    } | change
    with pytest.raises(NotificationRefused) as refusal:
        check_signature(KEY, **arguments)
    assert refusal.value.code == code


@pytest.mark.parametrize(
    "amount", ["1.005", "-5.00", "0", "0.00", "abc", "1e3", "", None, 5000, "1,000.00", "NaN"]
)
def test_an_amount_with_three_decimals_negative_zero_or_not_a_number_is_refused(
    amount: object,
) -> None:
    with pytest.raises(NotificationRefused):
        parse_amount(amount)


def test_the_body_parses_into_its_fields() -> None:
    notice = parse_credit(BODY)
    assert notice.amount == Decimal("50000.00")
    assert notice.payer_account == "6217000012345678"


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"transfer_id": "T1"}', BODY.replace(b"622700", b"6227x0")]
)
def test_a_malformed_body_is_refused(body: bytes) -> None:
    with pytest.raises(NotificationRefused):
        parse_credit(body)


def test_a_sub_account_number_carries_a_check_digit_that_catches_a_typo() -> None:
    number = sub_account_number("62270001", 42)
    assert sub_account_number_valid(number)
    typo = number[:-3] + str((int(number[-3]) + 1) % 10) + number[-2:]
    assert not sub_account_number_valid(typo)


@pytest.mark.parametrize(
    ("deposit", "state"),
    [
        (Deposit(False, Decimal(100), Decimal(0), False, False), "not_required"),
        (Deposit(True, Decimal(100), Decimal(100), False, True), "paid"),
        (Deposit(True, Decimal(100), Decimal(50), False, False), "short"),
        (Deposit(True, Decimal(100), Decimal(50), False, True), "late"),
        (Deposit(True, Decimal(100), Decimal(0), True, False), "invalid"),
        (Deposit(True, Decimal(100), Decimal(0), False, True, guaranteed=True), "paid"),
        (Deposit(True, Decimal(100), Decimal(0), True, False, guaranteed=True), "paid"),
        (Deposit(True, Decimal(0), Decimal(0), False, False, guaranteed=True), "not_required"),
    ],
)
def test_deposit_state(deposit: Deposit, state: str) -> None:
    assert deposit_state(deposit) == state
