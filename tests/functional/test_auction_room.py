"""The auction room through its socket (issue 13, "The room"): listing bids, declarations, timed
bidding, the close, a reconnect with resync, the public seat, the supervisor's reveal, bad frames
and the desk's suspension — each seat sees bidder numbers only, never names.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from channels.db import database_sync_to_async as sync_to_async

from bidding.models.auctions import Auction, AuctionBid, AuctionDeclaration
from bidding.services.auction_bids import bid_place
from tests.auction_rooms import (
    START,
    STEP,
    AuctionWorld,
    act,
    auction_path,
    make_auction_world,
    make_live_listing_world,
    platform_live_until,
    platform_tick,
)
from tests.auction_rooms import next_frame as frame_of
from tests.conftest import ControlledClock
from tests.rooms import connect, nothing_more, receive
from trading.models import LedgerEntry, Notification

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


@pytest.fixture(autouse=True)
def _room_settings(settings: Any) -> None:
    settings.ROOM_TICK_SECONDS = 3600


@pytest.fixture
def world(clock: ControlledClock) -> AuctionWorld:
    return make_auction_world()


def _names(world: AuctionWorld) -> list[str]:
    return [organisation.name for organisation in world.people.bidders]


async def _seat(world: AuctionWorld, seat: str | None) -> tuple[Any, dict[str, Any]]:
    cookie = world.cookies[seat] if seat is not None else None
    socket, connected, code = await connect(auction_path(world.lot.pk), cookie)
    assert connected, (seat, code)
    return socket, await receive(socket, "snapshot")


def _bid(number: int, amount: Decimal, key: str) -> dict[str, Any]:
    return {"type": "bid", "amount": str(amount), "idempotency_key": f"{number}-{key}"}


async def test_listing_bids_reach_every_seat_with_numbers_and_never_names(
    world: AuctionWorld,
) -> None:
    first, seen = await _seat(world, "bidder1")
    assert seen["seat"] == "bidder" and seen["bidder_number"] == "B001"
    assert seen["phase"] == "listing" and seen["price"] is None
    assert seen["minimum"] == f"{START:.2f}" and seen["may_bid"] is True
    assert seen["start"] == f"{START:.2f}" and seen["step"] == f"{STEP:.2f}"
    second, _ = await _seat(world, "bidder2")
    public, watched = await _seat(world, None)
    assert watched["seat"] == "public" and watched["may_bid"] is False
    assert watched["bidder_number"] is None

    ack = await act(first, _bid(1, START, "a"))
    assert ack["type"] == "ack" and ack["bid_seq"] == 1 and ack["amount"] == f"{START:.2f}"
    for socket in (first, second, public):
        event = await frame_of(socket, "event")
        assert event["kind"] == "bid"
        assert event["payload"]["bidder_number"] == "B001"
        assert event["payload"]["amount"] == f"{START:.2f}"
        assert not any(name in json.dumps(event, ensure_ascii=False) for name in _names(world))

    again = await act(first, _bid(1, START + STEP, "b"))
    assert again["type"] == "error" and "当前最优报价人" in again["message"]
    short = await act(second, _bid(2, START + STEP / 2, "a"))
    assert short["type"] == "error" and "幅度" in short["message"]
    raised = await act(second, _bid(2, START + STEP, "b"))
    assert raised["type"] == "ack" and raised["bid_seq"] == 2
    assert await sync_to_async(AuctionBid.objects.count)() == 2

    # A later visitor reads the same story in its snapshot: the price, the leader, the history.
    late, snapshot = await _seat(world, None)
    assert snapshot["price"] == f"{START + STEP:.2f}" and snapshot["leader"] == "B002"
    assert snapshot["minimum"] == f"{START + 2 * STEP:.2f}" and snapshot["bid_seq"] == 2
    assert [(h["bid_seq"], h["bidder_number"]) for h in snapshot["history"]] == [
        (1, "B001"),
        (2, "B002"),
    ]
    assert not any(name in json.dumps(snapshot, ensure_ascii=False) for name in _names(world))
    for socket in (first, second, public, late):
        await socket.disconnect()


async def test_the_public_watches_without_signing_in_and_cannot_bid(world: AuctionWorld) -> None:
    public, _ = await _seat(world, None)
    stranger, seen = await _seat(world, "stranger")
    assert seen["seat"] == "public"
    for socket in (public, stranger):
        refused = await act(socket, _bid(9, START, "x"))
        assert refused["type"] == "error" and "席位" in refused["message"]
        refused = await act(socket, {"type": "declare"})
        assert refused["type"] == "error"
    assert await sync_to_async(AuctionBid.objects.count)() == 0
    # After a phase change a page asks for a fresh snapshot: anyone may.
    await public.send_json_to({"type": "refresh"})
    fresh = await receive(public, "snapshot")
    assert fresh["seat"] == "public" and fresh["phase"] == "listing"
    await nothing_more(public)
    await public.disconnect()
    await stranger.disconnect()


async def test_a_room_of_no_auction_is_not_found(world: AuctionWorld) -> None:
    for path in (auction_path(world.lot.pk + 1000), auction_path(0)):
        _socket, connected, code = await connect(path, None)
        assert not connected and code == 4404
    await sync_to_async(Auction.objects.filter(lot=world.lot).delete)()
    _socket, connected, code = await connect(auction_path(world.lot.pk), world.cookies["bidder1"])
    assert not connected and code == 4404


async def test_declaration_then_timed_bidding_to_the_close_through_the_platform(
    clock: ControlledClock,
) -> None:
    world = await sync_to_async(make_live_listing_world)(clock)
    step = world.auction.step
    closes_at = world.auction.ends_at
    first, seen = await _seat(world, "bidder1")
    assert seen["may_declare"] is False  # the window opens 10 minutes before the close
    early = await act(first, {"type": "declare"})
    assert early["type"] == "error" and "时段" in early["message"]
    assert (await act(first, _bid(1, START, "a")))["type"] == "ack"
    await sync_to_async(clock.set)(closes_at - timedelta(minutes=5))
    second, seen = await _seat(world, "bidder2")
    assert seen["may_declare"] is True and seen["declared"] is False
    public, _ = await _seat(world, None)
    for socket in (first, second):
        assert (await act(socket, {"type": "declare"}))["type"] == "ack"
    twice = await act(second, {"type": "declare"})
    assert twice["type"] == "error" and "已要求报价" in twice["message"]
    declared = [(await frame_of(public, "event")) for _ in range(2)]
    assert [e["kind"] for e in declared] == ["declared", "declared"]
    assert [e["payload"]["bidder_number"] for e in declared] == ["B001", "B002"]
    assert await sync_to_async(AuctionDeclaration.objects.count)() == 2

    # The listing closes on the platform's clock: two declarants bid on in timed bidding.
    await sync_to_async(platform_live_until)(clock, closes_at + timedelta(seconds=1))
    await sync_to_async(platform_tick)(clock)
    kinds = [(await frame_of(public, "event"))["kind"] for _ in range(2)]
    assert kinds == ["listing_closed", "timed_started"]
    # Timed bidding is for the declarants: the third bidder watches.
    third, seen = await _seat(world, "bidder3")
    assert seen["phase"] == "timed" and seen["may_bid"] is False and seen["eligible"] is False
    refused = await act(third, _bid(3, START + step, "a"))
    assert refused["type"] == "error" and "要求报价的竞买人" in refused["message"]
    _, seen = await _seat(world, "bidder2")
    assert seen["may_bid"] is True and seen["minimum"] == f"{START + step:.2f}"

    await sync_to_async(platform_live_until)(clock, clock.now + timedelta(seconds=100))
    assert (await act(second, _bid(2, START + step, "t1")))["type"] == "ack"
    bid = await frame_of(public, "event")
    assert bid["payload"]["timed"] is True
    # Each timed bid restarts the countdown from the bid (第16条).
    ends_at = datetime.fromisoformat(bid["payload"]["ends_at"])
    assert ends_at == clock.now + timedelta(seconds=world.auction.countdown_seconds)

    await sync_to_async(platform_live_until)(clock, ends_at)
    late = await act(first, _bid(1, START + 2 * step, "t2"))
    assert late["type"] == "error" and "已结束" in late["message"]
    await sync_to_async(platform_tick)(clock)
    closed = await frame_of(public, "event")
    assert closed["kind"] == "closed" and closed["payload"]["winner"] == "B002"
    assert closed["payload"]["sold"] is True
    _, after = await _seat(world, None)
    assert after["phase"] == "closed" and after["minimum"] is None and after["sold"] is True
    assert after["price"] == f"{START + step:.2f}" and after["leader"] == "B002"
    for socket in (first, second, public, third):
        await socket.disconnect()


async def test_a_reconnected_bidder_resyncs_what_it_missed(world: AuctionWorld) -> None:
    first, seen = await _seat(world, "bidder1")
    last = seen["seq"]
    await first.disconnect()
    second = world.enrolments[1]
    ack = await sync_to_async(bid_place)(
        lot_id=world.lot.pk,
        enrolment=second,
        amount=str(START),
        idempotency_key="offline-1",
        actor=world.people.bidder_users[1],
    )
    assert ack.accepted
    first, seen = await _seat(world, "bidder1")
    assert seen["seq"] == last + 1 and seen["leader"] == "B002"
    await first.send_json_to({"type": "resync", "after": last})
    missed = await receive(first, "resync")
    assert [(e["seq"], e["kind"]) for e in missed["events"]] == [(last + 1, "bid")]
    assert missed["events"][0]["payload"]["bidder_number"] == "B002"
    await first.disconnect()


async def test_a_supervisor_reveals_a_number_with_a_ledger_entry_and_the_desk_told(
    world: AuctionWorld,
) -> None:
    first, _ = await _seat(world, "bidder1")
    assert (await act(first, _bid(1, START, "a")))["type"] == "ack"
    watcher, seen = await _seat(world, "supervisor")
    assert seen["seat"] == "supervisor" and seen["leader"] == "B001"
    revealed = await act(watcher, {"type": "reveal", "bidder_number": "B001"})
    assert revealed["type"] == "ack" and revealed["name"] == world.people.bidders[0].name
    entry = await sync_to_async(LedgerEntry.objects.filter(action="auction.bidder_revealed").get)()
    assert entry.payload == {"lot": world.lot.pk, "bidder_number": "B001"}
    assert entry.actor_id == world.people.regulator.pk
    told = await sync_to_async(
        lambda: set(
            Notification.objects.filter(kind="auction.bidder_revealed").values_list(
                "recipient_id", flat=True
            )
        )
    )()
    assert told == {world.people.staff.pk, world.people.staff2.pk}

    unknown = await act(watcher, {"type": "reveal", "bidder_number": "B099"})
    assert unknown["type"] == "error" and "B099" in unknown["message"]
    # Nobody else learns a name: not the bidder's own room, not a regulator of elsewhere.
    assert (await act(first, {"type": "reveal", "bidder_number": "B002"}))["type"] == "error"
    elsewhere, seen = await _seat(world, "other_regulator")
    assert seen["seat"] == "public"
    assert (await act(elsewhere, {"type": "reveal", "bidder_number": "B001"}))["type"] == "error"
    count = await sync_to_async(
        LedgerEntry.objects.filter(action="auction.bidder_revealed").count
    )()
    assert count == 1
    await nothing_more(first)  # the reveal's answer went to the supervisor alone
    for socket in (first, watcher, elsewhere):
        await socket.disconnect()


async def test_bad_frames_and_bad_amounts_change_nothing(world: AuctionWorld) -> None:
    first, _ = await _seat(world, "bidder1")
    await first.send_to(text_data="not json")
    assert "JSON" in (await receive(first, "error"))["message"]
    await first.send_to(text_data=json.dumps({"type": "bid", "amount": "1" * 5000}))
    assert "4 KB" in (await receive(first, "error"))["message"]
    for amount in ("1000000.001", "-1000000", "abc", None, "900000.00"):
        refused = await act(first, {"type": "bid", "amount": amount, "idempotency_key": "k"})
        assert refused["type"] == "error" and refused["message"], amount
    missing_key = await act(first, {"type": "bid", "amount": str(START)})
    assert missing_key["type"] == "error" and "请求编号" in missing_key["message"]
    assert await sync_to_async(AuctionBid.objects.count)() == 0
    assert await sync_to_async(LedgerEntry.objects.filter(action="auction.bid").count)() == 0
    await first.disconnect()


async def test_a_flood_of_bids_is_cut_off_with_4429(world: AuctionWorld, settings: Any) -> None:
    settings.ROOM_FRAMES_PER_SECOND = 1
    settings.ROOM_FRAME_BURST = 5
    first, _ = await _seat(world, "bidder1")
    for n in range(20):
        await first.send_json_to({"type": "refresh", "n": n})
    while True:
        output = await first.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            break
        last = json.loads(output["text"])
    assert last["type"] == "error" and "过于频繁" in last["message"]
    assert output["code"] == 4429


async def test_staff_suspend_with_a_reason_and_resume_at_an_announced_time(
    world: AuctionWorld, clock: ControlledClock
) -> None:
    desk, seen = await _seat(world, "staff")
    assert seen["seat"] == "staff"
    first, _ = await _seat(world, "bidder1")
    no_reason = await act(desk, {"type": "suspend", "reason": "  "})
    assert no_reason["type"] == "error" and "原因" in no_reason["message"]
    assert (await act(first, {"type": "suspend", "reason": "我想停"}))["type"] == "error"
    assert (await act(desk, {"type": "suspend", "reason": "网络故障"}))["type"] == "ack"
    suspended = await frame_of(first, "event")
    assert suspended["kind"] == "suspended" and suspended["payload"]["reason"] == "网络故障"
    refused = await act(first, _bid(1, START, "a"))
    assert refused["type"] == "error" and "中止" in refused["message"]
    _, seen = await _seat(world, None)
    assert seen["phase"] == "suspended" and seen["suspended_reason"] == "网络故障"

    bad = await act(desk, {"type": "resume", "at": "tomorrow"})
    assert bad["type"] == "error" and "格式" in bad["message"]
    at = clock.now + timedelta(minutes=5)
    assert (await act(desk, {"type": "resume", "at": at.isoformat()}))["type"] == "ack"
    resumed = await frame_of(first, "event")
    assert resumed["kind"] == "resumed"
    early = await act(first, _bid(1, START, "b"))
    assert early["type"] == "error" and "尚未开始" in early["message"]
    await sync_to_async(clock.advance)(minutes=5)
    assert (await act(first, _bid(1, START, "c")))["type"] == "ack"
    await desk.disconnect()
    await first.disconnect()
