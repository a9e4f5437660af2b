"""A room event's WebSocket frame, built once per process and written straight to daphne's sockets.

Server frames are never masked (RFC 6455 §5.1), so one text frame's bytes are the same for every
client: the hub (hub.py) builds them once per event and hands them to each local socket. Under
daphne a socket's `send` would have autobahn build the same frame again for each client
(`sendMessage`: checks, statistics, a debug log, the header, the copy); this writes the ready bytes
to the client's Twisted transport instead. Daphne does not offer permessage-deflate, and where a
connection had negotiated it an uncompressed message (RSV1 clear) is still valid (RFC 7692 §6).

This leans on daphne's, autobahn's and Twisted's internals (daphne 4.x passes
`functools.partial(server.handle_reply, protocol)` as `send`; its protocol is autobahn's
`WebSocketServerProtocol` with `state`, `send_state`, `send_queue` and a Twisted `transport`), so
it is isolated here like backlog.py: `daphne_frame_writer` answers None whenever the shapes differ,
and the writer answers False whenever autobahn is not idle on that connection (closing, a frame of
its own half sent, data of its own queued); the room then sends through the ordinary `send`.
tests/integration/test_room_hub_daphne.py pins it against a real daphne.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any, cast

from bidding.consumers.backlog import daphne_send


def text_frame(payload: bytes) -> bytes:
    """One unfragmented, unmasked text frame (FIN, opcode 1) carrying `payload` (RFC 6455 §5.2)."""
    length = len(payload)
    if length < 126:
        return struct.pack("!BB", 0x81, length) + payload
    if length < 1 << 16:
        return struct.pack("!BBH", 0x81, 126, length) + payload
    return struct.pack("!BBQ", 0x81, 127, length) + payload


def daphne_frame_writer(send: Any) -> Callable[[bytes], bool] | None:
    """A writer of ready frames to this client's daphne connection, or None (not daphne, or a
    daphne whose shapes this does not know)."""
    send = daphne_send(send)
    if send is None:
        return None
    protocol = send.args[0]
    server = getattr(send.func, "__self__", None)
    names = ("state", "send_state", "send_queue", "STATE_OPEN", "SEND_STATE_GROUND", "transport")
    if not all(hasattr(protocol, name) for name in names):
        return None
    transport = protocol.transport
    if transport is None or not callable(getattr(transport, "write", None)):
        return None
    connections = getattr(server, "connections", None)
    if not isinstance(connections, dict):
        return None
    open_state = protocol.STATE_OPEN
    ground = protocol.SEND_STATE_GROUND
    put = _socket_writer(transport)

    def write(frame: bytes) -> bool:
        # Daphne's own checks (`handle_reply`: a connection it counts as gone is sent nothing)
        # and autobahn's (`sendMessage` only when open; never inside a frame it is sending).
        entry = connections.get(protocol)
        if (
            entry is None
            or entry.get("disconnected")
            or protocol.state != open_state
            or protocol.send_state != ground
            or protocol.send_queue
        ):
            return False
        put(frame)
        return True

    return write


def _socket_writer(transport: Any) -> Callable[[bytes], None]:
    """`transport.write`, or, on a plain TCP transport, a send straight to its socket whenever
    Twisted holds nothing for it.

    Twisted's `write` only buffers: it watches the socket for writability and sends on the next
    turn of the loop, then stops watching, two epoll changes and a loop turn for every frame of
    every client (the largest cost of a hot room's fan-out in make bench's profile). A socket
    with nothing buffered takes the frame at once almost always; what it does not take, and every
    frame while something is buffered, goes through Twisted's buffer behind the rest, so the
    bytes keep their order and the backlog probe (backlog.py) still sees them.
    """
    sock: Any = getattr(transport, "socket", None)
    plain = (
        getattr(transport, "TLS", None) is False
        and callable(getattr(sock, "send", None))
        and all(hasattr(transport, name) for name in ("dataBuffer", "offset", "_tempDataLen"))
    )
    if not plain:
        return cast(Callable[[bytes], None], transport.write)

    def put(frame: bytes) -> None:
        if (
            transport.connected
            and not transport.disconnecting
            and len(transport.dataBuffer) == transport.offset
            and not transport._tempDataLen
        ):
            try:
                sent = sock.send(frame)
            except BlockingIOError:
                sent = 0
            except OSError:
                sent = 0  # Twisted's own write meets the error and closes the connection
            if sent == len(frame):
                return
            frame = frame[sent:]
        transport.write(frame)

    return put
