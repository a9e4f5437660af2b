"""The process's room hub (bidding/consumers/hub.py): one subscription per room per process,
events stamped when published, a catch-up from the database for what a process missed, and the
room's reads (snapshot, resync, catch-up) that never wait for the lot's lock."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from channels.db import database_sync_to_async as sync_to_async
from django.conf import settings as django_settings
from django.db import connection, transaction
from redis import asyncio as aioredis

from bidding.broadcast import room_publish
from bidding.lock_objects import lock_lot
from bidding.models import RoomEvent, RoomHead
from bidding.services.auctions import room_key_auction
from bidding.services.rooms import room_event_append, room_events_after, room_key_opening
from tests.auction_rooms import auction_path, make_auction_world
from tests.conftest import ControlledClock
from tests.rooms import RoomWorld, connect, make_room_world, nothing_more, opening_path, receive
from trading.clock import get_clock

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


@pytest.fixture(autouse=True)
def _room_settings(settings: Any) -> None:
    settings.ROOM_TICK_SECONDS = 3600
    settings.ROOM_CATCHUP_SECONDS = 0.2


@pytest.fixture
async def room(clock: ControlledClock) -> RoomWorld:
    return await sync_to_async(make_room_world)()


@sync_to_async
def append(key: str, kind: str, payload: dict[str, Any]) -> None:
    with transaction.atomic():
        room_event_append(key, kind, payload, now=get_clock()())


@sync_to_async
def committed_unpublished(key: str, kind: str, count: int = 1) -> int:
    """Events committed whose publish never reached Redis (Redis down, a lost message): the
    rows they leave, and nothing on the channel layer."""
    with transaction.atomic():
        head, _ = RoomHead.objects.select_for_update().get_or_create(key=key)
        for _ in range(count):
            head.seq += 1
            RoomEvent.objects.create(
                room=head, seq=head.seq, kind=kind, payload={}, at=get_clock()()
            )
        head.save(update_fields=["seq"])
    return head.seq


async def _layer_channels() -> list[bytes]:
    """The Redis pub/sub channels this test's channel layer prefix has subscribed."""
    layers: dict[str, dict[str, Any]] = django_settings.CHANNEL_LAYERS
    config: dict[str, Any] = layers["default"].get("CONFIG", {})
    prefix = config.get("prefix", "asgi")
    client = aioredis.from_url(django_settings.REDIS_URL)
    try:
        return sorted(await client.pubsub_channels(f"{prefix}*"))
    finally:
        await client.aclose()


async def test_a_room_of_many_sockets_costs_the_process_one_subscription(room: RoomWorld) -> None:
    key = room_key_opening(room.lot.pk)
    sockets = []
    for seat in ("host", "staff", "supervisor", "bidder1", "bidder2", "bidder3"):
        socket, connected, _ = await connect(opening_path(room.lot.pk), room.cookies[seat])
        assert connected
        await receive(socket, "snapshot")
        sockets.append(socket)
    # The process's relay and the room's group: no channel per socket.
    channels = await _layer_channels()
    assert len(channels) == 2, channels
    assert sum(b"__group__room.opening" in name for name in channels) == 1

    before = time.time()
    await append(key, "attendance.checked_in", {"bidder_number": "B001"})
    after = time.time()
    for socket in sockets:
        event = await receive(socket, "event")
        assert (event["seq"], event["kind"]) == (1, "attendance.checked_in")
        assert before <= event["published_at"] <= after  # stamped on commit, server epoch seconds
    for socket in sockets:
        await socket.disconnect()
    # The last socket gone, the process follows the room no more.
    for _ in range(50):
        if not await _layer_channels():
            break
        await asyncio.sleep(0.05)
    assert await _layer_channels() == []


