"""The opening room's page: each seat sees its own buttons, and each role's lot page links to it."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.rooms import RoomWorld, make_room_world

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


@pytest.fixture
def room(clock: ControlledClock) -> RoomWorld:
    return make_room_world()


def _client(room: RoomWorld, seat: str) -> Client:
    users = {
        "host": room.people.owner_user,
        "staff": room.people.staff,
        "supervisor": room.people.regulator,
        "bidder2": room.people.bidder_users[1],
    }
    client = Client()
    client.force_login(users[seat])
    return client


def _config(html: str) -> dict[str, object]:
    start = html.index(">", html.index('id="opening-room-config"')) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_the_bidder_gets_its_number_and_its_buttons(room: RoomWorld) -> None:
    response = _client(room, "bidder2").get(reverse("bidding_opening_room", args=[room.lot.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    config = _config(html)
    assert config["socket"] == f"/ws/lots/{room.lot.pk}/opening/"
    assert (config["seat"], config["bidderNumber"], config["readOnly"]) == ("bidder", "B002", False)
    assert 'data-action="check_in"' in html and 'id="key-file"' in html
    assert 'data-action="open_window"' not in html
    assert "bidding/opening_room.js" in html


def test_the_host_and_staff_get_the_hosts_buttons(room: RoomWorld) -> None:
    for seat in ("host", "staff"):
        html = _client(room, seat).get(reverse("bidding_opening_room", args=[room.lot.pk]))
        text = html.content.decode()
        assert 'data-action="open_window"' in text and 'data-action="read_out"' in text
        assert 'id="key-file"' not in text


def test_the_supervisor_watches_without_buttons(room: RoomWorld) -> None:
    html = _client(room, "supervisor").get(reverse("bidding_opening_room", args=[room.lot.pk]))
    text = html.content.decode()
    assert _config(text)["readOnly"] is True
    assert "data-action" not in text
    assert "不能操作" in text


def test_the_page_speaks_english_to_an_english_reader(room: RoomWorld) -> None:
    client = _client(room, "host")
    client.cookies["django_language"] = "en"
    html = client.get(reverse("bidding_opening_room", args=[room.lot.pk])).content.decode()
    assert '<html lang="en">' in html


def test_each_roles_lot_page_links_to_the_room(room: RoomWorld) -> None:
    room_url = reverse("bidding_opening_room", args=[room.lot.pk])
    for seat in ("host", "staff", "supervisor"):
        page = _client(room, seat).get(reverse("lot_detail", args=[room.lot.pk]))
        assert room_url in page.content.decode(), seat
    supervision = _client(room, "supervisor").get(reverse("supervision_lot", args=[room.lot.pk]))
    assert room_url in supervision.content.decode()
    enrolment = _client(room, "bidder2").get(reverse("enrolment_lot", args=[room.lot.pk]))
    assert room_url in enrolment.content.decode()
