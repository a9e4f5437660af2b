"""The lot page's audit log reads in words and in Asia/Shanghai time, whoever recorded what."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.tenders import (
    World,
    award_and_close,
    closes,
    first_lot,
    make_tender,
    make_world,
    publicity_end,
    record_outcome,
)
from trading.chronograph import chronograph_tick
from trading.domain.timeline import format_moment
from trading.models import LedgerEntry, Lot
from trading.selectors.tenders import lot_ledger_entries

pytestmark = [pytest.mark.django_db]

LEDGER = re.compile(r'<table class="table compact ledger">(.*?)</table>', re.DOTALL)
# A code as the ledger stores it: `lot.close_bidding`, `award.letter_issued`, `closes_at`.
RAW_CODE = re.compile(r"\b[a-z]+(?:[._][a-z]+)+\b")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world(business_type="engineering")


@pytest.fixture
def closed_lot(world: World, clock: ControlledClock) -> Lot:
    lot = first_lot(make_tender(world))
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot = record_outcome(world, lot)
    clock.set(publicity_end(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    return award_and_close(world, lot)


def ledger_html(world: World, lot: Lot) -> str:
    client = Client()
    client.force_login(world.owner_user)
    page = client.get(reverse("lot_detail", args=[lot.pk]))
    assert page.status_code == 200
    found = LEDGER.search(page.content.decode())
    assert found is not None
    return found.group(1)


def ledger_table(world: World, lot: Lot) -> str:
    # The text a reader sees: attributes (a <time>'s machine-readable datetime) are not read.
    return re.sub(r"<[^>]+>", " ", ledger_html(world, lot))


def ledger_rows(world: World, lot: Lot) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", ledger_html(world, lot), re.DOTALL)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        ]
        for row in rows
        if "<td" in row
    ]


def test_the_audit_log_names_every_action_and_field_in_words(world: World, closed_lot: Lot) -> None:
    text = ledger_table(world, closed_lot)

    assert "原状态：投标中；新状态：开标" in text
    assert RAW_CODE.findall(text) == []
    rows = ledger_rows(world, closed_lot)
    assert len(rows) == lot_ledger_entries(closed_lot).count()
    for _seq, _at, action, _actor, content in rows:
        assert not re.search(r"[A-Za-z]", action), action
        labels = [part.split("：")[0] for part in content.split("；") if part]
        # Every field's name is a word (SHA-256 is what the law and the page call the digest).
        assert [
            label for label in labels if re.search(r"[A-Za-z]", label.replace("SHA-256", ""))
        ] == []
    assert "投标截止" in [row[2] for row in rows]
    assert "预算（估算）金额：1,000,000.00 元" in text


def test_every_time_in_the_audit_log_is_shanghai_wall_time(world: World, closed_lot: Lot) -> None:
    text = ledger_table(world, closed_lot)

    assert "+00:00" not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", text)
    # A stored UTC time reads as the same moment in Shanghai, e.g. the publicity's end.
    ended = LedgerEntry.objects.get(action="lot.publicity_started").payload["publicity_ends_at"]
    assert "+00:00" in ended
    assert format_moment(closed_lot.publicity_ends_at) in text  # type: ignore[arg-type]
    recorded = LedgerEntry.objects.filter(action="lot.close_bidding").get().recorded_at
    assert format_moment(recorded) in text
