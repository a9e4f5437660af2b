"""Verification codes: pure rules, no database (publication limits are rule rows now:
tests/unit/test_rule_rows.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notices.domain.codes import ALPHABET, verification_code_new, verification_code_normalise

CODE = re.compile(rf"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


def test_a_new_code_is_twelve_crockford_symbols_in_groups_of_four() -> None:
    for _ in range(200):
        assert CODE.match(verification_code_new())


def test_new_codes_do_not_repeat() -> None:
    assert len({verification_code_new() for _ in range(2000)}) == 2000


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7KQ2-9M4X-3TZA", "7KQ2-9M4X-3TZA"),
        ("7kq29m4x3tza", "7KQ2-9M4X-3TZA"),
        ("  7kq2 9m4x 3tza ", "7KQ2-9M4X-3TZA"),
        ("7KQ2_9M4X_3TZA", "7KQ2-9M4X-3TZA"),
        ("OIL0-0000-0000", "0110-0000-0000"),
        ("7KQ2\u30009M4X\u30003TZA", "7KQ2-9M4X-3TZA"),
    ],
)
def test_what_people_type_is_read_back_as_the_code(typed: str, expected: str) -> None:
    assert verification_code_normalise(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "7KQ2-9M4X-3TZ",
        "7KQ2-9M4X-3TZAB",
        "7KQ2-9M4X-3TZU",
        "7KQ2-9M4X-3TZ*",
        "验证码验证码验证码验证码",
        "'; DROP TABLE notices_notice; --",
        "A" * 10_000,
    ],
)
def test_anything_else_is_not_a_code(typed: str) -> None:
    assert verification_code_normalise(typed) is None


@given(st.text(max_size=80))
def test_normalising_never_fails_and_is_idempotent(raw: str) -> None:
    code = verification_code_normalise(raw)
    if code is not None:
        assert CODE.match(code)
        assert verification_code_normalise(code) == code


@given(st.just(None).map(lambda _: verification_code_new()))
def test_a_new_code_reads_back_as_itself_even_in_lower_case(code: str) -> None:
    assert verification_code_normalise(code.lower().replace("-", "")) == code
