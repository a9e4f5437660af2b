"""The basic account's shape and name, and when a certificate is flagged, expired and told."""

from __future__ import annotations

from datetime import date

import pytest

from bidding.domain.vault import (
    CertificateState,
    ExpiryNotice,
    InvalidAccountNumber,
    account_name_matches,
    account_number_normalise,
    certificate_state,
    expiry_step,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("4601 0200 0000 1234 5678", "46010200000012345678"),
        ("460-102-000", "460102000"),
        # Full-width digits, as a Chinese input method types them.
        ("".join(chr(0xFF10 + int(d)) for d in "460102000001"), "460102000001"),
    ],
)
def test_an_account_number_is_kept_as_its_digits(typed: str, stored: str) -> None:
    assert account_number_normalise(typed) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "missing"),
        ("   ", "missing"),
        ("4601O2000000123", "characters"),  # a letter O for a zero
        ("CN46010200000012", "characters"),
        ("12345678", "length"),  # eight digits: too short for a settlement account
        ("1" * 31, "length"),
    ],
)
def test_an_account_number_of_the_wrong_shape_is_refused_with_its_reason(
    typed: str, reason: str
) -> None:
    with pytest.raises(InvalidAccountNumber) as refused:
        account_number_normalise(typed)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("account_name", "organisation", "matches"),
    [
        ("海南椰林建设有限公司", "海南椰林建设有限公司", True),
        ("海南椰林建设(集团)有限公司", "海南椰林建设（集团）有限公司", True),
        (" 海南椰林建设有限公司 ", "海南椰林建设有限公司", True),
        ("海南椰林建设", "海南椰林建设有限公司", False),
        ("张三", "海南椰林建设有限公司", False),
        ("", "海南椰林建设有限公司", False),
    ],
)
def test_the_basic_account_is_in_the_organisations_own_name(
    account_name: str, organisation: str, matches: bool
) -> None:
    assert account_name_matches(account_name, organisation) is matches


EXPIRES = date(2027, 3, 31)


@pytest.mark.parametrize(
    ("on", "state"),
    [
        (date(2027, 2, 28), CertificateState.USABLE),
        (date(2027, 3, 1), CertificateState.EXPIRING),  # 30 days ahead
        (date(2027, 3, 31), CertificateState.EXPIRING),  # valid through its last day
        (date(2027, 4, 1), CertificateState.EXPIRED),
    ],
)
def test_a_certificate_is_valid_through_its_expiry_date(on: date, state: CertificateState) -> None:
    assert certificate_state(expires_on=EXPIRES, on=on) == state


def test_a_certificate_without_a_term_never_expires_and_a_retired_one_is_never_usable() -> None:
    assert certificate_state(expires_on=None, on=date(2099, 1, 1)) == CertificateState.USABLE
    assert (
        certificate_state(expires_on=None, on=date(2027, 1, 1), retired=True)
        == CertificateState.RETIRED
    )
    assert (
        certificate_state(expires_on=EXPIRES, on=date(2027, 1, 1), replaced=True)
        == CertificateState.REPLACED
    )


@pytest.mark.parametrize(
    ("on", "warned", "told", "send", "next_day"),
    [
        (date(2027, 1, 1), False, False, None, date(2027, 3, 1)),
        (date(2027, 3, 1), False, False, ExpiryNotice.WARNING, date(2027, 4, 1)),
        (date(2027, 3, 2), True, False, None, date(2027, 4, 1)),
        (date(2027, 4, 1), True, False, ExpiryNotice.EXPIRED, None),
        # A late tick past the expiry tells of the expiry only, not of what was to come.
        (date(2027, 4, 5), False, False, ExpiryNotice.EXPIRED, None),
        (date(2027, 4, 5), True, True, None, None),
    ],
)
def test_each_expiry_notice_is_due_once_on_its_day(
    on: date, warned: bool, told: bool, send: ExpiryNotice | None, next_day: date | None
) -> None:
    step = expiry_step(expires_on=EXPIRES, on=on, warned=warned, expired_told=told)
    assert (step.send, step.next_day) == (send, next_day)
