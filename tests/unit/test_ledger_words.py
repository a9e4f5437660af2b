"""Every action the code records in the ledger has a name in words; every field reads in words."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from trading.domain.lifecycle import LotEvent
from trading.services.lot_state import lot_action
from trading.views.ledger_words import (
    FIELD_LABELS,
    field_value,
    generic_action_label,
    ledger_fields,
)
from trading.views.lots import LEDGER_ACTIONS, ledger_action_label

ROOT = Path(__file__).resolve().parents[2]
APPS = ("trading", "notices", "bidding", "supervision")
# The writers of ledger entries: each takes the action's code as `action=`.
WRITERS = {"ledger", "ledger_append", "ledger_append_tender", "_ledger"}


def recorded_actions() -> set[str]:
    """Every `action="…"` literal passed to a ledger writer, and every lot transition's action."""
    found: set[str] = {lot_action(event) for event in LotEvent}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                for keyword in node.keywords:
                    if (
                        name in WRITERS
                        and keyword.arg == "action"
                        and isinstance(keyword.value, ast.Constant)
                    ):
                        found.add(str(keyword.value.value))
    return found


def test_the_scan_finds_the_actions_it_should() -> None:
    actions = recorded_actions()

    assert {"lot.close_bidding", "tender.published", "notice.published", "hold.placed"} <= actions


@pytest.mark.parametrize("action", sorted(recorded_actions()))
def test_every_recorded_action_has_a_label(action: str) -> None:
    assert action in LEDGER_ACTIONS
    assert "." not in ledger_action_label(action)


def test_an_unknown_action_reads_as_its_subject_and_words() -> None:
    assert generic_action_label("lot.moon_landed") == "标段：moon landed"
    assert "." not in generic_action_label("mystery.thing_done")
    assert ledger_action_label("lot.moon_landed") == "标段：moon landed"


def test_a_utc_time_reads_as_shanghai_wall_time() -> None:
    stored = datetime(2026, 12, 30, 4, 0, tzinfo=UTC).isoformat()
    assert stored.endswith("+00:00")

    assert field_value("closes_at", stored) == "2026-12-30 12:00"
    # A Shanghai midnight ends a period: the law writes it 24:00 of the day before.
    assert field_value("publicity_ends_at", "2027-02-01T16:00:00+00:00") == "2027-02-01 24:00"


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("on_time", True, "是"),
        ("deviates", False, "否"),
        ("amount", "3100000.00", "3,100,000.00 元"),
        ("from", "bidding", "投标中"),
        ("notice_kind", "candidates", "中标候选人公示"),
        ("fields", ["estimate", "closes_at"], "预算（估算）金额、截止时间"),
        ("reason", None, "无"),
        ("rules_as_of", "2026-11-30", "2026-11-30"),
    ],
)
def test_values_read_in_words(key: str, value: object, shown: str) -> None:
    assert field_value(key, value) == shown


def test_fields_are_named_in_words_and_unknown_ones_readably() -> None:
    fields = ledger_fields(
        {"event": "close_bidding", "closes_at": "2026-12-30T04:00:00+00:00", "odd_key": 1}
    )

    # The action column already says which transition it was.
    assert fields == [("截止时间", "2026-12-30 12:00"), ("odd key", "1")]


def test_a_page_may_name_values_only_it_knows() -> None:
    fields = ledger_fields({"procedure": "open"}, known={"procedure": {"open": "公开招标"}})

    assert fields == [("交易方式", "公开招标")]


def test_every_field_label_is_distinct_from_its_code() -> None:
    assert all(str(label) != key for key, label in FIELD_LABELS.items())


def test_a_status_change_reads_from_then_to_whatever_order_the_database_keeps() -> None:
    fields = ledger_fields({"to": "opening", "due_at": None, "from": "bidding"})

    assert [label for label, _value in fields] == ["原状态", "新状态", "期限"]
