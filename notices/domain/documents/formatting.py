"""Amounts in figures and in words, Chinese dates, document numbers, tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from notices.domain.documents.kinds import NUMBER_CODES
from trading.domain.amounts import format_yuan

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿", "万亿"]


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def yuan(value: Any) -> str:
    """'1,000,000.00 元' — the figure as a Chinese document writes it; '—' when absent."""
    return format_yuan(value) or "—"


def _four_digits(number: int) -> str:
    """Uppercase numerals of 0 < number < 10000, with 零 for inner zero runs."""
    out: list[str] = []
    zero = False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_DIGITS[digit] + _SMALL_UNITS[position])
    return "".join(out)


def yuan_in_words(value: Any) -> str:
    """人民币大写: 1000000.50 → '壹佰万元伍角'; whole yuan end with 整 (GB/T 15835 usage)."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    negative = amount < 0
    fen_total = int((abs(amount) * 100).quantize(Decimal("1")))
    whole, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    groups = []
    while whole:
        groups.append(whole % 10000)
        whole //= 10000
    words = ""
    pending_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            pending_zero = bool(words)
            continue
        if words and (pending_zero or group < 1000):
            words += "零"
        words += _four_digits(group) + _BIG_UNITS[index]
        pending_zero = False
    if words:
        words += "元"
    if not jiao and not fen:
        words = (words or "零元") + "整"
    else:
        if jiao:
            words += _DIGITS[jiao] + "角"
        elif words:
            words += "零"
        if fen:
            words += _DIGITS[fen] + "分"
    return ("负" if negative else "") + words


def price_with_words(value: Any) -> str:
    """'人民币 950,000.00 元（大写：玖拾伍万元整）': figures and words, as contracts require."""
    if _decimal(value) is None:
        return "—"
    return f"人民币 {yuan(value)}（大写：{yuan_in_words(value)}）"


def _moment(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def chinese_date(value: Any) -> str:
    """'2026年11月30日' from an ISO date or datetime (already in local time); '—' when absent."""
    moment = _moment(value)
    if moment is None:
        return "—"
    return f"{moment.year}年{moment.month}月{moment.day}日"


def chinese_datetime(value: Any) -> str:
    """'2026年11月30日 09:30' from an ISO datetime; the date alone for a date."""
    moment = _moment(value)
    if moment is None:
        return "—"
    if isinstance(value, str) and len(value) <= 10:
        return chinese_date(value)
    return f"{chinese_date(value)} {moment:%H:%M}"


def text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def document_number(kind: str, tender_code: str, serial: int) -> str:
    """The printed 编号: tender code, the kind's short code, the notice's serial."""
    return f"{tender_code}-{NUMBER_CODES[kind]}-{serial:04d}"


# ---- builders -----------------------------------------------------------------------------

Row = tuple[str, str]


def _table(
    caption: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    nowrap: Sequence[int] = (),
) -> dict[str, Any]:
    """A list table; `nowrap` columns (ranks, amounts) never break inside a cell."""
    return {
        "caption": caption,
        "columns": list(columns),
        "rows": [list(r) for r in rows],
        "nowrap": list(nowrap),
    }


def present(value: Any) -> bool:
    """Whether `value` is worth a line: a document leaves out a line it holds nothing for."""
    return value is not None and value != "" and value != [] and value != "—"


def optional_row(label: str, value: Any, shown: str | None = None) -> list[Row]:
    """`[(label, shown or value)]` when there is a value, `[]` otherwise (never a lone '—')."""
    if not present(value):
        return []
    return [(label, shown if shown is not None else str(value))]


def drop_empty_columns(table: dict[str, Any]) -> dict[str, Any]:
    """The table without the columns no row fills (a 质量 column of dashes says nothing)."""
    rows = table["rows"]
    if not rows:
        return table
    keep = [i for i in range(len(table["columns"])) if any(present(r[i]) for r in rows)]
    return {
        **table,
        "columns": [table["columns"][i] for i in keep],
        "rows": [[r[i] for i in keep] for r in rows],
        "nowrap": [keep.index(i) for i in table["nowrap"] if i in keep],
    }


def _paragraphs(body: Any) -> list[str]:
    return [line.strip() for line in str(body or "").splitlines() if line.strip()]
