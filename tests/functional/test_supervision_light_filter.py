"""The console's colour filter reads each lot's stored colour and recomputes only the stale ones:
it follows the clock (a date turning yellow, then red) and every change to what the lights read
(an objection raised and answered, a termination), and a fresh colour costs no recomputation."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.tenders import World, first_lot, make_tender, make_world, opens
from trading.models import LotLight, TimelineRule, User
from trading.selectors.timeline import WARN_BEFORE
from trading.services.interventions import intervention_terminate_order
from trading.services.objections import objection_answer, objection_raise
from trading.services.rules import calendar_seed

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world(business_type="engineering")


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _shown(client: Client, colour: str) -> str:
    return client.get(reverse("supervision_console"), {"light": colour}).content.decode()


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in queries.captured_queries
        if "trading_lotlight" in query["sql"]
        and query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]


def test_the_colour_filter_follows_the_clock(world: World, clock: ControlledClock) -> None:
    lot = first_lot(make_tender(world, name="按时推进的标段"))
    client = _as(world.regulator)
    assert "按时推进的标段" in _shown(client, "green")
    # Stored, and valid until the bid opening's warning: the next instant its colour changes.
    assert LotLight.objects.get(lot=lot).valid_until == opens(lot) - WARN_BEFORE

    with CaptureQueriesContext(connection) as again:
        assert "按时推进的标段" in _shown(client, "green")
    assert _writes(again) == [], "a fresh colour is read, not recomputed"

    clock.set(opens(lot) - timedelta(days=1))
    assert "按时推进的标段" not in _shown(client, "green")
    assert "按时推进的标段" in _shown(client, "yellow")

    # Nobody moves the lot past its opening: the date passes and the light turns red.
    clock.set(opens(lot) + timedelta(minutes=1))
    assert "按时推进的标段" not in _shown(client, "yellow")
    assert "按时推进的标段" in _shown(client, "red")


def test_the_colour_filter_follows_an_objection_and_a_termination(
    world: World, clock: ControlledClock
) -> None:
    lot = first_lot(make_tender(world, name="有异议的标段"))
    client = _as(world.regulator)
    clock.advance(days=1)
    assert "有异议的标段" in _shown(client, "green")

    # The owner has 3 日 to answer (实施条例 第22条): within 3 days of its end, yellow.
    objection = objection_raise(
        lot=lot, stage="documents", text="评分办法有倾向性", actor=world.bidder_users[0]
    )
    assert objection.answer_due is not None
    clock.set(objection.answer_due - timedelta(days=1))
    assert "有异议的标段" in _shown(client, "yellow")
    assert "有异议的标段" not in _shown(client, "green")

    objection_answer(objection=objection, answer="评分办法合法", actor=world.owner_user)
    assert "有异议的标段" in _shown(client, "green")
    assert "有异议的标段" not in _shown(client, "yellow")

    # Terminated days before its opening: what was still due never will be; nothing is lit
    # but what was done.
    clock.set(opens(lot) - timedelta(days=1))
    assert "有异议的标段" in _shown(client, "yellow")
    intervention_terminate_order(lot=lot, reason="责令终止", actor=world.regulator)
    assert "有异议的标段" not in _shown(client, "yellow")
    assert "有异议的标段" in _shown(client, "done")


def test_a_rule_or_calendar_change_makes_every_stored_colour_stale(world: World) -> None:
    lot = first_lot(make_tender(world, name="规则变更"))
    client = _as(world.regulator)
    _shown(client, "green")
    assert LotLight.objects.get(lot=lot).valid_until is not None
    rule = TimelineRule.objects.order_by("pk").first()
    assert rule is not None
    rule.save()
    assert LotLight.objects.get(lot=lot).valid_until is None

    assert "规则变更" in _shown(client, "green")
    assert LotLight.objects.get(lot=lot).valid_until is not None
    # The holiday table is written in bulk: its service marks the colours itself.
    calendar_seed(range(2027, 2028))
    assert LotLight.objects.get(lot=lot).valid_until is None
    assert "规则变更" in _shown(client, "green")


def test_the_refresh_command_stores_every_colour_ahead_of_the_first_filter(world: World) -> None:
    first_lot(make_tender(world, name="预先计算", lots=3))
    out = io.StringIO()
    call_command("lights_refresh", stdout=out)
    assert "3" in out.getvalue()
    with CaptureQueriesContext(connection) as first:
        assert "预先计算" in _shown(_as(world.regulator), "green")
    assert _writes(first) == [], "every colour was stored already"
