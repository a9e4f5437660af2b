"""The rooms' plumbing via the opening room's socket: seats, snapshot, events, resync, limits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import channels.consumer
import pytest
from channels.db import database_sync_to_async as sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from bidding.broadcast import room_broadcast_message, room_group
from bidding.services.rooms import room_event_append, room_key_opening, room_seq
from tests.conftest import ControlledClock
from tests.rooms import RoomWorld, connect, make_room_world, nothing_more, opening_path, receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


@pytest.fixture
def quiet_ticks(settings: Any) -> None:
    settings.ROOM_TICK_SECONDS = 3600


@pytest.fixture
async def room(clock: ControlledClock, quiet_ticks: None) -> RoomWorld:
    return await sync_to_async(make_room_world)()


def _append(lot_id: int, *events: tuple[str, dict[str, Any]]) -> None:
    with transaction.atomic():
        for kind, payload in events:
            room_event_append(room_key_opening(lot_id), kind, payload, now=_now())


def _now() -> Any:
    from trading.clock import get_clock

    return get_clock()()


append = sync_to_async(_append)


@pytest.mark.parametrize(
    ("seat", "expected", "read_only"),
    [
        ("host", "host", False),
        ("agency", "host", False),
        ("staff", "staff", False),
        ("bidder2", "bidder", False),
        ("supervisor", "supervisor", True),
    ],
)
async def test_each_seat_gets_a_snapshot_of_its_own_seat(
    room: RoomWorld, seat: str, expected: str, read_only: bool
) -> None:
    socket, connected, _ = await connect(opening_path(room.lot.pk), room.cookies[seat])
    assert connected
    snapshot = await receive(socket, "snapshot")
    assert snapshot["seq"] == 0
    assert snapshot["server_time"] == "2026-11-30T12:00:00+08:00"
    assert snapshot["seat"] == expected
    assert snapshot["read_only"] is read_only
    assert snapshot["lot"]["code"] == room.lot.code
    assert snapshot["bidder_number"] == ("B002" if seat == "bidder2" else None)
    await socket.disconnect()


@pytest.mark.parametrize(
    ("seat", "code"),
    [
        (None, 4401),
        ("other_owner", 4403),
        ("other_regulator", 4404),
        ("stranger", 4404),  # a bidder not enrolled learns nothing, not even that the lot has bids
    ],
)
async def test_whoever_has_no_seat_is_turned_away_with_a_code(
    room: RoomWorld, seat: str | None, code: int
) -> None:
    cookie = room.cookies[seat] if seat else None
    _socket, connected, got = await connect(opening_path(room.lot.pk), cookie)
    assert not connected
    assert got == code


async def test_a_lot_that_does_not_exist_is_not_found(room: RoomWorld) -> None:
    _socket, connected, code = await connect(opening_path(room.lot.pk + 1000), room.cookies["host"])
    assert (connected, code) == (False, 4404)


async def test_committed_events_reach_every_seat_in_order_with_their_sequence(
    room: RoomWorld,
) -> None:
    sockets = []
    for seat in ("bidder1", "supervisor", "host"):
        socket, connected, _ = await connect(opening_path(room.lot.pk), room.cookies[seat])
        assert connected
        await receive(socket, "snapshot")
        sockets.append(socket)
    await append(
        room.lot.pk,
        ("attendance.checked_in", {"bidder_number": "B001"}),
        ("attendance.checked_in", {"bidder_number": "B003"}),
        ("window.opened", {"closes_at": "2026-11-30T12:30:00+08:00"}),
    )
    for socket in sockets:
        frames = [await receive(socket, "event") for _ in range(3)]
        assert [(f["seq"], f["kind"]) for f in frames] == [
            (1, "attendance.checked_in"),
            (2, "attendance.checked_in"),
            (3, "window.opened"),
        ]
        assert frames[1]["payload"] == {"bidder_number": "B003"}
        assert frames[0]["at"] == "2026-11-30T12:00:00+08:00"
        await socket.disconnect()


async def test_a_rolled_back_event_is_never_shown(room: RoomWorld) -> None:
    socket, _, _ = await connect(opening_path(room.lot.pk), room.cookies["bidder1"])
    await receive(socket, "snapshot")

    def rolled_back() -> None:
        with transaction.atomic():
            room_event_append(room_key_opening(room.lot.pk), "window.opened", {}, now=_now())
            transaction.set_rollback(True)

    await sync_to_async(rolled_back)()
    await nothing_more(socket)
    assert await sync_to_async(room_seq)(room_key_opening(room.lot.pk)) == 0
    await socket.disconnect()


async def test_a_client_that_missed_events_gets_them_by_resync(room: RoomWorld) -> None:
    await append(
        room.lot.pk,
        ("opening.started", {"bids": 3}),
        ("attendance.checked_in", {"bidder_number": "B001"}),
        ("attendance.checked_in", {"bidder_number": "B002"}),
    )
    socket, _, _ = await connect(opening_path(room.lot.pk), room.cookies["bidder2"])
    snapshot = await receive(socket, "snapshot")
    assert snapshot["seq"] == 3
    await socket.send_json_to({"type": "resync", "after": 1})
    resync = await receive(socket, "resync")
    assert resync["after"] == 1
    assert [(e["type"], e["seq"], e["payload"]) for e in resync["events"]] == [
        ("event", 2, {"bidder_number": "B001"}),
        ("event", 3, {"bidder_number": "B002"}),
    ]
    await socket.send_json_to({"type": "resync", "after": 3})
    assert (await receive(socket, "resync"))["events"] == []
    for bad in (-1, "2", None, True):
        await socket.send_json_to({"type": "resync", "after": bad})
        assert "序号" in (await receive(socket, "error"))["message"]
    await socket.disconnect()


async def test_an_event_the_snapshot_covers_is_not_sent_again(room: RoomWorld) -> None:
    await append(room.lot.pk, ("opening.started", {"bids": 3}), ("window.closed", {}))
    socket, _, _ = await connect(opening_path(room.lot.pk), room.cookies["staff"])
    assert (await receive(socket, "snapshot"))["seq"] == 2
    layer = get_channel_layer()
    group = room_group(room_key_opening(room.lot.pk))
    late = {"type": "event", "seq": 2, "kind": "window.closed", "payload": {}, "at": "x"}
    await layer.group_send(group, room_broadcast_message(room_key_opening(room.lot.pk), late))
    await layer.group_send(
        group, room_broadcast_message(room_key_opening(room.lot.pk), late | {"seq": 3})
    )
    assert (await receive(socket, "event"))["seq"] == 3
    await socket.disconnect()


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ("not json", "JSON 对象"),
        (json.dumps([1, 2]), "JSON 对象"),
        (json.dumps({"action": "check_in"}), "未知的消息类型"),
        (json.dumps({"type": "launch"}), "未知的消息类型"),
        (json.dumps({"type": "ping", "pad": "x" * 5000}), "4 KB"),
        (json.dumps({"type": "unlock", "key_file": {"pad": "x" * 17000}}), "16 KB"),
        ("x" * 40000, "4 KB"),
    ],
)
async def test_a_malformed_or_oversized_frame_gets_an_error_and_changes_nothing(
    room: RoomWorld, frame: str, expected: str
) -> None:
    socket, _, _ = await connect(opening_path(room.lot.pk), room.cookies["bidder1"])
    await receive(socket, "snapshot")
    await socket.send_to(text_data=frame)
    assert expected in (await receive(socket, "error"))["message"]
    await socket.send_to(bytes_data=b"\x00\x01")
    assert "JSON" in (await receive(socket, "error"))["message"]
    await socket.send_json_to({"type": "ping"})
    assert (await receive(socket, "pong"))["server_time"] == "2026-11-30T12:00:00+08:00"
    assert await sync_to_async(room_seq)(room_key_opening(room.lot.pk)) == 0
    await socket.disconnect()


async def test_the_supervisor_watches_and_every_action_is_refused(room: RoomWorld) -> None:
    socket, _, _ = await connect(opening_path(room.lot.pk), room.cookies["supervisor"])
    await receive(socket, "snapshot")
    for action in ("check_in", "open_window", "read_out", "close", "confirm"):
        await socket.send_json_to({"type": action})
        error = await receive(socket, "error")
        assert error["action"] == action
        assert "只能观看开标" in error["message"]
    assert await sync_to_async(room_seq)(room_key_opening(room.lot.pk)) == 0
    await socket.disconnect()


async def test_a_flood_gets_an_error_then_the_socket_is_closed(
    room: RoomWorld, settings: Any
) -> None:
    settings.ROOM_FRAMES_PER_SECOND = 1
    settings.ROOM_FRAME_BURST = 10
    socket, _, _ = await connect(opening_path(room.lot.pk), room.cookies["bidder3"])
    await receive(socket, "snapshot")
    for _ in range(30):
        await socket.send_json_to({"type": "ping"})
    frames = []
    while True:
        output = await socket.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            break
        frames.append(json.loads(output["text"]))
    assert [f["type"] for f in frames] == ["pong"] * 10 + ["error"]
    assert "过于频繁" in frames[-1]["message"]
    assert output["code"] == 4429
    await socket.disconnect()


def _held_after_first_frame(application: Any, release: asyncio.Event) -> Callable[..., Any]:
    """The application as served to a client that reads its first frame and then stalls: the
    server's `send` waits, as a server applying backpressure does."""

    async def app(scope: Any, receive: Any, send: Any) -> Any:
        frames = 0

        async def stalled_send(message: dict[str, Any]) -> None:
            nonlocal frames
            if message["type"] == "websocket.send":
                frames += 1
                if frames > 1:
                    await release.wait()
            await send(message)

        return await application(scope, receive, stalled_send)

    return app


