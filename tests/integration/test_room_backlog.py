"""A client that stops reading, on a real daphne: dropped once daphne holds too much for it,
while a client that reads gets every event (bidding/consumers/backlog.py)."""

from __future__ import annotations

import base64
import os
import socket
import struct
import threading
from typing import Any

import pytest
from channels.testing import ChannelsLiveServerTestCase
from django.conf import settings

from bidding.broadcast import room_publish
from bidding.services.rooms import room_key_opening
from tests.conftest import SHANGHAI_NOON, ControlledClock
from tests.rooms import make_room_world

pytestmark = [pytest.mark.postgres]

EVENTS = 300
PAD = 32 * 1024


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


class RoomBacklogOnDaphne(ChannelsLiveServerTestCase):
    host = "localhost"
    serve_static = False

    @classmethod
    def setUpClass(cls) -> None:
        settings.DATABASES["default"]["TEST"]["NAME"] = settings.DATABASES["default"]["NAME"]
        settings.ROOM_SEND_BUFFER_BYTES = 512 * 1024
        settings.ROOM_TICK_SECONDS = 3600
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        del settings.ROOM_SEND_BUFFER_BYTES
        del settings.ROOM_TICK_SECONDS

    def test_a_client_that_stops_reading_is_dropped_and_the_reader_gets_everything(self) -> None:
        ControlledClock(SHANGHAI_NOON)
        room = make_room_world()
        path = f"/ws/lots/{room.lot.pk}/opening/"
        slow = _open_socket(self._port, path, room.cookies["bidder1"], receive_buffer=4096)
        fast = _open_socket(self._port, path, room.cookies["host"])
        for sock in (slow, fast):
            opcode, snapshot = _frame(sock)
            assert opcode == 1 and b'"snapshot"' in snapshot
        received: list[Any] = []
        reader = threading.Thread(target=_read_until_close, args=(fast, received))
        reader.start()
        key = room_key_opening(room.lot.pk)
        for seq in range(1, EVENTS + 1):
            event = {"type": "event", "seq": seq, "kind": "test.pad", "payload": {"pad": "x" * PAD}}
            room_publish(key, event)
        # The reader has every event; then it leaves, and the server closes its socket.
        deadline = threading.Event()
        for _ in range(300):
            if len(received) >= EVENTS:
                break
            deadline.wait(0.1)
        assert len(received) == EVENTS
        assert all(kind == "text" for kind, _ in received)
        fast.close()
        reader.join(timeout=5)
        # The one that stopped reading got part of the room, then its connection ended: the close
        # frame saying why (4408) if it reads it before the closing handshake times out, else
        # the dropped connection. Without the drop daphne would have held all of it for it.
        slow_frames: list[Any] = []
        _read_until_close(slow, slow_frames)
        slow.close()
        texts = [payload for kind, payload in slow_frames if kind == "text"]
        assert slow_frames[-1] in (("close", 4408), ("eof", None))
        assert len(texts) < EVENTS / 2, len(texts)
