"""The rooms bench's reference: a minimal fan-out server on the plain `websockets` library.

    python -m tests.bench.room_reference PORT

It speaks the auction room's protocol (bidding/ROOMS.md) to the bench's load driver, so the two
servers get the same load: a socket on `/ws/lots/<id>/auction/` gets a snapshot, a tick a second
and every event of its room; a "bid" is checked (an amount, above the price by a step, a fresh
idempotency key — the same answer for a repeated key), given the room's next sequence number,
acked to its sender and broadcast to the room as the platform's frame of the same shape and size,
with `published_at` stamped when the sequence number is assigned. No database, no Redis: it is
the floor the platform is measured against, not a no-op.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve

PATH = re.compile(r"^/ws/lots/(\d+)/auction/$")
START = Decimal("1000000.00")
STEP = Decimal("10000.00")
COUNTDOWN = timedelta(seconds=240)
ZONE = datetime.now().astimezone().tzinfo or UTC


@dataclass
class Room:
    lot: int
    seq: int = 0
    price: Decimal | None = None
    leader: int | None = None
    bids: int = 0
    clients: set[ServerConnection] = field(default_factory=set)
    answers: dict[str, str] = field(default_factory=dict)  # idempotency key → the answer


ROOMS: dict[int, Room] = {}


def _now() -> datetime:
    return datetime.now(ZONE)


def snapshot(room: Room) -> str:
    """The room as of its seq (as the platform's public seat sees it, in shape)."""
    now = _now()
    return json.dumps(
        {
            "type": "snapshot",
            "seq": room.seq,
            "server_time": now.isoformat(),
            "seat": "public",
            "phase": "timed",
            "price": None if room.price is None else str(room.price),
            "minimum": str(START if room.price is None else room.price + STEP),
            "ends_at": (now + COUNTDOWN).isoformat(),
            "bids": room.bids,
        },
        ensure_ascii=False,
    )


def bid(room: Room, bidder: int, message: dict[str, Any]) -> str:
    """Check and accept one bid: the ack or the error for its sender (broadcasting on accept)."""
    key = message.get("idempotency_key")
    if not isinstance(key, str) or not 0 < len(key) <= 64:
        return json.dumps({"type": "error", "action": "bid", "code": "idempotency"})
    if key in room.answers:
        return room.answers[key]
    try:
        amount = Decimal(str(message.get("amount"))).quantize(Decimal("0.01"))
    except InvalidOperation:
        amount = Decimal(0)
    code = ""
    if amount <= 0:
        code = "malformed"
    elif room.leader == bidder:
        code = "leading"
    elif room.price is None and amount < START:
        code = "below_start"
    elif room.price is not None and amount <= room.price:
        code = "outbid"
    elif room.price is not None and amount < room.price + STEP:
        code = "step"
    if code:
        answer = json.dumps(
            {"type": "error", "action": "bid", "idempotency_key": key, "code": code},
            ensure_ascii=False,
        )
        room.answers[key] = answer
        return answer
    room.seq += 1
    room.bids += 1
    room.price, room.leader = amount, bidder
    now = _now()
    event = {
        "type": "event",
        "seq": room.seq,
        "kind": "bid",
        "payload": {
            "bid_seq": room.bids,
            "bidder_number": f"R{bidder:04d}",
            "amount": str(amount),
            "phase": "timed",
            "ends_at": (now + COUNTDOWN).isoformat(),
            "timed": True,
        },
        "at": now.isoformat(),
        "published_at": time.time(),
    }
    broadcast(room.clients, json.dumps(event, ensure_ascii=False))
    answer = json.dumps(
        {
            "type": "ack",
            "action": "bid",
            "idempotency_key": key,
            "code": "",
            "bid_seq": room.bids,
            "amount": str(amount),
        },
        ensure_ascii=False,
    )
    room.answers[key] = answer
    return answer


async def handler(connection: ServerConnection) -> None:
    request = connection.request
    match = PATH.match(request.path if request is not None else "")
    if match is None:
        await connection.close(code=4404)
        return
    lot = int(match.group(1))
    room = ROOMS.setdefault(lot, Room(lot))
    # Each socket is its own bidder (the platform's comes from the session's enrolment).
    bidder = id(connection)
    await connection.send(snapshot(room))
    room.clients.add(connection)
    try:
        async for text in connection:
            try:
                message = json.loads(text)
            except ValueError:
                continue
            kind = message.get("type") if isinstance(message, dict) else None
            if kind == "bid":
                await connection.send(bid(room, bidder, message))
            elif kind == "ping":
                await connection.send(json.dumps({"type": "pong", "server_time": time.time()}))
            elif kind == "resync":
                # No history kept: the bench's clients never ask.
                await connection.send(json.dumps({"type": "resync", "events": []}))
    finally:
        room.clients.discard(connection)


async def ticks() -> None:
    """A server-time tick a second to every socket, serialised once (as the platform's ticker)."""
    while True:
        await asyncio.sleep(1)
        text = json.dumps({"type": "tick", "server_time": _now().isoformat()})
        for room in ROOMS.values():
            broadcast(room.clients, text)


async def main(port: int) -> None:
    async with serve(
        handler, "127.0.0.1", port, compression=None, ping_interval=None, max_queue=64, backlog=2048
    ):
        ticker = asyncio.get_running_loop().create_task(ticks())
        try:
            await asyncio.Future()
        finally:
            ticker.cancel()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
