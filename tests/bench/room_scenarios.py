"""The rooms bench's four scenarios, each run the same way against the platform and the reference
(tests/bench/bench_rooms.py starts them; tests/bench/room_load.py is the load).

A `Target` is a server to measure: where its rooms are, and which processes' CPU and memory count
(the platform: its daphne processes, and the whole stack apart; the reference: its one process).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.bench.room_load import (
    Room,
    RoomSocket,
    answered,
    drain,
    drive,
    final_seq,
    open_many,
    open_socket,
    start_amount,
    summarize,
)
from tests.bench.room_measure import cpu_seconds, profiler, rss_kb

# The budget for a room (saturation's pass mark).
P99_BUDGET_MS = 250.0
RUSH_LEAD_SECONDS = 3.0  # from the countdown's reset to its end


@dataclass
class Target:
    name: str  # "platform" or "reference"
    ws_url: str  # ws://127.0.0.1:PORT
    origin: str  # the Origin header the server accepts
    server_pids: Callable[[], list[int]]  # daphne processes (the reference: its process)
    stack_pids: Callable[[], list[int]]  # everything serving (+ Redis, HAProxy, Celery, PG)
    # The stack by kind (daphne, redis, haproxy, celery, postgresql): where its CPU went.
    stack_parts: Callable[[], dict[str, list[int]]] | None = None


@dataclass
class RoomLoad:
    lot_id: int
    bidders: Sequence[str]  # session cookies
    watchers: int


@dataclass
class Connected:
    rooms: list[Room]
    sockets: list[RoomSocket]
    bidders: dict[int, list[RoomSocket]]  # id(room) → its bidders' sockets
    first_seqs: dict[int, int]
    memory_per_connection_kb: float
    seated: int  # bidders the server seated as bidders (the platform's snapshot says so)
    connect_failures: int  # clients the server did not seat within five tries


async def connect(target: Target, loads: Sequence[RoomLoad]) -> Connected:
    """Every room's bidders and watchers connected and given their snapshot; memory measured."""
    await quiet(target)
    before = rss_kb(target.server_pids())
    rooms = [Room(url=f"{target.ws_url}/ws/lots/{load.lot_id}/auction/") for load in loads]
    specs: list[tuple[Room, str | None]] = []
    for room, load in zip(rooms, loads, strict=True):
        specs += [(room, cookie) for cookie in load.bidders]
        specs += [(room, None)] * load.watchers
    random.Random(14).shuffle(specs)  # bidders and watchers spread over both daphne processes
    sockets, failures = await open_many(specs, target.origin)
    await asyncio.sleep(1.0)  # the servers settle (buffers, the first tick)
    after = rss_kb(target.server_pids())
    bidders: dict[int, list[RoomSocket]] = {id(room): [] for room in rooms}
    first: dict[int, int] = {id(room): 0 for room in rooms}
    cookies = {cookie for load in loads for cookie in load.bidders}
    seated = 0
    for sock in sockets:
        snapshot = sock.snapshot or {}
        first[id(sock.room)] = max(first[id(sock.room)], int(snapshot.get("seq", 0)))
        if sock.cookie in cookies:
            bidders[id(sock.room)].append(sock)
            # The reference seats every socket alike; the platform must seat these as bidders.
            seated += target.name == "reference" or snapshot.get("seat") == "bidder"
    for room in rooms:
        own = bidders[id(room)]
        room.next_amount = start_amount(own[0].snapshot or {}) if own else Decimal(0)
    return Connected(
        rooms=rooms,
        sockets=sockets,
        bidders=bidders,
        first_seqs=first,
        memory_per_connection_kb=round((after - before) / max(len(sockets), 1), 1),
        seated=seated,
        connect_failures=failures,
    )


