"""The tender and lot codes printed on every portal row find their notices, whole or by their
first six characters or more, from the portal's search box. Marked `sqlite`: both engines."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from notices.models import NoticeKind
from tests.conftest import ControlledClock
from tests.portal_data import publish_row
from tests.tenders import first_lot, make_tender, make_world

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


def titles_found(client: Client, query: str) -> set[str]:
    response = client.get(reverse("portal_notices"), {"q": query})
    assert response.status_code == 200
    return {notice.title for notice in response.context["notices"]}


def test_a_tender_code_or_its_start_finds_the_tenders_notices(
    client: Client, clock: ControlledClock
) -> None:
    world = make_world()
    roads = make_tender(world, name="海口市道路改造工程")
    school = make_tender(world, name="三亚市学校教学楼工程")
    publish_row(roads, title="道路改造招标公告")
    publish_row(roads, title="道路改造中标结果公告", kind=NoticeKind.RESULT)
    publish_row(school, title="教学楼招标公告")

    both_road_notices = {"道路改造招标公告", "道路改造中标结果公告"}
    assert titles_found(client, roads.code) == both_road_notices
    # What a person copies from a row, with a space or the ellipsis of a cut-off code.
    assert titles_found(client, f" {roads.code[:-2]}…") == both_road_notices
    assert "道路改造招标公告" in titles_found(client, roads.code[:6])
    assert titles_found(client, school.code) == {"教学楼招标公告"}
    # A code and a word narrow together.
    assert titles_found(client, f"{roads.code} 结果") == {"道路改造中标结果公告"}


def test_a_lot_code_finds_the_lots_notices(client: Client, clock: ControlledClock) -> None:
    world = make_world()
    tender = make_tender(world, name="儋州市供水管网工程")
    lot = first_lot(tender)
    publish_row(tender, title="供水管网标段公告", lot=lot)
    publish_row(make_tender(world, name="其他项目"), title="其他公告")

    assert titles_found(client, lot.code) == {"供水管网标段公告"}
    assert titles_found(client, lot.code[:-1]) == {"供水管网标段公告"}


def test_fewer_than_six_characters_of_a_code_match_only_a_whole_word(
    client: Client, clock: ControlledClock
) -> None:
    tender = make_tender(make_world(), name="文昌市园林绿化工程")
    publish_row(tender, title="园林绿化招标公告")

    assert titles_found(client, tender.code[:5]) == set()
    assert titles_found(client, tender.code[:6]) == {"园林绿化招标公告"}
