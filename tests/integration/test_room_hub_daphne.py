"""The room hub on real daphne processes (bidding/consumers/hub.py, wire.py): frames written
straight to daphne's sockets arrive whole and in order, a client that stops reading is dropped
without holding up the others, two processes on one Redis both deliver every event, and a
restarted Redis loses the room nothing."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from websockets.asyncio.client import ClientConnection, connect

from bidding.broadcast import room_publish
from bidding.services.auctions import room_key_auction
from bidding.services.rooms import room_event_append
from tests.auction_rooms import auction_path, make_auction_world
from tests.conftest import ControlledClock
from tests.live_daphne import free_port
from tests.rooms import off_the_loop, room_daphne
from trading.clock import get_clock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _append(key: str, count: int, *, pad: int = 0) -> None:
    """`count` committed events of the room, one transaction each (as bids are)."""
    for n in range(count):
        with transaction.atomic():
            room_event_append(key, "test.event", {"n": n, "pad": "x" * pad}, now=get_clock()())


def append(key: str, count: int, *, pad: int = 0) -> None:
    off_the_loop(lambda: _append(key, count, pad=pad))


def hub_state(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__hub__", timeout=5) as answer:
        return dict(json.loads(answer.read()))


async def watchers(port: int, lot_id: int, count: int) -> list[ClientConnection]:
    """`count` anonymous watchers of the auction room, each past its snapshot."""
    url = f"ws://localhost:{port}{auction_path(lot_id)}"
    sockets = []
    for _ in range(count):
        client = await connect(url, origin=f"http://localhost:{port}", max_size=None)  # type: ignore[arg-type]
        snapshot = json.loads(await asyncio.wait_for(client.recv(), 10))
        assert snapshot["type"] == "snapshot"
        sockets.append(client)
    return sockets


async def events(client: ClientConnection, count: int, timeout: float) -> list[dict[str, Any]]:
    """The next `count` events one client receives (ticks skipped)."""
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(got) < count:
        frame = json.loads(await asyncio.wait_for(client.recv(), deadline - time.monotonic()))
        if frame["type"] == "event":
            got.append(frame)
    return got


@pytest.mark.timeout(120)
def test_frames_go_straight_to_daphnes_sockets_whole_and_in_order(
    clock: ControlledClock, tmp_path: Path
) -> None:
    world = make_auction_world()
    key = room_key_auction(world.lot.pk)
    with room_daphne(tmp_path) as port:

        async def run() -> None:
            clients = await watchers(port, world.lot.pk, 40)
            state = hub_state(port)
            # One room, its 40 sockets, every one of them written to directly (wire.py knows
            # this daphne's shapes; if it did not, `direct` would be 0 and events would still
            # flow through `send`).
            assert (state["rooms"], state["sockets"], state["direct"]) == (1, 40, 40), state
            # Small, 64 KiB-length and large frames: each header form of RFC 6455 §5.2.
            await asyncio.to_thread(append, key, 30)
            await asyncio.to_thread(append, key, 3, pad=70_000)
            await asyncio.to_thread(append, key, 3, pad=200)
            for client in clients:
                got = await events(client, 36, timeout=30)
                assert [frame["seq"] for frame in got] == list(range(1, 37))
                assert [len(frame["payload"]["pad"]) for frame in got[29:]] == [0] + [
                    70_000
                ] * 3 + [200] * 3
                assert all(isinstance(frame["published_at"], float) for frame in got)
            assert hub_state(port)["frames_direct"] > 0
            for client in clients:
                await client.close()

        asyncio.run(run())


def _stalled_socket(port: int, path: str) -> socket.socket:
    """A WebSocket client that completes the handshake, then never reads again."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("localhost", port))
    request = (
        f"GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        f"Sec-WebSocket-Version: 13\r\nOrigin: http://localhost:{port}\r\n\r\n"
    )
    sock.sendall(request.encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


@pytest.mark.timeout(120)
def test_a_client_that_stops_reading_is_dropped_and_holds_up_no_one(
    clock: ControlledClock, tmp_path: Path
) -> None:
    world = make_auction_world()
    key = room_key_auction(world.lot.pk)
    total = 400  # of 32 KiB: far more than the kernel's buffers and the 1 MiB daphne may hold
    with room_daphne(tmp_path) as port:
        stalled = _stalled_socket(port, auction_path(world.lot.pk))

        async def run() -> None:
            clients = await watchers(port, world.lot.pk, 10)
            assert hub_state(port)["sockets"] == 11
            progress = [0] * len(clients)

            async def read(index: int) -> list[int]:
                seqs: list[int] = []
                while len(seqs) < total:
                    frame = json.loads(await asyncio.wait_for(clients[index].recv(), 30))
                    if frame["type"] == "event":
                        seqs.append(frame["seq"])
                        progress[index] = len(seqs)
                return seqs

            def publish() -> None:
                # Not in the database (the room's head stays 0: the catch-up adds nothing), at
                # the pace of readers that keep up: never more than 20 events ahead of the slowest.
                waited = threading.Event()
                for seq in range(1, total + 1):
                    event = {
                        "type": "event",
                        "seq": seq,
                        "kind": "test.pad",
                        "payload": "x" * 32768,
                    }
                    room_publish(key, event)
                    for _ in range(200):
                        if min(progress) >= seq - 20:
                            break
                        waited.wait(0.02)

            readers = asyncio.gather(*(read(index) for index in range(len(clients))))
            await asyncio.to_thread(publish)
            # Every reader got every event in order, while the one that reads nothing held
            # none of them up.
            for seqs in await readers:
                assert seqs == list(range(1, total + 1))
            # It was dropped: the hub no longer serves it, daphne holds nothing more for it.
            for _ in range(100):
                if hub_state(port)["sockets"] == 10:
                    break
                await asyncio.sleep(0.1)
            assert hub_state(port)["sockets"] == 10
            for client in clients:
                await client.close()

        asyncio.run(run())
        stalled.close()


@pytest.mark.timeout(150)
def test_two_processes_on_one_redis_each_deliver_every_event(
    clock: ControlledClock, tmp_path: Path
) -> None:
    world = make_auction_world()
    key = room_key_auction(world.lot.pk)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with room_daphne(tmp_path / "a") as first, room_daphne(tmp_path / "b") as second:

        async def run() -> None:
            clients = [
                *await watchers(first, world.lot.pk, 10),
                *await watchers(second, world.lot.pk, 10),
            ]
            assert hub_state(first)["sockets"] == hub_state(second)["sockets"] == 10
            await asyncio.to_thread(append, key, 50)
            for client in clients:
                got = await events(client, 50, timeout=30)
                assert [frame["seq"] for frame in got] == list(range(1, 51))
            for client in clients:
                await client.close()

        asyncio.run(run())


@contextmanager
def redis_server(port: int, workdir: Path) -> Iterator[subprocess.Popen[bytes]]:
    server = shutil.which("redis-server")
    assert server, "redis-server is not installed"
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not listen"
                time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.timeout(150)
def test_a_restarted_redis_loses_the_room_nothing(
    clock: ControlledClock, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_auction_world()
    key = room_key_auction(world.lot.pk)
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    # daphne and this test's publishes both on a Redis of this test's own.
    monkeypatch.setenv("REDIS_URL", url)
    config = settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {
        "default": {**config, "CONFIG": {**config.get("CONFIG", {}), "hosts": [url]}}
    }
    with redis_server(port, tmp_path) as redis, room_daphne(tmp_path) as web:

        async def run(redis: subprocess.Popen[bytes]) -> None:
            clients = await watchers(web, world.lot.pk, 5)
            await asyncio.to_thread(append, key, 3)
            for client in clients:
                live = await events(client, 3, timeout=10)
                assert [frame["seq"] for frame in live] == [1, 2, 3]
                assert all("published_at" in frame for frame in live)  # through Redis
            # Redis goes away; bids keep being accepted (they are in the database).
            redis.terminate()
            await asyncio.to_thread(redis.wait, 10)
            await asyncio.to_thread(append, key, 4)
            # The process's catch-up brings them while Redis is down (from the database).
            for client in clients:
                caught = await events(client, 4, timeout=15)
                assert [frame["seq"] for frame in caught] == [4, 5, 6, 7]
            # Redis comes back, empty: the process subscribes again and events flow live again.
            with redis_server(port, tmp_path):
                seq, deadline = 7, time.monotonic() + 30
                live_again = False
                while not live_again:
                    assert time.monotonic() < deadline, "events never flowed through Redis again"
                    await asyncio.to_thread(append, key, 1)
                    seq += 1
                    for client in clients:
                        (frame,) = await events(client, 1, timeout=10)
                        assert frame["seq"] == seq  # nothing lost, duplicated or reordered
                        live_again = "published_at" in frame
                    await asyncio.sleep(0.3)
                assert hub_state(web)["healthy"] is True
                for client in clients:
                    await client.close()

        asyncio.run(run(redis))


@pytest.mark.timeout(60)
def test_the_pubsub_layer_subscribes_again_by_itself_after_a_redis_restart(
    tmp_path: Path,
) -> None:
    """channels_redis 4.3 on redis-py 7: a group joined before Redis restarted gets messages
    sent after, with no new subscribe. The hub does not rely on it (its probe re-subscribes),
    but if an upgrade changes it, rooms would lean on the catch-up alone; this says so first."""
    from channels_redis.pubsub import RedisPubSubChannelLayer

    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"

    async def run() -> None:
        with redis_server(port, tmp_path) as first:
            reader = RedisPubSubChannelLayer(hosts=[url])
            writer = RedisPubSubChannelLayer(hosts=[url])
            channel = await reader.new_channel()
            await reader.group_add("room.test", channel)
            await writer.group_send("room.test", {"type": "room.event", "n": 1})
            assert (await asyncio.wait_for(reader.receive(channel), 5))["n"] == 1
            receiving = asyncio.ensure_future(reader.receive(channel))
            first.terminate()
            await asyncio.to_thread(first.wait, 10)
            await asyncio.sleep(1.5)
        with redis_server(port, tmp_path):
            deadline = time.monotonic() + 20
            n = 1
            while not receiving.done():
                assert time.monotonic() < deadline, "the layer never subscribed again"
                n += 1
                with contextlib.suppress(Exception):
                    await writer.group_send("room.test", {"type": "room.event", "n": n})
                await asyncio.sleep(0.2)
            assert receiving.result()["type"] == "room.event"
            await reader.flush()
            await writer.flush()

    asyncio.run(run())
