"""The whole opening with three bidders, through the room's sockets (issue 12's "done when").

One bid is revoked (撤销: a key file whose share is not the committed one), one withdrawn by the
platform (撤回: a stored chunk no longer matches the receipt), one opened; then 唱标, a
confirmation, an objection answered on the spot, and the close. Everyone in the room sees the
same events in the same order; acks and errors go to the sender only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async as sync_to_async
from channels.testing import WebsocketCommunicator

from bidding.domain import sealing
from bidding.models import BidChunk, SealedBid
from tests.conftest import ControlledClock
from tests.rooms import connect, opening_path, receive, session_cookie
from tests.sealed import PRICES, deadline_pass, sealed_lot
from tests.tenders import make_world
from trading.models import Lot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

KINDS = [
    "attendance.checked_in",
    "attendance.checked_in",
    "attendance.checked_in",
    "window.opened",
    "bid.unlocked",
    "bid.unlocked",
    "bid.unlocked",
    "window.closed",
    "opening.read_out",
    "record.confirmed",
    "objection.raised",
    "objection.answered",
    "opening.closed",
]


@pytest.fixture(autouse=True)
def _room_settings(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ROOM_TICK_SECONDS = 3600


def _opening(clock: ControlledClock) -> dict[str, Any]:
    world = make_world()
    lot, sealed = sealed_lot(world, clock)
    lot = deadline_pass(lot, clock)
    users = {
        "host": world.owner_user,
        "staff": world.staff,
        "supervisor": world.regulator,
        "wrong": world.bidder_users[0],
        "lost": world.bidder_users[1],
        "good": world.bidder_users[2],
    }
    return {
        "world": world,
        "lot": lot,
        "sealed": sealed,
        "cookies": {seat: session_cookie(user) for seat, user in users.items()},
    }


def _corrupt_stored_chunk(bid: SealedBid) -> None:
    chunk = BidChunk.objects.filter(file__bid=bid, file__index=1).first()
    assert chunk is not None
    data = bytearray(bytes(chunk.data))
    data[5] ^= 0x01
    chunk.data = bytes(data)
    chunk.save()


# The room's events each socket received while its test waited for an answer.
_inbox: dict[int, list[dict[str, Any]]] = {}


async def _act(socket: WebsocketCommunicator, message: dict[str, Any]) -> dict[str, Any]:
    """Send an action and return the answer the sender alone gets (ack or error)."""
    await socket.send_json_to(message)
    while True:
        frame = await socket.receive_json_from(timeout=10)
        if frame["type"] in ("ack", "error"):
            assert frame["action"] == message["type"]
            return frame
        assert frame["type"] == "event", frame
        _inbox.setdefault(id(socket), []).append(frame)


async def _events(socket: WebsocketCommunicator, count: int) -> list[dict[str, Any]]:
    frames = _inbox.pop(id(socket), [])
    while len(frames) < count:
        frame = await socket.receive_json_from(timeout=10)
        assert frame["type"] == "event", frame  # nobody else's ack or error reaches this seat
        frames.append(frame)
    return frames


async def test_the_whole_opening_with_three_bidders_through_the_room(
    clock: ControlledClock,
) -> None:
    opening = await sync_to_async(_opening)(clock)
    lot: Lot = opening["lot"]
    (wrong_e, _wd, wrong_b, _), (_le, lost_d, lost_b, _), (good_e, good_d, _gb, _) = opening[
        "sealed"
    ]
    sockets = {}
    for seat, cookie in opening["cookies"].items():
        socket, connected, _ = await connect(opening_path(lot.pk), cookie)
        assert connected, seat
        snapshot = await receive(socket, "snapshot")
        assert snapshot["stage"] == "check_in" and snapshot["bids_received"] == 3
        assert snapshot["seq"] == 1  # opening.started
        # Before 唱标 the room names nobody.
        assert all(b.name not in str(snapshot) for b in opening["world"].bidders)
        sockets[seat] = socket
    host, staff, watcher = sockets["host"], sockets["staff"], sockets["supervisor"]
    wrong, lost, good = sockets["wrong"], sockets["lost"], sockets["good"]

    for bidder in (wrong, lost, good):
        assert (await _act(bidder, {"type": "check_in"}))["type"] == "ack"
    refused = await _act(good, {"type": "check_in"})
    assert refused["type"] == "error" and "已签到" in refused["message"]
    assert "只能观看" in (await _act(watcher, {"type": "open_window"}))["message"]
    assert "席位" in (await _act(good, {"type": "open_window"}))["message"]
    assert (await _act(host, {"type": "open_window", "minutes": 30}))["type"] == "ack"

    forged = sealing.key_file(
        sealing.BidContext(lot.pk, wrong_e.pk, wrong_b.version), os.urandom(32)
    )
    assert await _act(wrong, {"type": "unlock", "key_file": forged}) == {
        "type": "ack",
        "action": "unlock",
        "outcome": "bidder_fault",
    }
    await sync_to_async(_corrupt_stored_chunk)(lost_b)
    answer = await _act(lost, {"type": "unlock", "key_file": lost_d.key_file()})
    assert answer["outcome"] == "platform_fault"
    malformed = await _act(good, {"type": "unlock", "key_file": {"format": "x"}})
    assert "密钥文件格式不正确" in malformed["message"]
    assert (await _act(good, {"type": "unlock", "key_file": good_d.key_file()}))[
        "outcome"
    ] == "opened"

    assert (await _act(staff, {"type": "read_out"}))["type"] == "ack"
    assert (await _act(good, {"type": "confirm"}))["type"] == "ack"
    objected = await _act(
        lost, {"type": "object", "text": "我方投标文件系平台原因无法解密，请说明。"}
    )
    assert (await _act(host, {"type": "close"}))["type"] == "error"  # an objection unanswered
    answered = await _act(
        host,
        {
            "type": "answer",
            "objection": objected["objection"],
            "text": "存储的密文与回执不符，按撤回处理。",
        },
    )
    assert answered["type"] == "ack"
    assert (await _act(host, {"type": "close"}))["type"] == "ack"

    # The supervisor, who did nothing, saw everything, in order, with gap-free numbers.
    seen = await _events(watcher, len(KINDS))
    assert [frame["kind"] for frame in seen] == KINDS
    assert [frame["seq"] for frame in seen] == list(range(2, 2 + len(KINDS)))
    unlocked = {f["payload"]["bidder_number"]: f["payload"]["outcome"] for f in seen[4:7]}
    assert unlocked == {
        wrong_e.bidder_number: "bidder_fault",
        _le.bidder_number: "platform_fault",
        good_e.bidder_number: "opened",
    }
    read_out = {row["bidder_number"]: row for row in seen[8]["payload"]["bids"]}
    assert read_out[good_e.bidder_number]["price"] == PRICES[2]
    assert read_out[good_e.bidder_number]["name"] == opening["world"].bidders[2].name
    assert seen[-1]["payload"]["count"] == 3
    # Every other seat got the same frames.
    for seat in ("host", "staff", "wrong", "lost", "good"):
        frames = await _events(sockets[seat], len(KINDS))
        assert frames == seen, seat

    # A bidder that dropped after the window opened catches up by resync.
    late, _, _ = await connect(opening_path(lot.pk), opening["cookies"]["lost"])
    snapshot = await receive(late, "snapshot")
    assert snapshot["seq"] == 1 + len(KINDS) and snapshot["stage"] == "closed"
    await late.send_json_to({"type": "resync", "after": 5})
    replay = await receive(late, "resync")
    # seq 6 onwards, as they were sent live but for the moment each was published
    assert all(isinstance(frame.pop("published_at"), float) for frame in seen)
    assert replay["events"] == seen[4:]
    for socket in (*sockets.values(), late):
        await socket.disconnect()
