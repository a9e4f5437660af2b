"""A bidder's bids and 要求报价 through their URLs (国土资源部令第39号 第15–20条): accepted bids
get their sequence number, reach the room and the ledger; every bad input gets a clear reason
and changes nothing — no bid, no room event, no ledger entry."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bidding.models.auctions import Auction, AuctionBid, AuctionDeclaration
from bidding.models.rooms import RoomEvent
from bidding.services.auction_bids import bid_place, declaration_place
from tests.auction_bidders import (
    START,
    STEP,
    AuctionLot,
    auction_lot,
    auction_row,
    auction_traces,
    bid_json,
    declare_json,
    deposit_confirm,
    new_key,
)
from tests.conftest import ControlledClock
from tests.enrolments import enrol
from tests.factories import make_organisation, make_user
from tests.sealed_bids import bidder_client
from tests.tenders import first_lot, make_tender, make_world
from trading.models import LedgerEntry, Lot

pytestmark = [pytest.mark.django_db]


def _events(lot: Lot) -> list[RoomEvent]:
    return list(RoomEvent.objects.filter(room__key=f"auction:{lot.pk}").order_by("seq"))


def test_an_accepted_bid_gets_its_number_and_reaches_the_room_and_the_ledger(
    clock: ControlledClock,
) -> None:
    sale = auction_lot()
    answer = bid_json(sale.clients[0], sale.lot, "1,000,000.00")
    assert answer.status_code == 200, answer.content.decode()
    ack = answer.json()
    assert ack["accepted"] is True and ack["seq"] == 1 and ack["amount"] == "1000000.00"
    assert "1000000.00" in ack["message"]
    second = bid_json(sale.clients[1], sale.lot, str(START + STEP)).json()
    assert second["accepted"] is True and second["seq"] == 2
    auction = Auction.objects.get(pk=sale.auction.pk)
    assert auction.price == START + STEP and auction.leader_id == sale.enrolments[1].pk
    assert [(e.kind, e.payload["bid_seq"], e.payload["amount"]) for e in _events(sale.lot)] == [
        ("bid", 1, "1000000.00"),
        ("bid", 2, "1010000.00"),
    ]
    # The room shows bidder numbers, never who is behind them.
    numbers = [event.payload["bidder_number"] for event in _events(sale.lot)]
    assert numbers == [sale.enrolments[0].bidder_number, sale.enrolments[1].bidder_number]
    for event in _events(sale.lot):
        text = json.dumps(event.payload, ensure_ascii=False)
        assert all(bidder.name not in text for bidder in sale.world.bidders)
    entries = LedgerEntry.objects.filter(action="auction.bid").order_by("seq")
    assert [(e.payload["seq"], e.payload["amount"]) for e in entries] == [
        (1, "1000000.00"),
        (2, "1010000.00"),
    ]


def test_a_listing_bid_does_not_move_the_listing_close_but_a_timed_one_restarts_the_countdown(
    clock: ControlledClock,
) -> None:
    sale = auction_lot()
    listing_end = sale.auction.ends_at
    bid_json(sale.clients[0], sale.lot, "1000000")
    assert Auction.objects.get(pk=sale.auction.pk).ends_at == listing_end
    timed = auction_lot(phase="timed")
    clock.set(clock.now + timedelta(minutes=3))
    assert bid_json(timed.clients[0], timed.lot, "1000000").json()["accepted"]
    auction = Auction.objects.get(pk=timed.auction.pk)
    assert auction.ends_at == clock.now + timedelta(seconds=240)
    assert (
        _events(timed.lot)[-1].payload["ends_at"] == timezone.localtime(auction.ends_at).isoformat()
    )


def _refused_without_trace(
    sale: AuctionLot, answer: Any, status: int, code: str, words: str
) -> None:
    assert answer.status_code == status, answer.content.decode()
    ack = answer.json()
    assert ack["accepted"] is False and ack["code"] == code
    assert words in ack["message"]
    assert auction_traces(sale.lot) == sale.traces


def _with_a_bid(**auction: Any) -> AuctionLot:
    """A sale whose first bidder leads at the start price."""
    sale = auction_lot(**auction)
    assert bid_json(sale.clients[0], sale.lot, str(START)).json()["accepted"]
    sale.traces = auction_traces(sale.lot)
    return sale


@pytest.mark.parametrize(
    ("amount", "status", "code", "words"),
    [
        ("1010000.001", 400, "malformed", "最多两位小数"),
        ("-1010000", 400, "malformed", "正数"),
        ("0", 400, "malformed", "正数"),
        ("1.01e6", 400, "malformed", "正数"),
        ("一百万", 400, "malformed", "正数"),
        ("999999999999999.00", 400, "malformed", "正数"),
        ("", 400, "malformed", "正数"),
        ("1000000.00", 409, "outbid", "已有更优报价"),
        ("1005000.00", 409, "step", "幅度"),
    ],
)
def test_a_bad_amount_is_refused_with_its_reason_and_changes_nothing(
    clock: ControlledClock, amount: str, status: int, code: str, words: str
) -> None:
    sale = _with_a_bid()
    answer = bid_json(sale.clients[1], sale.lot, amount)
    _refused_without_trace(sale, answer, status, code, words)


def test_a_first_bid_below_the_start_price_is_refused(clock: ControlledClock) -> None:
    sale = auction_lot()
    sale.traces = auction_traces(sale.lot)
    answer = bid_json(sale.clients[0], sale.lot, "999999.99")
    _refused_without_trace(sale, answer, 409, "below_start", "起始价")


def test_a_bid_off_the_whole_steps_is_refused_when_the_sale_asks_for_them(
    clock: ControlledClock,
) -> None:
    sale = _with_a_bid(whole_multiples=True)
    answer = bid_json(sale.clients[1], sale.lot, "1025000.00")
    _refused_without_trace(sale, answer, 409, "not_multiple", "整数倍")
    assert bid_json(sale.clients[1], sale.lot, "1030000.00").json()["accepted"]


def test_the_leader_may_not_bid_against_itself(clock: ControlledClock) -> None:
    sale = _with_a_bid()
    answer = bid_json(sale.clients[0], sale.lot, "1010000.00")
    _refused_without_trace(sale, answer, 409, "leading", "最优报价人")


def test_a_bidder_without_a_confirmed_deposit_may_not_bid(clock: ControlledClock) -> None:
    sale = auction_lot(paid=2)
    sale.traces = auction_traces(sale.lot)
    # Its deposit is short and its deadline still ahead: it does not count yet.
    answer = bid_json(sale.clients[2], sale.lot, "1000000.00")
    _refused_without_trace(sale, answer, 409, "deposit", "保证金尚未足额到账")


def test_a_bid_after_the_end_by_the_servers_clock_is_refused_though_no_close_ran(
    clock: ControlledClock,
) -> None:
    sale = _with_a_bid(phase="timed")
    clock.set(Auction.objects.get(pk=sale.auction.pk).ends_at)
    answer = bid_json(sale.clients[1], sale.lot, "1010000.00")
    _refused_without_trace(sale, answer, 409, "closed", "竞价已结束")
    assert Auction.objects.get(pk=sale.auction.pk).phase == "timed"  # nobody closed it


def test_a_suspended_auction_takes_no_bid(clock: ControlledClock) -> None:
    sale = _with_a_bid(phase="timed")
    Auction.objects.filter(pk=sale.auction.pk).update(phase="suspended", suspended_from="timed")
    answer = bid_json(sale.clients[1], sale.lot, "1010000.00")
    _refused_without_trace(sale, answer, 409, "suspended", "中止")


def test_a_lot_suspended_by_its_supervisor_takes_no_bid(clock: ControlledClock) -> None:
    sale = _with_a_bid()
    Lot.objects.filter(pk=sale.lot.pk).update(suspended_at=clock.now)
    answer = bid_json(sale.clients[1], sale.lot, "1010000.00")
    _refused_without_trace(sale, answer, 409, "suspended", "中止")


def test_an_oversized_or_unreadable_body_is_refused_before_it_is_read(
    clock: ControlledClock,
) -> None:
    sale = _with_a_bid()
    url = reverse("auction_bid", args=[sale.lot.pk])
    body = json.dumps({"amount": "1010000.00", "idempotency_key": new_key(), "x": "0" * 8000})
    answer = sale.clients[1].post(url, body, content_type="application/json")
    _refused_without_trace(sale, answer, 413, "malformed", "请求过大")
    for unreadable in ("{not json", "[1, 2]", '"1010000.00"'):
        answer = sale.clients[1].post(url, unreadable, content_type="application/json")
        _refused_without_trace(sale, answer, 400, "malformed", "无法读取报价")


@pytest.mark.parametrize("key", ["", "has space", "键", "k" * 65])
def test_a_bid_without_a_usable_request_key_is_refused(clock: ControlledClock, key: str) -> None:
    sale = _with_a_bid()
    answer = bid_json(sale.clients[1], sale.lot, "1010000.00", key=key)
    _refused_without_trace(sale, answer, 400, "idempotency", "请求编号无效")


def test_a_retried_bid_gets_the_first_answer_and_makes_one_bid(clock: ControlledClock) -> None:
    sale = auction_lot()
    key = new_key()
    first = bid_json(sale.clients[0], sale.lot, "1000000.00", key=key).json()
    # The answer was lost; the page sends the same request again, later, after another bid.
    assert bid_json(sale.clients[1], sale.lot, "1010000.00").json()["accepted"]
    clock.set(clock.now + timedelta(seconds=5))
    again = bid_json(sale.clients[0], sale.lot, "1000000.00", key=key).json()
    assert again == first and first["accepted"] and first["seq"] == 1
    assert auction_traces(sale.lot) == (2, 2, 2)
    # The same key for another amount is a client's mistake, not a retry: refused, nothing made.
    sale.traces = auction_traces(sale.lot)
    answer = bid_json(sale.clients[0], sale.lot, "1020000.00", key=key)
    _refused_without_trace(sale, answer, 400, "idempotency", "另一笔报价")


def test_a_bidder_that_did_not_enrol_is_not_told_of_the_auction(clock: ControlledClock) -> None:
    sale = _with_a_bid()
    outsider = bidder_client(make_user(make_organisation("bidder")))
    answer = bid_json(outsider, sale.lot, "1010000.00")
    assert answer.status_code == 404
    assert auction_traces(sale.lot) == sale.traces


def test_other_roles_and_anonymous_visitors_may_not_bid(clock: ControlledClock) -> None:
    sale = _with_a_bid()
    staff = bidder_client(sale.world.staff)
    assert bid_json(staff, sale.lot, "1010000.00").status_code == 403
    anonymous = bid_json(Client(), sale.lot, "1010000.00")
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert auction_traces(sale.lot) == sale.traces


def test_a_consortium_bids_through_its_lead_only(clock: ControlledClock) -> None:
    world = make_world(business_type="land")
    lot = first_lot(make_tender(world, procedure="listing"))
    deposit_confirm(enrol(lot, world.bidders[0], members=[world.bidders[1]]))
    auction_row(lot)
    member = bidder_client(world.bidder_users[1])
    answer = bid_json(member, lot, "1000000.00")
    assert answer.status_code == 403
    assert "牵头人" in answer.content.decode()
    lead = bidder_client(world.bidder_users[0])
    assert bid_json(lead, lot, "1000000.00").json()["accepted"]


def test_a_plain_form_bid_comes_back_with_the_answer_as_a_message(clock: ControlledClock) -> None:
    sale = auction_lot()
    url = reverse("auction_bid", args=[sale.lot.pk])
    page = sale.clients[0].post(
        url, {"amount": "1000000.00", "idempotency_key": new_key()}, follow=True
    )
    assert page.status_code == 200
    assert "已被接受" in page.content.decode()
    page = sale.clients[1].post(url, {"amount": "1000000.00", "idempotency_key": new_key()})
    assert page.status_code == 302
    followed = sale.clients[1].get(page["Location"])
    assert "已有更优报价" in followed.content.decode()
    assert AuctionBid.objects.filter(auction__lot=sale.lot).count() == 1


def test_the_room_hears_of_a_bid_only_when_it_commits(
    clock: ControlledClock, django_capture_on_commit_callbacks: Any
) -> None:
    sale = auction_lot()
    with django_capture_on_commit_callbacks() as refused:
        bid_json(sale.clients[0], sale.lot, "999.00")
    with django_capture_on_commit_callbacks() as accepted:
        bid_json(sale.clients[0], sale.lot, "1000000.00")
    # The refused bid published nothing; the accepted one publishes once, after its commit.
    assert len(refused) == 0 and len(accepted) == 1


def _in_the_window(sale: AuctionLot, clock: ControlledClock) -> None:
    clock.set(sale.auction.ends_at - timedelta(minutes=5))


def test_a_bidder_declares_in_the_window_once(clock: ControlledClock) -> None:
    sale = _with_a_bid()
    _in_the_window(sale, clock)
    answer = declare_json(sale.clients[1], sale.lot)
    assert answer.status_code == 200 and answer.json()["accepted"], answer.content.decode()
    declared = AuctionDeclaration.objects.get(auction=sale.auction)
    assert declared.enrolment_id == sale.enrolments[1].pk and declared.declared_at == clock.now
    event = _events(sale.lot)[-1]
    assert event.kind == "declared"
    assert event.payload == {"bidder_number": sale.enrolments[1].bidder_number}
    entry = LedgerEntry.objects.get(action="auction.declared")
    assert entry.payload["bidder_number"] == sale.enrolments[1].bidder_number
    traces = auction_traces(sale.lot)
    again = declare_json(sale.clients[1], sale.lot)
    assert again.status_code == 409 and again.json()["code"] == "already_declared"
    assert auction_traces(sale.lot) == traces
    assert AuctionDeclaration.objects.filter(auction=sale.auction).count() == 1


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_declaration_outside_the_window_is_refused(clock: ControlledClock, when: str) -> None:
    sale = _with_a_bid()
    ends_at = sale.auction.ends_at
    clock.set(ends_at - timedelta(minutes=11) if when == "before" else ends_at)
    answer = declare_json(sale.clients[1], sale.lot)
    assert answer.status_code == 409
    assert answer.json()["code"] == "not_in_window"
    assert "要求报价" in answer.json()["message"]
    assert auction_traces(sale.lot) == sale.traces
    assert not AuctionDeclaration.objects.exists()


def test_a_bidder_without_a_confirmed_deposit_may_not_declare(clock: ControlledClock) -> None:
    sale = auction_lot(paid=2)
    _in_the_window(sale, clock)
    answer = declare_json(sale.clients[2], sale.lot)
    assert answer.status_code == 409 and answer.json()["code"] == "deposit"
    assert not AuctionDeclaration.objects.exists() and not _events(sale.lot)


def test_timed_bidding_after_the_listing_is_for_its_declarants(clock: ControlledClock) -> None:
    sale = auction_lot(phase="timed")
    Auction.objects.filter(pk=sale.auction.pk).update(
        bidders=[sale.enrolments[0].pk, sale.enrolments[1].pk]
    )
    answer = bid_json(sale.clients[2], sale.lot, "1000000.00")
    assert answer.status_code == 409 and answer.json()["code"] == "not_declared"
    assert bid_json(sale.clients[1], sale.lot, "1000000.00").json()["accepted"]
    assert Auction.objects.get(pk=sale.auction.pk).price == START


@pytest.mark.parametrize("amount", [True, None, [1010000], {"yuan": 1010000}, 1010000.001])
def test_an_amount_that_is_not_a_number_of_yuan_is_refused(
    clock: ControlledClock, amount: object
) -> None:
    sale = _with_a_bid()
    answer = bid_json(sale.clients[1], sale.lot, amount)
    _refused_without_trace(sale, answer, 400, "malformed", "正数")


def test_a_script_may_send_the_amount_as_a_json_number(clock: ControlledClock) -> None:
    sale = _with_a_bid()
    ack = bid_json(sale.clients[1], sale.lot, 1010000).json()
    assert ack["accepted"] and ack["amount"] == "1010000.00"
    ack = bid_json(sale.clients[0], sale.lot, 1020000.5).json()
    assert ack["accepted"] and ack["amount"] == "1020000.50"


def test_a_reverse_auction_takes_lower_bids_down_to_its_floor(clock: ControlledClock) -> None:
    sale = auction_lot(phase="timed", direction="down", floor=Decimal("900000.00"))
    sale.traces = auction_traces(sale.lot)
    _refused_without_trace(
        sale, bid_json(sale.clients[0], sale.lot, "1000000.01"), 409, "below_start", "起始价"
    )
    assert bid_json(sale.clients[0], sale.lot, "1000000.00").json()["accepted"]
    sale.traces = auction_traces(sale.lot)
    for amount, code in [("995000.00", "step"), ("1000000.00", "outbid")]:
        answer = bid_json(sale.clients[1], sale.lot, amount)
        _refused_without_trace(sale, answer, 409, code, "")
    answer = bid_json(sale.clients[1], sale.lot, "890000.00")
    _refused_without_trace(sale, answer, 409, "beyond_floor", "最低限价")
    ack = bid_json(sale.clients[1], sale.lot, "900000.00").json()
    assert ack["accepted"] and ack["seq"] == 2
    assert Auction.objects.get(pk=sale.auction.pk).price == Decimal("900000.00")


def test_a_plain_form_declaration_comes_back_with_the_answer(clock: ControlledClock) -> None:
    sale = auction_lot()
    url = reverse("auction_declare", args=[sale.lot.pk])
    page = sale.clients[0].post(url, follow=True)
    assert "不在要求报价的时段内" in page.content.decode()
    _in_the_window(sale, clock)
    page = sale.clients[0].post(url, follow=True)
    assert "已要求报价" in page.content.decode()
    assert AuctionDeclaration.objects.filter(auction=sale.auction).count() == 1


def test_a_retry_of_a_whole_yuan_bid_answers_exactly_as_the_first_time(
    clock: ControlledClock,
) -> None:
    sale = auction_lot()
    key = new_key()
    first = bid_json(sale.clients[0], sale.lot, "1000000", key=key).json()
    again = bid_json(sale.clients[0], sale.lot, "1000000", key=key).json()
    assert first == again and first["amount"] == "1000000.00"
    assert _events(sale.lot)[0].payload["amount"] == "1000000.00"


def test_the_sockets_path_answers_a_lot_without_an_auction_with_a_reason(
    clock: ControlledClock,
) -> None:
    """The room's socket calls the services directly: they answer, never raise."""
    sale = auction_lot()
    user = sale.world.bidder_users[0]
    Auction.objects.filter(pk=sale.auction.pk).delete()
    for lot_id in (sale.lot.pk, sale.lot.pk + 1000):
        ack = bid_place(
            lot_id=lot_id,
            enrolment=sale.enrolments[0],
            amount="1000000",
            idempotency_key=new_key(),
            actor=user,
        )
        assert (ack.accepted, ack.code) == (False, "no_auction")
        declared = declaration_place(lot_id=lot_id, enrolment=sale.enrolments[0], actor=user)
        assert (declared.accepted, declared.code) == (False, "no_auction")
    assert auction_traces(sale.lot) == (0, 0, 0)