class Meter:
    """CPU of the server, of the whole stack and of this (load) process over a window."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.server = cpu_seconds(target.server_pids())
        self.stack = cpu_seconds(target.stack_pids())
        self.parts = self._parts()
        times = os.times()
        self.client = times.user + times.system
        self.wall = time.monotonic()

    def _parts(self) -> dict[str, float]:
        if self.target.stack_parts is None:
            return {}
        return {kind: cpu_seconds(pids) for kind, pids in self.target.stack_parts().items()}

    def read(self, deliveries: int) -> dict[str, Any]:
        server = cpu_seconds(self.target.server_pids()) - self.server
        stack = cpu_seconds(self.target.stack_pids()) - self.stack
        times = os.times()
        client = times.user + times.system - self.client
        wall = time.monotonic() - self.wall
        per = 1000.0 / max(deliveries, 1)
        parts = self._parts()
        by_part = {
            kind: round(seconds - self.parts.get(kind, 0.0), 2) for kind, seconds in parts.items()
        }
        return {
            **({"stack_cpu_s_by_part": by_part} if by_part else {}),
            "server_cpu_s": round(server, 2),
            "stack_cpu_s": round(stack, 2),
            "cpu_s_per_1000": round(server * per, 4),
            "stack_cpu_s_per_1000": round(stack * per, 4),
            # Over ~0.9 the load process itself was the limit, not the server.
            "client_cpu_share": round(client / max(wall, 1e-9), 2),
        }


async def settle(target: Target, connected: Connected, since: float) -> dict[str, Any]:
    """After the bids: every answer in, every client at its room's last seq; the figures."""
    await answered(connected.rooms, 15.0)
    seen = {id(room): 0 for room in connected.rooms}
    for sock in connected.sockets:
        if sock.deliveries:
            seen[id(sock.room)] = max(seen[id(sock.room)], max(d[0] for d in sock.deliveries))
    finals = await asyncio.gather(
        *(final_seq(room, None, target.origin, seen[id(room)]) for room in connected.rooms)
    )
    final_seqs = {id(room): seq for room, seq in zip(connected.rooms, finals, strict=True)}
    await drain(connected.sockets, final_seqs, 15.0)
    result = summarize(connected.sockets, connected.first_seqs, final_seqs, (since, time.time()))
    connected.first_seqs = final_seqs  # the next step of a ramp starts here
    return result


async def quiet(target: Target, limit: float = 60.0) -> float:
    """Wait until the server is idle again (under 0.2 CPU over a second): a saturated platform
    works off its queued bids after a scenario ends. Returns the seconds waited."""
    began = time.monotonic()
    while time.monotonic() - began < limit:
        before = cpu_seconds(target.server_pids())
        await asyncio.sleep(1.0)
        if cpu_seconds(target.server_pids()) - before < 0.2:
            break
    return round(time.monotonic() - began, 1)


async def close_all(connected: Connected) -> None:
    for sock in connected.sockets:
        sock.close()
    await asyncio.sleep(1.0)


async def steady(
    target: Target,
    loads: Sequence[RoomLoad],
    rate_per_room: float,
    seconds: float,
    profile: Path | None = None,
) -> dict[str, Any]:
    """hot_room and many_rooms: every room's bidders bid in turn at `rate_per_room` a second,
    one bid in flight per room (drive(one_at_a_time))
    (`profile`: py-spy records the first daphne process meanwhile, into this file)."""
    connected = await connect(target, loads)
    meter = Meter(target)
    since = time.time()
    with contextlib.ExitStack() as stack:
        if profile is not None:
            stack.enter_context(profiler(target.server_pids()[0], seconds + 2, profile))
        await asyncio.gather(
            *(
                drive(
                    room,
                    connected.bidders[id(room)],
                    rate_per_room,
                    seconds,
                    key_prefix=f"s{n}",
                    one_at_a_time=True,
                )
                for n, room in enumerate(connected.rooms)
            )
        )
        result = await settle(target, connected, since)
    result.update(meter.read(result["deliveries"]))
    result["memory_per_connection_kb"] = connected.memory_per_connection_kb
    result["bidders_seated"] = connected.seated
    result["connect_failures"] = connected.connect_failures
    await close_all(connected)
    return result


# A publisher: sends the room's events for `seconds` at `rate` a second, from outside the room's
# clients; returns what it reports of itself (events committed, lateness, its own CPU).
Publisher = Callable[[int, float, float], Awaitable[dict[str, Any]]]


