"""The rooms bench's load: hundreds of WebSocket clients of an auction room in one asyncio process.

Lean on purpose, so that the load process is not what the bench measures: each client is a bare
asyncio protocol with its own RFC 6455 framing (client frames masked; the server's frames parsed
from a buffer), no task per socket, the receipt time read once per read from the socket. It speaks
the room protocol of bidding/ROOMS.md: the first frame is the snapshot; events {seq, kind,
payload, at, published_at}; bidders send `{"type": "bid", "amount", "idempotency_key"}` and get
an ack or an error for that key. (bidding/room_client.py is the full client — ordered apply,
resync, reconnect — for tests; five hundred of it would measure the client.)

What it records per client: the snapshot's seq, every event's (seq, receipt time, published_at)
and the close code if the server closed it. `summarize` turns that into the bench's figures.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import struct
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

# --- pure pieces (tests/unit/test_room_bench.py) -------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile (`fraction` in 0..1) of `values`, None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return ordered[rank - 1]


def lost_count(snapshot_seq: int, final_seq: int, seen: Sequence[int]) -> tuple[int, int]:
    """(lost, duplicates) of one client: every seq after its snapshot up to the room's last must
    arrive once; a seq it got twice is a duplicate, one it never got is lost."""
    expected = set(range(snapshot_seq + 1, final_seq + 1))
    counts = Counter(seq for seq in seen if seq in expected)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    return len(expected - counts.keys()), duplicates


def latency_ms(pairs: Sequence[tuple[float, float]]) -> dict[str, float | None]:
    """p50/p95/p99/max in milliseconds of (start, end) pairs in seconds."""
    values = [(end - start) * 1000.0 for start, end in pairs]
    return {
        "p50": _round(percentile(values, 0.50)),
        "p95": _round(percentile(values, 0.95)),
        "p99": _round(percentile(values, 0.99)),
        "max": _round(max(values) if values else None),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# --- the WebSocket client ------------------------------------------------------------------------


class Closed(Exception):
    pass


@dataclass
class Room:
    """What the clients of one room share: the bids sent and their answers."""

    url: str
    sent: dict[str, float] = field(default_factory=dict)  # idempotency key → time sent
    sent_amount: dict[str, float] = field(default_factory=dict)  # amount → time sent
    acks: list[tuple[float, float]] = field(default_factory=list)  # (sent, answered), accepted
    refusals: list[tuple[float, str]] = field(default_factory=list)  # (sent, code)
    answered_at: list[float] = field(default_factory=list)  # when each answer came
    seq_amount: dict[int, str] = field(default_factory=dict)  # event seq → the bid's amount
    next_amount: Decimal = Decimal(0)
    step: Decimal = Decimal("10000.00")
    bids_sent: int = 0
    # Set at each answer, for a driver that waits for the bid in flight (drive(one_at_a_time)).
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    def answer(self, message: dict[str, Any], now: float) -> None:
        sent = self.sent.get(message.get("idempotency_key") or "")
        if sent is None:
            return
        self.answered_at.append(now)
        self.answered.set()
        if message.get("type") == "ack":
            self.acks.append((sent, now))
        else:
            code = str(message.get("code") or message.get("message") or "?")
            self.refusals.append((sent, code))


class RoomSocket(asyncio.Protocol):
    """One client: handshake, then frames in, bids out."""

    def __init__(self, room: Room, host: str, path: str, cookie: str | None, origin: str) -> None:
        self.room = room
        self.cookie = cookie
        self.request = _handshake(host, path, cookie, origin)
        self.buffer = bytearray()
        self.upgraded = False
        self.transport: asyncio.Transport | None = None
        self.snapshot: dict[str, Any] | None = None
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # A refusal nobody waits for any more (a timed-out try) is not an error to report.
        self.ready.add_done_callback(lambda f: f.cancelled() or f.exception())
        self.deliveries: list[tuple[int, float, float | None]] = []
        self.close_code: int | None = None
        self.fragments: list[bytes] = []

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.close_code is None:
            self.close_code = 1006
        if not self.ready.done():
            self.ready.set_exception(Closed(f"closed before the snapshot ({self.close_code})"))

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self.buffer[: self.buffer.find(b"\r\n")])
            if b" 101 " not in status:
                self.close_code = int(status.split()[1]) if len(status.split()) > 1 else 0
                self.ready.set_exception(Closed(status.decode("latin-1")))
                self._abort()
                return
            del self.buffer[: end + 4]
            self.upgraded = True
        self._frames(now)

    def _frames(self, now: float) -> None:
        buffer = self.buffer
        offset = 0
        size = len(buffer)
        while size - offset >= 2:
            first, second = buffer[offset], buffer[offset + 1]
            length = second & 0x7F
            head = 2
            if length == 126:
                if size - offset < 4:
                    break
                length = struct.unpack_from("!H", buffer, offset + 2)[0]
                head = 4
            elif length == 127:
                if size - offset < 10:
                    break
                length = struct.unpack_from("!Q", buffer, offset + 2)[0]
                head = 10
            if size - offset < head + length:
                break
            payload = bytes(buffer[offset + head : offset + head + length])
            offset += head + length
            opcode = first & 0x0F
            if opcode in (0x1, 0x0):
                if not first & 0x80:
                    self.fragments.append(payload)
                    continue
                if self.fragments:
                    payload = b"".join([*self.fragments, payload])
                    self.fragments = []
                self._message(payload, now)
            elif opcode == 0x9:  # ping → pong
                self._send(0xA, payload)
            elif opcode == 0x8:
                self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                self._send(0x8, payload[:2])
                self._abort()
                return
        del buffer[:offset]

    def _message(self, payload: bytes, now: float) -> None:
        # Ticks are most of the frames nobody needs: skip them before parsing.
        if payload.startswith(b'{"type": "tick"'):
            return
        message = json.loads(payload)
        kind = message.get("type")
        if kind == "event":
            seq = message["seq"]
            self.deliveries.append((seq, now, message.get("published_at")))
            if seq not in self.room.seq_amount:
                amount = (message.get("payload") or {}).get("amount")
                if amount is not None:
                    self.room.seq_amount[seq] = str(amount)
        elif kind == "snapshot" and self.snapshot is None:
            self.snapshot = message
            if not self.ready.done():
                self.ready.set_result(None)
        elif kind in ("ack", "error") and message.get("action") == "bid":
            self.room.answer(message, now)

    # sending
    def _send(self, opcode: int, payload: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        length = len(payload)
        if length < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        mask = os.urandom(4)
        # XOR with the repeated mask as one big integer: no per-byte Python loop.
        repeated = (mask * (length // 4 + 1))[:length]
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
            length, "big"
        )
        self.transport.write(head + mask + masked)

    def send_text(self, text: str) -> None:
        self._send(0x1, text.encode())

    def bid(self, amount: Decimal, key: str) -> None:
        now = time.time()
        self.room.sent[key] = now
        self.room.sent_amount[f"{amount:.2f}"] = now
        self.room.bids_sent += 1
        self.send_text(
            json.dumps({"type": "bid", "amount": f"{amount:.2f}", "idempotency_key": key})
        )

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self._send(0x8, struct.pack("!H", 1000))
            self.transport.close()

    def _abort(self) -> None:
        if self.transport is not None:
            self.transport.close()


def _handshake(host: str, path: str, cookie: str | None, origin: str) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        f"Origin: {origin}",
    ]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def open_socket(
    room: Room, cookie: str | None, origin: str, timeout: float = 60.0
) -> RoomSocket:
    """A client connected to `room.url`, its snapshot received."""
    parts = urlsplit(room.url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or 80
    loop = asyncio.get_running_loop()
    _transport, protocol = await asyncio.wait_for(
        loop.create_connection(
            lambda: RoomSocket(room, f"{host}:{port}", parts.path, cookie, origin), host, port
        ),
        timeout,
    )
    await asyncio.wait_for(protocol.ready, timeout)
    return protocol


async def open_many(
    specs: Sequence[tuple[Room, str | None]], origin: str, *, at_once: int = 50
) -> tuple[list[RoomSocket], int]:
    """Connect every (room, cookie) client, `at_once` handshakes in flight at a time; the
    clients connected and how many could not be (five tries each, a busy server refuses some)."""
    sockets: list[RoomSocket | None] = [None] * len(specs)
    gate = asyncio.Semaphore(at_once)

    async def one(index: int, room: Room, cookie: str | None) -> None:
        async with gate:
            for attempt in range(5):
                try:
                    sockets[index] = await open_socket(room, cookie, origin)
                    return
                except (OSError, Closed, TimeoutError):
                    await asyncio.sleep(0.5 * (attempt + 1))

    await asyncio.gather(*(one(i, room, cookie) for i, (room, cookie) in enumerate(specs)))
    connected = [socket for socket in sockets if socket is not None]
    return connected, len(specs) - len(connected)


def start_amount(snapshot: dict[str, Any]) -> Decimal:
    """The first acceptable amount the room's snapshot shows."""
    return Decimal(str(snapshot.get("minimum") or snapshot.get("start") or "1000000.00"))


