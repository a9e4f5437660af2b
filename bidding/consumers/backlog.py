"""How many bytes daphne still holds for one client: the only sign, under daphne, of a slow one.

An ASGI server that applies backpressure makes `send` wait while the client does not read; the
room's bounded queue then fills and the client is dropped (room.py). Daphne never waits: it hands
every frame to Twisted, whose transport buffers without limit. So for daphne the room reads that
buffer's size after each send. This leans on daphne's and Twisted's internals (daphne 4.x passes
`functools.partial(server.handle_reply, protocol)` as `send`; Twisted's FileDescriptor keeps
`dataBuffer`, `offset` and `_tempDataLen`), so it is isolated here, answers None whenever the
shapes differ, and tests/integration/test_room_backlog.py pins it against a real daphne.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


def daphne_send(send: Any) -> functools.partial[Any] | None:
    """Daphne's own `send` under the middleware that wrapped it: Channels' SessionMiddleware
    hands on a bound method of its wrapper, which keeps the original as `real_send`."""
    for _depth in range(4):
        if isinstance(send, functools.partial):
            return send if send.args else None
        send = getattr(getattr(send, "__self__", None), "real_send", None)
        if send is None:
            return None
    return None


def daphne_backlog(send: Any) -> Callable[[], int] | None:
    """A probe of the bytes daphne has not yet written to this client's socket, or None."""
    send = daphne_send(send)
    if send is None:
        return None
    transport = getattr(send.args[0], "transport", None)
    if transport is None or not all(
        hasattr(transport, name) for name in ("dataBuffer", "offset", "_tempDataLen")
    ):
        return None

    def backlog() -> int:
        return len(transport.dataBuffer) - transport.offset + transport._tempDataLen

    return backlog