def test_a_flood_of_requests_is_held_back_with_a_clear_message(
    clock: ControlledClock, settings: Any
) -> None:
    settings.AUCTION_HTTP_BIDS_PER_MINUTE = 3
    sale = auction_lot()
    assert bid_json(sale.clients[0], sale.lot, "1000000").json()["accepted"]
    for _refused in range(2):
        assert bid_json(sale.clients[0], sale.lot, "1010000").json()["code"] == "leading"
    sale.traces = auction_traces(sale.lot)
    answer = bid_json(sale.clients[0], sale.lot, "1010000")
    _refused_without_trace(sale, answer, 429, "flood", "过于频繁")
    # Another bidder has its own budget.
    assert bid_json(sale.clients[1], sale.lot, "1010000").json()["accepted"]


def test_a_bid_without_the_pages_csrf_token_is_refused(clock: ControlledClock) -> None:
    sale = auction_lot()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(sale.world.bidder_users[0])
    answer = bid_json(strict, sale.lot, "1000000.00")
    assert answer.status_code == 403
    assert auction_traces(sale.lot) == (0, 0, 0)


def test_the_lots_history_does_not_tell_the_owner_who_bid(clock: ControlledClock) -> None:
    """Bidders are known by number only: their bids stay out of the lot page's history, whose
    entries name the person who acted."""
    sale = _with_a_bid()
    _in_the_window(sale, clock)
    assert declare_json(sale.clients[1], sale.lot).json()["accepted"]
    assert LedgerEntry.objects.filter(action__startswith="auction.").count() == 2
    owner = Client()
    owner.force_login(sale.world.owner_user)
    page = owner.get(reverse("lot_detail", args=[sale.lot.pk])).content.decode()
    ledger = re.search(r'<table class="table compact ledger">(.*?)</table>', page, re.DOTALL)
    assert ledger is not None
    text = re.sub(r"<[^>]+>", " ", ledger.group(1))
    assert "网上竞价报价" not in text and "竞买人要求报价" not in text
    for user in sale.world.bidder_users[:2]:
        assert user.get_username() not in text