async def test_an_event_whose_publish_was_lost_reaches_the_room_by_catch_up_once(
    room: RoomWorld, settings: Any
) -> None:
    key = room_key_opening(room.lot.pk)
    first, _, _ = await connect(opening_path(room.lot.pk), room.cookies["host"])
    second, _, _ = await connect(opening_path(room.lot.pk), room.cookies["bidder2"])
    for socket in (first, second):
        assert (await receive(socket, "snapshot"))["seq"] == 0
    assert await committed_unpublished(key, "window.opened") == 1
    for socket in (first, second):
        caught_up = await receive(socket, "event")
        assert (caught_up["seq"], caught_up["kind"]) == (1, "window.opened")
        assert "published_at" not in caught_up  # read back from the database
    # Lost again, and a live one right behind it: the live one shows the gap, and the hub fills
    # it at once rather than at its next period; each socket gets each event once.
    settings.ROOM_CATCHUP_SECONDS = 60
    await asyncio.sleep(0.5)  # the period under way ends
    await committed_unpublished(key, "window.closed")
    await append(key, "attendance.checked_in", {"bidder_number": "B002"})
    for socket in (first, second):
        frames = [await receive(socket, "event", timeout=1.5) for _ in range(2)]
        assert sorted(frame["seq"] for frame in frames) == [2, 3]
        assert [("published_at" in frame) for frame in frames if frame["seq"] == 3] == [True]
        await nothing_more(socket, wait=1.0)
        await socket.disconnect()


async def test_a_catch_up_larger_than_a_send_queue_drops_no_client_that_reads(
    room: RoomWorld, settings: Any
) -> None:
    """Redis lost a burst (30 commits while it was down): the catch-up hands them over at once,
    and a client that reads its frames is not taken for a slow one (CI, stop 20)."""
    settings.ROOM_SEND_QUEUE = 8
    key = room_key_opening(room.lot.pk)
    socket, _, _ = await connect(opening_path(room.lot.pk), room.cookies["bidder2"])
    assert (await receive(socket, "snapshot"))["seq"] == 0
    await committed_unpublished(key, "attendance.checked_in", count=30)
    seqs = [(await receive(socket, "event"))["seq"] for _ in range(30)]
    assert seqs == list(range(1, 31))
    await nothing_more(socket)
    await socket.disconnect()


async def test_a_burst_the_layer_buffered_drops_no_client_that_reads(
    room: RoomWorld, settings: Any
) -> None:
    """30 publishes reach the process while its loop is busy: the layer hands them over without
    suspending, and a client that reads is not taken for a slow one (CI, stop 20)."""
    settings.ROOM_SEND_QUEUE = 8
    settings.ROOM_CATCHUP_SECONDS = 60
    key = room_key_opening(room.lot.pk)
    socket, _, _ = await connect(opening_path(room.lot.pk), room.cookies["bidder2"])
    assert (await receive(socket, "snapshot"))["seq"] == 0
    await asyncio.sleep(0.5)  # the catch-up period under way ends; only the live path is left
    await committed_unpublished(key, "attendance.checked_in", count=30)
    events = await sync_to_async(room_events_after)(key, 0)

    def publish() -> None:
        for event in events:
            room_publish(key, event)

    publisher = threading.Thread(target=publish)
    publisher.start()
    publisher.join()  # on the loop's thread: the loop reads nothing until all 30 are in Redis
    time.sleep(0.2)
    seqs = [(await receive(socket, "event"))["seq"] for _ in range(30)]
    assert seqs == list(range(1, 31))
    await nothing_more(socket)
    await socket.disconnect()


@pytest.mark.postgres
async def test_snapshot_resync_and_catch_up_never_wait_for_the_lot_lock(
    clock: ControlledClock,
) -> None:
    world = await sync_to_async(make_auction_world)()
    key = room_key_auction(world.lot.pk)
    await append(key, "bid", {"bidder_number": "B001", "amount": "1000000.00"})
    watcher, _, _ = await connect(auction_path(world.lot.pk), world.cookies["bidder2"])
    await receive(watcher, "snapshot")

    held, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        try:
            with transaction.atomic():
                lock_lot(world.lot.pk)
                held.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert await asyncio.to_thread(held.wait, 10)
        started = time.monotonic()
        socket, connected, _ = await connect(auction_path(world.lot.pk), world.cookies["bidder1"])
        assert connected
        snapshot = await receive(socket, "snapshot", timeout=5)
        assert snapshot["seq"] == 1
        await socket.send_json_to({"type": "resync", "after": 0})
        resync = await receive(socket, "resync", timeout=5)
        assert [event["seq"] for event in resync["events"]] == [1]
        # The process's catch-up reads the room's head too while the lot stays locked.
        await committed_unpublished(key, "auction.test")
        for room_socket in (socket, watcher):
            assert (await receive(room_socket, "event", timeout=5))["seq"] == 2
        assert time.monotonic() - started < 10
        assert holder.is_alive()  # the lock was held all along
    finally:
        release.set()
        await asyncio.to_thread(holder.join, 10)
    await socket.disconnect()
    await watcher.disconnect()