async def drive(
    room: Room,
    bidders: Sequence[RoomSocket],
    rate: float,
    seconds: float,
    *,
    key_prefix: str,
    one_at_a_time: bool = False,
) -> None:
    """Send `rate` bids a second for `seconds` through the bidders in turn, each a step above
    the last, so that (arriving in order) each is accepted.

    `one_at_a_time`: a bid leaves only once the one before it is answered (or after 2 s), as
    bidders who bid on the price they see: one price, raised a step at a time. Sent open-loop, two
    bids a few milliseconds apart may reach the lot's lock in the other order (two server
    processes, a thread each) and the lower one is then refused as outbid: the platform would be
    measured at fewer accepted bids than the scenario asks for. Behind schedule, the next bid
    goes as soon as the last is answered, so the rate catches up when the server can.
    """
    loop = asyncio.get_running_loop()
    count = max(1, round(rate * seconds))
    begin = loop.time()
    for n in range(count):
        if one_at_a_time:
            deadline = loop.time() + 2.0
            while len(room.answered_at) < room.bids_sent and loop.time() < deadline:
                room.answered.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(room.answered.wait(), deadline - loop.time())
        delay = begin + n / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        bidder = bidders[room.bids_sent % len(bidders)]
        bidder.bid(room.next_amount, f"{key_prefix}-{room.bids_sent}")
        room.next_amount += room.step