async def test_a_slow_client_is_dropped_and_never_holds_the_room(
    room: RoomWorld, settings: Any
) -> None:
    from config.asgi import application

    settings.ROOM_SEND_QUEUE = 8
    never = asyncio.Event()
    slow, connected, _ = await connect(
        opening_path(room.lot.pk),
        room.cookies["bidder1"],
        application=_held_after_first_frame(application, never),
    )
    assert connected
    await receive(slow, "snapshot")
    fast, _, _ = await connect(opening_path(room.lot.pk), room.cookies["bidder2"])
    await receive(fast, "snapshot")
    await append(
        room.lot.pk, *[("attendance.checked_in", {"bidder_number": f"B{n}"}) for n in range(30)]
    )
    seqs = [(await receive(fast, "event"))["seq"] for _ in range(30)]
    assert seqs == list(range(1, 31))
    closed = await slow.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 4408}
    await fast.disconnect()
    await slow.disconnect()


async def test_server_time_ticks_every_interval_from_the_server_clock(
    room: RoomWorld, settings: Any, clock: ControlledClock
) -> None:
    settings.ROOM_TICK_SECONDS = 0.05
    first, _, _ = await connect(opening_path(room.lot.pk), room.cookies["bidder1"])
    second, _, _ = await connect(opening_path(room.lot.pk), room.cookies["host"])
    await receive(first, "snapshot")
    await receive(second, "snapshot")
    assert (await receive(first, "tick"))["server_time"] == "2026-11-30T12:00:00+08:00"
    await sync_to_async(clock.advance)(minutes=5)
    for socket in (first, second):
        while (await receive(socket, "tick"))["server_time"] != "2026-11-30T12:05:00+08:00":
            pass
    await first.disconnect()
    await second.disconnect()


async def test_a_broadcast_skips_channels_thread_hop_and_an_action_does_not(
    room: RoomWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Channels 4.x hops into a thread (`aclose_old_connections`) before each handler; the
    room's broadcast skips it. If Channels renames or drops the hop this test fails first."""
    hops: list[str] = []
    original = channels.consumer.aclose_old_connections

    async def counted() -> None:
        hops.append("hop")
        await original()

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted)
    socket, _, _ = await connect(opening_path(room.lot.pk), room.cookies["bidder1"])
    await receive(socket, "snapshot")
    before = len(hops)
    await append(room.lot.pk, *[("attendance.checked_in", {"bidder_number": "B001"})] * 5)
    for _ in range(5):
        await receive(socket, "event")
    assert len(hops) == before
    await socket.send_json_to({"type": "ping"})
    await receive(socket, "pong")
    assert len(hops) == before + 1
    await socket.disconnect()
