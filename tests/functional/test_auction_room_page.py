"""The auction room's page: the public watches without signing in, each seat gets its own
controls, and nothing on it names a bidder."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from bidding.models.auctions import Auction, AuctionBid
from tests.auction_rooms import AuctionWorld, make_auction_world
from tests.conftest import ControlledClock
from trading.models import User

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


@pytest.fixture
def world(clock: ControlledClock) -> AuctionWorld:
    return make_auction_world()


def _page(world: AuctionWorld, user: User | None = None) -> tuple[int, str]:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("bidding_auction_room", args=[world.lot.pk]))
    return response.status_code, response.content.decode()


def _config(html: str) -> dict[str, object]:
    start = html.index(">", html.index('id="auction-room-config"')) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_the_public_watches_without_signing_in(world: AuctionWorld) -> None:
    status, html = _page(world)
    assert status == 200
    config = _config(html)
    assert config["socket"] == f"/ws/lots/{world.lot.pk}/auction/"
    assert (config["seat"], config["bidderNumber"]) == ("public", None)
    for element in ("auction-price", "auction-countdown", "auction-leader", "auction-history"):
        assert f'id="{element}"' in html
    assert 'id="bid-amount"' not in html and 'id="suspend-submit"' not in html
    assert "bidding/auction_room.js" in html
    assert not any(organisation.name in html for organisation in world.people.bidders)


def test_the_bidder_gets_its_number_and_the_bid_box(world: AuctionWorld) -> None:
    status, html = _page(world, world.people.bidder_users[1])
    assert status == 200
    assert (_config(html)["seat"], _config(html)["bidderNumber"]) == ("bidder", "B002")
    for element in ("bid-amount", "bid-submit", "declare-submit", "data-steps"):
        assert element in html
    assert 'id="reveal-submit"' not in html


def test_staff_operate_and_the_supervisor_reveals(world: AuctionWorld) -> None:
    _, staff = _page(world, world.people.staff)
    assert 'id="suspend-submit"' in staff and 'id="resume-submit"' in staff
    assert 'id="bid-amount"' not in staff
    _, watched = _page(world, world.people.regulator)
    assert 'id="reveal-submit"' in watched and 'id="suspend-submit"' not in watched
    # A regulator of another jurisdiction watches as the public does.
    _, elsewhere = _page(world, world.people.other_regulator)
    assert _config(elsewhere)["seat"] == "public" and 'id="reveal-submit"' not in elsewhere


def test_a_lot_without_an_auction_has_no_room(world: AuctionWorld) -> None:
    Auction.objects.filter(pk=world.auction.pk).delete()
    assert _page(world)[0] == 404
    assert _page(world, world.people.bidder_users[0])[0] == 404


def _get(user: User | None, name: str, *args: int) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, name
    return response.content.decode()


def test_each_role_finds_the_room_from_its_own_page(world: AuctionWorld) -> None:
    room = reverse("bidding_auction_room", args=[world.lot.pk])
    people = world.people
    assert room in _get(people.bidder_users[0], "enrolment_lot", world.lot.pk)
    assert room in _get(people.staff, "lot_detail", world.lot.pk)
    assert room in _get(people.regulator, "supervision_lot", world.lot.pk)
    assert room in _get(None, "portal_open_tenders")


def test_a_lot_without_an_auction_links_to_no_room(world: AuctionWorld) -> None:
    Auction.objects.filter(pk=world.auction.pk).delete()
    room = reverse("bidding_auction_room", args=[world.lot.pk])
    assert room not in _get(world.people.bidder_users[0], "enrolment_lot", world.lot.pk)
    assert room not in _get(world.people.staff, "lot_detail", world.lot.pk)


def test_without_the_script_the_page_bids_through_its_form_once(world: AuctionWorld) -> None:
    client = Client()
    client.force_login(world.people.bidder_users[0])
    room = reverse("bidding_auction_room", args=[world.lot.pk])
    html = client.get(room).content.decode()
    action = reverse("auction_bid", args=[world.lot.pk])
    assert f'action="{action}"' in html
    key = re.search(r'name="idempotency_key" value="(\w+)"', html)
    assert key is not None
    form = {"amount": "1000000.00", "idempotency_key": key.group(1)}
    for _twice in range(2):  # a double click posts the same form twice
        response = client.post(action, form)
        assert response.status_code == 302 and response["Location"] == room
    assert list(AuctionBid.objects.values_list("amount", flat=True)) == [Decimal("1000000.00")]