async def drain(sockets: Sequence[RoomSocket], final_seqs: dict[int, int], limit: float) -> None:
    """Wait until every open client has its room's last seq (`final_seqs`: id(room) → seq)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        behind = [
            s
            for s in sockets
            if s.close_code is None
            and (s.deliveries[-1][0] if s.deliveries else 0) < final_seqs.get(id(s.room), 0)
        ]
        if not behind:
            return
        await asyncio.sleep(0.05)


async def answered(rooms: Sequence[Room], limit: float) -> None:
    """Wait until every bid sent has its ack or error (or `limit` seconds)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if all(len(r.acks) + len(r.refusals) >= r.bids_sent for r in rooms):
            return
        await asyncio.sleep(0.05)


async def final_seq(room: Room, cookie: str | None, origin: str, seen: int = 0) -> int:
    """The room's last seq, as a fresh client's snapshot shows it (`seen`, the highest any
    client got, if a saturated server cannot seat one more within three tries)."""
    for attempt in range(3):
        try:
            probe = await open_socket(room, cookie, origin, timeout=20.0)
        except (OSError, Closed, TimeoutError):
            await asyncio.sleep(1.0 + attempt)
            continue
        probe.close()
        return max(int((probe.snapshot or {}).get("seq", 0)), seen)
    return seen


def summarize(
    sockets: Sequence[RoomSocket],
    first_seqs: dict[int, int],
    final_seqs: dict[int, int],
    window: tuple[float, float],
) -> dict[str, Any]:
    """The figures of a run: deliveries, their rate over `window` (start, end), loss, latencies.

    A client must get every seq of its room after max(its snapshot, `first_seqs`) up to
    `final_seqs` (id(room) → seq); bids count when sent within the window.
    """
    lost = duplicates = deliveries = 0
    last_receipt = window[0]
    broadcast: list[tuple[float, float]] = []
    end_to_end: list[tuple[float, float]] = []
    rooms = {id(s.room): s.room for s in sockets}
    for socket in sockets:
        room = socket.room
        first = max((socket.snapshot or {}).get("seq", 0), first_seqs.get(id(room), 0))
        last = final_seqs.get(id(room), first)
        seen = []
        for seq, received, published in socket.deliveries:
            if not first < seq <= last:
                continue
            seen.append(seq)
            last_receipt = max(last_receipt, received)
            if published is not None:
                broadcast.append((published, received))
            sent = room.sent_amount.get(room.seq_amount.get(seq, ""))
            if sent is not None:
                end_to_end.append((sent, received))
        lost_here, duplicates_here = lost_count(first, last, seen)
        lost += lost_here
        duplicates += duplicates_here
        deliveries += len(seen)
    begin, end = window
    acks = [pair for room in rooms.values() for pair in room.acks if begin <= pair[0] <= end]
    refusals = Counter(
        code for room in rooms.values() for sent, code in room.refusals if begin <= sent <= end
    )
    # The rate over the time the deliveries took: from the first bid to the last receipt.
    seconds = max(last_receipt - begin, 1e-9)
    # What the bid path got through: answers (acks and refusals) a second, first bid → last answer.
    answers = [t for room in rooms.values() for t in room.answered_at if t >= begin]
    answered = len(acks) + sum(refusals.values())
    answer_seconds = max(max(answers, default=begin) - begin, 1e-9)
    closed = Counter(str(s.close_code) for s in sockets if s.close_code is not None)
    return {
        "clients": len(sockets),
        "bids_accepted": len(acks),
        "bids_refused": dict(refusals),
        "bids_answered_per_s": round(answered / answer_seconds, 1) if answers else None,
        "deliveries": deliveries,
        "seconds": round(seconds, 3),
        "deliveries_per_s": round(deliveries / seconds, 1),
        "lost": lost,
        "duplicates": duplicates,
        "closed_by_server": dict(closed),
        **{f"broadcast_{k}_ms": v for k, v in latency_ms(broadcast).items()},
        **{f"ack_{k}_ms": v for k, v in latency_ms(acks).items()},
        **{f"end_to_end_{k}_ms": v for k, v in latency_ms(end_to_end).items()},
    }
