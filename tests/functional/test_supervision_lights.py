"""Every complaint's limits among a lot's lights, with the working days left: the acceptance
(3 工作日 engineering; 5 工作日 procurement) and the decision (30 工作日, moved by extensions), on
the console, the lot page and the supervision lot page; a console page costs a fixed number of
queries however many lots it shows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import ControlledClock
from tests.tenders import World, first_lot, make_tender, make_world
from trading.models import Complaint, Lot, User
from trading.services.complaints import (
    complaint_accept,
    complaint_decide,
    complaint_extend,
    complaint_file,
)
from trading.services.objections import objection_answer, objection_raise

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _complain(world: World, lot: Lot, clock: ControlledClock) -> Complaint:
    objection = objection_raise(
        lot=lot, stage="documents", text="评分办法有倾向性", actor=world.bidder_users[0]
    )
    objection_answer(objection=objection, answer="评分办法合法", actor=world.owner_user)
    return complaint_file(
        lot=lot, objection=objection, grounds="评分办法排斥外地企业", actor=world.bidder_users[0]
    )


def _wall(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def _console(client: Client, **query: str) -> str:
    return client.get(reverse("supervision_console"), query).content.decode()


def test_a_complaints_limits_show_on_the_console_and_both_lot_pages(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world, name="投诉中的标段"))
    # Tuesday 1 December 2026, 12:00: filed, the regulator has 3 工作日 to accept it.
    clock.advance(days=1)
    complaint = _complain(world, lot, clock)
    regulator = _as(world.regulator)

    console = _console(regulator)
    assert "第1件投诉受理期限" in console
    assert _wall(complaint.acceptance_due) in console
    assert "剩余 3 个工作日" in console
    supervision_lot = regulator.get(reverse("supervision_lot", args=[lot.pk])).content.decode()
    assert "第1件投诉受理期限" in supervision_lot and "剩余 3 个工作日" in supervision_lot

    # Accepted on Thursday: 30 工作日 to decide, then extended with a reason; the light moves.
    clock.advance(days=2)
    complaint_accept(complaint=complaint, actor=world.regulator)
    complaint.refresh_from_db()
    assert complaint.decision_due is not None
    extended = complaint.decision_due + timedelta(days=14)
    complaint_extend(
        complaint=complaint, new_due=extended, reason="需要检测", actor=world.regulator
    )

    owner_page = _as(world.owner_user).get(reverse("lot_detail", args=[lot.pk])).content.decode()
    assert "第1件投诉处理期限" in owner_page
    assert timezone.localtime(extended).strftime("%Y-%m-%d") in owner_page
    console = _console(regulator)
    assert _wall(extended) in console
    assert _wall(complaint.decision_due) not in console, "the light shows the new date"
    assert "第1件投诉受理期限" in console, "the acceptance stays, done on time"


def test_a_passed_decision_limit_is_red_and_stays_red_once_decided_late(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world, name="逾期处理的标段"))
    clock.advance(days=1)
    complaint = _complain(world, lot, clock)
    complaint_accept(complaint=complaint, actor=world.regulator)
    complaint.refresh_from_db()
    assert complaint.decision_due is not None
    regulator = _as(world.regulator)
    assert "逾期处理的标段" not in _console(regulator, light="red")

    clock.set(complaint.decision_due + timedelta(days=2))
    red = _console(regulator, light="red")
    assert "逾期处理的标段" in red
    assert "已逾期" in red and "个工作日" in red

    complaint_decide(
        complaint=complaint, upheld=False, order="", reasons="缺乏事实依据", actor=world.regulator
    )
    assert "逾期处理的标段" in _console(regulator, light="red")
    page = regulator.get(reverse("supervision_lot", args=[lot.pk])).content.decode()
    assert "逾期完成" in page


def test_a_console_page_costs_the_same_queries_for_one_lot_as_for_a_full_page(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    clock.advance(days=1)
    _complain(world, first_lot(make_tender(world)), clock)
    regulator = _as(world.regulator)
    _console(regulator)  # warm: sessions, rules and calendar caches
    with CaptureQueriesContext(connection) as one:
        assert _console(regulator).count(">第1件投诉受理期限") == 1

    tender = make_tender(world, lots=24)
    for lot in tender.lots.order_by("pk"):
        _complain(world, lot, clock)
    _console(regulator)
    with CaptureQueriesContext(connection) as page:
        assert _console(regulator).count(">第1件投诉受理期限") == 25

    assert len(page) == len(one), [q["sql"][:120] for q in page.captured_queries]
