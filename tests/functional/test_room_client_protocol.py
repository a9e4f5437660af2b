"""The room client (bidding/room_client.py) against a scripted room on loopback: the frames a
real room sends in its worst moments — duplicates, events out of order or ahead of the snapshot,
a gap wider than one resync page, a 4408 drop with a bid unanswered and then answered twice, a
final 4403 — each played exactly, so the client's order and its counts are pinned."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from bidding.room_client import RoomClient, RoomClosed

pytestmark = [pytest.mark.timeout(60)]

Play = Callable[[ServerConnection, int], Awaitable[None]]


def _event(seq: int) -> str:
    return json.dumps({"type": "event", "seq": seq, "kind": "bid", "payload": {"n": seq}})


def _snapshot(seq: int, **more: Any) -> str:
    return json.dumps({"type": "snapshot", "seq": seq, "server_time": "now", **more})


def _resync(after: int, seqs: range) -> str:
    events = [json.loads(_event(seq)) for seq in seqs]
    return json.dumps({"type": "resync", "after": after, "events": events})


async def _next(ws: ServerConnection) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), 10))


@asynccontextmanager
async def _room(play: Play) -> AsyncIterator[str]:
    """A room server playing `play(connection, n)` for its n-th connection (0 first)."""
    count = 0

    async def handler(ws: ServerConnection) -> None:
        nonlocal count
        count += 1
        await play(ws, count - 1)
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0, compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/ws/lots/1/auction/"


def _seqs(client: RoomClient) -> list[int]:
    return [event["seq"] for event in client.events]


async def test_duplicates_are_ignored_and_counted_and_a_gap_waits_for_its_resync() -> None:
    asked: list[int] = []

    async def play(ws: ServerConnection, n: int) -> None:
        # Event 6 published before the snapshot (seq 5) was read: it comes first.
        for frame in (_event(6), _snapshot(5), _event(6), _event(8)):
            await ws.send(frame)
        request = await _next(ws)
        asked.append(request["after"])
        await ws.send(_event(9))  # while the resync is under way: waits behind the gap
        await ws.send(_resync(request["after"], range(7, 9)))
        await ws.send(_event(8))

    async with _room(play) as url:
        client = RoomClient(url, record=True)
        await client.start()
        await client.wait_seq(9)
        await asyncio.sleep(0.1)
        await client.close()
    assert _seqs(client) == [6, 7, 8, 9]
    assert asked == [6]
    assert (client.duplicates, client.gaps, client.reconnects) == (2, 1, 0)
    assert [seq for seq, _at, _published in client.received] == [6, 7, 8, 9]


async def test_a_gap_wider_than_a_resync_page_is_asked_for_page_by_page() -> None:
    asked: list[int] = []

    async def play(ws: ServerConnection, n: int) -> None:
        await ws.send(_snapshot(0))
        await ws.send(_event(1500))
        for _page in range(2):
            after = (await _next(ws))["after"]
            asked.append(after)
            await ws.send(_resync(after, range(after + 1, min(after + 1000, 1499) + 1)))

    async with _room(play) as url:
        client = RoomClient(url, record=True)
        await client.start()
        await client.wait_seq(1500)
        await client.close()
    assert asked == [0, 1000]
    assert _seqs(client) == list(range(1, 1501))
    assert client.gaps == 1


async def test_a_bid_unanswered_when_the_client_is_dropped_is_resent_and_answered_once() -> None:
    seen: list[tuple[int, dict[str, Any]]] = []

    async def play(ws: ServerConnection, n: int) -> None:
        if n == 0:
            await ws.send(_snapshot(0))
            await ws.send(_event(1))
            seen.append((n, await _next(ws)))
            await ws.close(4408)  # too slow: dropped before the answer
            return
        await ws.send(_snapshot(3))
        for _ in range(2):
            seen.append((n, await _next(ws)))
        (resync,) = [m for _n, m in seen[1:] if m["type"] == "resync"]
        await ws.send(_resync(resync["after"], range(2, 4)))
        (bid,) = [m for _n, m in seen[1:] if m["type"] == "bid"]
        ack = {"type": "ack", "action": "bid", "idempotency_key": bid["idempotency_key"]}
        # The first try was taken after all: the room answers the retry with the same ack, and
        # a stray second copy must not confuse the client.
        await ws.send(json.dumps({**ack, "bid_seq": 1}))
        await ws.send(json.dumps({**ack, "bid_seq": 1}))

    async with _room(play) as url:
        client = RoomClient(url, record=True, backoff_initial=0.05)
        await client.start()
        answer = await client.bid("1000000.00", timeout=10)
        await client.wait_seq(3)
        await client.close()
    assert answer["type"] == "ack" and answer["bid_seq"] == 1
    bids = [message for _n, message in seen if message["type"] == "bid"]
    assert [n for n, message in seen if message["type"] == "bid"] == [0, 1]
    assert bids[0]["idempotency_key"] == bids[1]["idempotency_key"]
    assert [message["after"] for _n, message in seen if message["type"] == "resync"] == [1]
    assert _seqs(client) == [1, 2, 3] and client.reconnects == 1 and client.gaps == 0


async def test_a_room_that_closes_with_4403_after_the_handshake_stops_the_client() -> None:
    tries = 0

    async def play(ws: ServerConnection, n: int) -> None:
        nonlocal tries
        tries += 1
        await ws.close(4403, "no seat")

    async with _room(play) as url:
        client = RoomClient(url, backoff_initial=0.01)
        with pytest.raises(RoomClosed) as refused:
            await client.start()
        await asyncio.sleep(0.2)
        with pytest.raises(RoomClosed):
            await client.wait_seq(1)
        await client.close()
    assert refused.value.code == 4403 and "no seat" in str(refused.value)
    assert tries == 1 and client.reconnects == 0


async def test_a_room_that_drops_the_client_again_and_again_is_retried_later_each_time() -> None:
    times: list[float] = []

    async def play(ws: ServerConnection, n: int) -> None:
        times.append(asyncio.get_running_loop().time())
        if n < 4:
            await ws.close(1011)
            return
        await ws.send(_snapshot(0))

    async with _room(play) as url:
        client = RoomClient(url, backoff_initial=0.1, backoff_max=5.0)
        await asyncio.wait_for(client.start(), 10)
        await client.close()
    # Each wait below its doubling bound of 0.1, 0.2, 0.4, 0.8 s (the draw below it: the unit
    # tests of backoff_delay).
    waits = [b - a for a, b in itertools.pairwise(times)]
    assert len(waits) == 4 and client.reconnects == 4
    for wait, bound in zip(waits, [0.1, 0.2, 0.4, 0.8], strict=True):
        assert wait <= bound + 0.1, waits


async def test_actions_are_answered_by_name_and_a_refresh_by_a_fresh_snapshot() -> None:
    async def play(ws: ServerConnection, n: int) -> None:
        await ws.send(_snapshot(0, phase="listing"))
        declare = await _next(ws)
        assert declare["type"] == "declare"
        await ws.send(json.dumps({"type": "tick", "server_time": "now"}))
        await ws.send(json.dumps({"type": "ack", "action": "declare", "message": "ok"}))
        assert (await _next(ws))["type"] == "refresh"
        await ws.send(_snapshot(0, phase="timed"))

    async with _room(play) as url:
        client = RoomClient(url)
        await client.start()
        declared = await client.action({"type": "declare"})
        refreshed = await client.action({"type": "refresh"})
        await client.close()
    assert declared == {"type": "ack", "action": "declare", "message": "ok"}
    assert refreshed["phase"] == "timed" and client.snapshot == refreshed
