"""A client that stops reading, on a real daphne process: dropped once daphne holds too much for it,
while a client that reads gets every event (bidding/consumers/backlog.py)."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import threading
from pathlib import Path
from typing import Any

import pytest

from bidding.broadcast import room_publish
from bidding.services.rooms import room_key_opening
from tests.conftest import ControlledClock
from tests.rooms import make_room_world, room_daphne

pytestmark = [pytest.mark.postgres]

# 400 events of 64 KB: far more than the kernel's buffers and the 1 MiB daphne may hold for a
# client (ROOM_SEND_BUFFER_BYTES) before the room drops it.
EVENTS = 400
PAD = 64 * 1024


def _open_socket(port: int, path: str, cookie: bytes, *, receive_buffer: int = 0) -> socket.socket:
    sock = socket.socket()
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect(("localhost", port))
    sock.settimeout(30)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: http://localhost:{port}\r\nCookie: {cookie.decode()}\r\n\r\n"
    )
    sock.sendall(request.encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def _exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def _frame(sock: socket.socket) -> tuple[int, bytes]:
    """One frame from the server (never masked): its opcode and payload."""
    first, second = _exactly(sock, 2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", _exactly(sock, 2))
    elif length == 127:
        (length,) = struct.unpack("!Q", _exactly(sock, 8))
    return first & 0x0F, _exactly(sock, length)


def _read_until_close(sock: socket.socket, into: list[Any]) -> None:
    try:
        while True:
            opcode, payload = _frame(sock)
            if opcode == 8:
                into.append(("close", struct.unpack("!H", payload[:2])[0]))
                return
            if opcode == 1:  # text; autobahn's pings (9) are not the room's
                into.append(("text", payload))
    except (EOFError, OSError):
        into.append(("eof", None))


def _publish(lot_id: int, received: list[Any]) -> None:
    key = room_key_opening(lot_id)
    waited = threading.Event()
    for seq in range(1, EVENTS + 1):
        event = {"type": "event", "seq": seq, "kind": "test.pad", "payload": {"pad": "x" * PAD}}
        room_publish(key, event)
        # At the pace of a reader that keeps up (a busy test machine must not make the reader
        # the slow one): never more than 20 events ahead of it.
        for _ in range(100):
            if len(received) >= seq - 20:
                break
            waited.wait(0.05)


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(180)
def test_a_client_that_stops_reading_is_dropped_and_the_reader_gets_everything(
    clock: ControlledClock, tmp_path: Path
) -> None:
    room = make_room_world()
    path = f"/ws/lots/{room.lot.pk}/opening/"
    with room_daphne(tmp_path) as port:
        slow = _open_socket(port, path, room.cookies["bidder1"], receive_buffer=4096)
        fast = _open_socket(port, path, room.cookies["host"])
        for sock in (slow, fast):
            opcode, snapshot = _frame(sock)
            assert opcode == 1 and b'"snapshot"' in snapshot
        received: list[Any] = []
        reader = threading.Thread(target=_read_until_close, args=(fast, received))
        reader.start()
        # Published from a thread of its own, as daphne's workers do after a commit (this thread
        # may carry another test's event loop, e.g. Playwright's).
        publisher = threading.Thread(target=_publish, args=(room.lot.pk, received))
        publisher.start()
        publisher.join(timeout=120)
        # The reader gets every event (the other one held nothing up); then it leaves.
        waited = threading.Event()
        for _ in range(600):
            if sum(b'"test.pad"' in (payload or b"") for _kind, payload in received) >= EVENTS:
                break
            waited.wait(0.1)
        events = [payload for kind, payload in received if b'"test.pad"' in (payload or b"")]
        assert [int(json.loads(payload)["seq"]) for payload in events] == list(
            range(1, EVENTS + 1)
        )  # every event, in order (the ticks between them are the server's time)
        fast.close()
        reader.join(timeout=5)
        # The one that stopped reading got part of the room, then its connection ended: the close
        # frame saying why (4408) if it reads it before the closing handshake times out, else
        # the dropped connection. Without the drop daphne would have held all of it for it.
        slow_frames: list[Any] = []
        _read_until_close(slow, slow_frames)
        slow.close()
    texts = [payload for kind, payload in slow_frames if b'"test.pad"' in (payload or b"")]
    assert slow_frames[-1] in (("close", 4408), ("eof", None))
    assert len(texts) < EVENTS / 2, len(texts)
