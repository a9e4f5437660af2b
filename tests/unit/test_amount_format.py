"""Amounts read the same everywhere: thousands separators and two decimals (3,100,000.00 元)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from trading.domain.amounts import format_amount, format_yuan


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (Decimal("3100000"), "3,100,000.00"),
        (Decimal("3100000.5"), "3,100,000.50"),
        (3100000, "3,100,000.00"),
        ("3100000.00", "3,100,000.00"),
        ("3,100,000.00", "3,100,000.00"),
        (Decimal("0"), "0.00"),
        (0, "0.00"),
        (Decimal("-0.001"), "0.00"),
        (Decimal("-1234.5"), "-1,234.50"),
        (Decimal("999.99"), "999.99"),
        (Decimal("1000"), "1,000.00"),
        (Decimal("0.005"), "0.01"),
        (Decimal("0.004"), "0.00"),
        (Decimal("-0.005"), "-0.01"),
        (Decimal("12345678901234.56"), "12,345,678,901,234.56"),
        (Decimal("99999999999999999.99"), "99,999,999,999,999,999.99"),
        (Decimal("1.2345678901234567890123"), "1.23"),
        (Decimal("1E+6"), "1,000,000.00"),
    ],
)
def test_an_amount_prints_with_separators_and_two_decimals(value: object, printed: str) -> None:
    assert format_amount(value) == printed
    assert format_yuan(value) == f"{printed} 元"


@pytest.mark.parametrize("value", [None, "", "abc", Decimal("NaN"), Decimal("Infinity"), True])
def test_no_amount_prints_nothing_rather_than_a_wrong_figure(value: object) -> None:
    assert format_amount(value) == ""
    assert format_yuan(value) == ""
