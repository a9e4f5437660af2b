"""Amounts as people read them: thousands separators and two decimals, 3,100,000.00 元.

One function for every page, message and document, so an amount reads the same wherever it is
printed. Money is kept to the 分 (two decimals, DESIGN.md invariant 8); a half 分 rounds away
from zero, as a Chinese 财务 statement rounds (四舍五入).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
YUAN = "元"


def amount_decimal(value: object) -> Decimal | None:
    """`value` as a finite Decimal; None when it is absent or not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def format_amount(value: object) -> str:
    """'3,100,000.00' from 3100000; '' when there is no amount to print."""
    amount = amount_decimal(value)
    if amount is None:
        return ""
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no '-0.00'
    return f"{rounded:,}"


def format_yuan(value: object) -> str:
    """'3,100,000.00 元' from 3100000; '' when there is no amount to print."""
    figure = format_amount(value)
    return f"{figure} {YUAN}" if figure else ""