async def fanout(
    target: Target,
    load: RoomLoad,
    rate: float,
    seconds: float,
    publisher: Publisher | None,
    profile: Path | None = None,
) -> dict[str, Any]:
    """hot_room_fanout: hot_room's room and clients, but its events come from a publisher that
    does not go through the clients' bid path (the platform: tests/bench/room_publisher.py, a
    process of its own; `publisher` None: two extra sockets of the load process bid in turn,
    the reference's only way in). Nobody in the room bids, so there is no ack latency.
    (`profile`: py-spy records the first daphne process meanwhile, into this file.)"""
    connected = await connect(target, [load])
    room = connected.rooms[0]
    publishing: list[RoomSocket] = []
    if publisher is None:
        # Opened after the memory was measured, not among the clients counted: two, since the
        # reference refuses a bidder who already leads.
        sender = Room(url=room.url, next_amount=room.next_amount, step=room.step)
        publishing = [await open_socket(sender, None, target.origin) for _ in range(2)]

        async def by_sockets(_lot: int, rate: float, seconds: float) -> dict[str, Any]:
            await drive(sender, publishing, rate, seconds, key_prefix="f", one_at_a_time=True)
            await answered([sender], 15.0)
            return {"events_committed": len(sender.acks), "refused": len(sender.refusals)}

        publisher = by_sockets
    meter = Meter(target)
    since = time.time()
    with contextlib.ExitStack() as stack:
        if profile is not None:
            stack.enter_context(profiler(target.server_pids()[0], seconds + 2, profile))
        report = await publisher(load.lot_id, rate, seconds)
        result = await settle(target, connected, since)
    result.update(meter.read(result["deliveries"]))
    result["publisher"] = report
    result["offered_events_per_s"] = rate
    result["memory_per_connection_kb"] = connected.memory_per_connection_kb
    result["bidders_seated"] = connected.seated
    result["connect_failures"] = connected.connect_failures
    for sock in publishing:
        sock.close()
    await close_all(connected)
    return result


async def rush(
    target: Target, load: RoomLoad, reschedule: Callable[[float], None] | None
) -> dict[str, Any]:
    """last_second_rush: once everyone is in, the countdown is set to run out in a few seconds
    (`reschedule(epoch)`: the platform's auction row) and every bidder bids once within its last
    second, in a random order, each a step higher than the one sent before."""
    connected = await connect(target, [load])
    room = connected.rooms[0]
    deadline = time.time() + RUSH_LEAD_SECONDS
    if reschedule is not None:
        await asyncio.to_thread(reschedule, deadline)
    bidders = list(connected.bidders[id(room)])
    random.Random(39).shuffle(bidders)
    spread = sorted(random.Random(16).uniform(0.0, 0.95) for _ in bidders)
    start = deadline - 1.0
    await asyncio.sleep(max(0.0, start - time.time() - 0.3))
    meter = Meter(target)
    since = time.time()
    for n, (bidder, offset) in enumerate(zip(bidders, spread, strict=True)):
        delay = start + offset - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        bidder.bid(room.next_amount, f"rush-{n}")
        room.next_amount += room.step
    result = await settle(target, connected, since)
    result.update(meter.read(result["deliveries"]))
    result["memory_per_connection_kb"] = connected.memory_per_connection_kb
    result["bidders_seated"] = connected.seated
    result["connect_failures"] = connected.connect_failures
    result["bids_sent"] = room.bids_sent
    result["bids_after_deadline"] = sum(1 for sent in room.sent.values() if sent >= deadline)
    await close_all(connected)
    return result


async def saturate(
    target: Target, load: RoomLoad, rates: Sequence[float], step_seconds: float
) -> dict[str, Any]:
    """Raise the accepted-bid rate in one room step by step until p99 > budget or a loss."""
    connected = await connect(target, [load])
    room = connected.rooms[0]
    steps: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    for rate in rates:
        meter = Meter(target)
        since = time.time()
        await drive(room, connected.bidders[id(room)], rate, step_seconds, key_prefix=f"r{rate}")
        step = await settle(target, connected, since)
        step.update(meter.read(step["deliveries"]))
        step["offered_bids_per_s"] = rate
        step["accepted_bids_per_s"] = round(step["bids_accepted"] / step_seconds, 1)
        steps.append(step)
        # The pass mark: the broadcast p99 within budget, nothing lost (a client the
        # server dropped as too slow has lost what it missed).
        passed = (
            step["lost"] == 0
            and not step["closed_by_server"]
            and (step["broadcast_p99_ms"] or 0.0) <= P99_BUDGET_MS
        )
        step["within_budget"] = passed
        if passed and (best is None or step["accepted_bids_per_s"] > best["accepted_bids_per_s"]):
            best = step
        # Failed, or the bid path took under half of what was offered: more would only queue.
        if not passed or step["bids_accepted"] < 0.5 * rate * step_seconds:
            break
    await close_all(connected)
    return {
        "max_accepted_bids_per_s": best["accepted_bids_per_s"] if best else 0.0,
        "best": best,
        "steps": steps,
        "step_seconds": step_seconds,
        "memory_per_connection_kb": connected.memory_per_connection_kb,
        "bidders_seated": connected.seated,
        "connect_failures": connected.connect_failures,
    }
