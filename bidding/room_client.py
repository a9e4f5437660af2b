"""A Python client of the live rooms (bidding/ROOMS.md), for the tests and the benchmark.

It follows a room as a browser does: the snapshot, then the committed events applied strictly in
order of `seq` (a duplicate is ignored, a gap asks for a `resync {after}` and the later events wait
in a buffer), and after a lost connection it reconnects with exponential backoff and full jitter,
takes the new snapshot and resyncs from the last event it applied. A bid carries an idempotency
key and is sent again with it after a reconnect, so a bid whose answer was lost is answered once
and counted once (国土资源部令第39号 第17条: a bid once accepted is binding and is not repeated).

Lean by design: the benchmark runs hundreds in one process, so an event frame costs one
`json.loads`, a comparison and, only with `record=True`, two appends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import secrets
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.typing import Origin

# The room refused this client for good (ROOMS.md "Close codes"): reconnecting cannot help.
FINAL_CLOSE_CODES = frozenset({4401, 4403, 4404})
# A connection that stayed open this long resets the backoff: the next loss retries at once.
STABLE_SECONDS = 2.0
# A resync answers at most this many events (bidding.services.rooms); a full answer asks again.
RESYNC_PAGE = 1000


def backoff_delay(
    attempt: int, initial: float, maximum: float, rand: Callable[[], float] = random.random
) -> float:
    """The wait before reconnect `attempt` (0 first): exponential backoff, capped, full jitter.

    Full jitter (a uniform draw below the exponential bound) spreads the clients of a server that
    went away over the whole window instead of sending them back in one wave.
    """
    if attempt < 0:
        raise ValueError("attempt must be ≥ 0")
    # 2**attempt overflows a float long before a client retries that often; the cap holds anyway.
    bound = maximum if attempt >= 64 else min(maximum, initial * 2.0**attempt)
    return bound * rand()


class RoomClosed(Exception):
    """The room closed the connection for good (4401 not signed in, 4403 no seat, 4404 no room),
    or refused the handshake; `code` is the close code (or the HTTP status)."""

    def __init__(self, code: int, reason: str = "") -> None:
        self.code = code
        self.reason = reason
        names = {4401: "not signed in", 4403: "no seat in this room", 4404: "no such room"}
        super().__init__(f"room closed {code} ({reason or names.get(code, 'refused')})")


class RoomClient:
    """One socket following one room; see the module docstring."""

    def __init__(
        self,
        url: str,
        *,
        cookie: str | None = None,
        backoff_initial: float = 0.2,
        backoff_max: float = 5.0,
        record: bool = False,
        origin: str | None = None,
    ) -> None:
        self.url = url
        self.cookie = cookie
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.record = record
        if origin is None:
            parts = urlsplit(url)
            origin = f"{'https' if parts.scheme == 'wss' else 'http'}://{parts.netloc}"
        self.origin = origin
        self.last_seq = 0
        self.events: list[dict[str, Any]] = []
        self.received: list[tuple[int, float, float | None]] = []
        self.snapshot: dict[str, Any] | None = None
        self.reconnects = 0
        self.duplicates = 0
        self.gaps = 0
        self.error: Exception | None = None  # RoomClosed, or what broke the client
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._started: asyncio.Future[None] | None = None
        self._live = False  # this connection's snapshot arrived: actions may be sent
        self._synced = False  # a snapshot was ever applied: last_seq means something
        self._resyncing = False
        self._buffer: dict[int, dict[str, Any]] = {}  # events beyond a gap, by seq
        self._bids: dict[str, tuple[str, asyncio.Future[dict[str, Any]]]] = {}
        self._actions: dict[str, deque[asyncio.Future[dict[str, Any]]]] = {}
        self._seq_waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._wake_at = 0  # the smallest seq a waiter waits for (0: none)
        self._closing = False
        self._sending: set[asyncio.Task[None]] = set()  # strong references until sent

    # --- life ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect (and keep reconnecting in a task); return once the first snapshot is applied."""
        if self._task is not None:
            raise RuntimeError("RoomClient.start() called twice")
        loop = asyncio.get_running_loop()
        self._started = loop.create_future()
        self._task = loop.create_task(self._run())
        await self._started

    async def close(self) -> None:
        """Close the socket and stop reconnecting; what waits gets ConnectionError."""
        self._closing = True
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._fail(ConnectionError("room client closed"))

    # --- asking the room ---------------------------------------------------------------------

    async def bid(
        self, amount: str, *, idempotency_key: str | None = None, timeout: float = 10.0
    ) -> dict[str, Any]:
        """Bid `amount`; the room's ack or error frame. Sent again with the same key after a
        reconnect until answered, so the room counts it once."""
        key = idempotency_key or secrets.token_hex(16)
        if key in self._bids:
            raise ValueError(f"a bid with key {key} is already waiting")
        self._check()
        text = json.dumps({"type": "bid", "amount": amount, "idempotency_key": key})
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._bids[key] = (text, future)
        if self._live:
            await self._send(text)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._bids.pop(key, None)

    async def action(self, message: dict[str, Any], *, timeout: float = 10.0) -> dict[str, Any]:
        """Any other room action (`declare`, `refresh`, `reveal`, …): its answer — the ack or
        error frame naming the action (a fresh snapshot for `refresh`). Not sent again after a
        reconnect (it may not be idempotent): a lost connection raises ConnectionError."""
        kind = message.get("type")
        if not isinstance(kind, str):
            raise ValueError("an action needs a string type")
        if kind == "bid":
            raise ValueError("use RoomClient.bid() for bids (idempotency keys)")
        self._check()
        if not self._live:
            raise ConnectionError("the room is not connected")
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        waiting = self._actions.setdefault(kind, deque())
        waiting.append(future)
        try:
            await self._send(json.dumps(message))
            return await asyncio.wait_for(future, timeout)
        finally:
            with contextlib.suppress(ValueError):
                waiting.remove(future)

    async def wait_seq(self, seq: int, timeout: float = 10.0) -> None:
        """Return once the room is applied up to `seq`."""
        if self.last_seq >= seq:
            return
        self._check()
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._seq_waiters.append((seq, future))
        self._wake_at = min(seq, self._wake_at) if self._wake_at else seq
        try:
            await asyncio.wait_for(future, timeout)
        finally:
            self._seq_waiters = [w for w in self._seq_waiters if w[1] is not future]
            self._wake_at = min((s for s, _f in self._seq_waiters), default=0)

    # --- the connection loop -----------------------------------------------------------------

    async def _run(self) -> None:
        attempt = 0
        headers = {"Cookie": self.cookie} if self.cookie else None
        while not self._closing:
            opened = 0.0
            try:
                async with connect(
                    self.url,
                    origin=Origin(self.origin),
                    additional_headers=headers,
                    compression=None,  # the rooms' frames are small; deflate costs CPU both ends
                    max_size=16 * 1024 * 1024,  # a resync carries up to 1000 events
                    open_timeout=10,
                    close_timeout=2,
                    proxy=None,
                    user_agent_header=None,
                ) as ws:
                    self._ws = ws
                    opened = time.monotonic()
                    await self._read(ws)
            except asyncio.CancelledError:
                raise
            except InvalidStatus as error:
                status = error.response.status_code
                if 400 <= status < 500 and status not in (408, 429):
                    self._finish(RoomClosed(status, "handshake refused"))
                    return
            except (OSError, InvalidHandshake, TimeoutError, ConnectionClosed):
                pass  # the server went away or is not there yet: try again
            except Exception as error:  # a frame the client does not understand: a bug, loud
                self._finish(error)
                raise
            finally:
                self._ws = None
                self._live = False
                self._fail_actions(ConnectionError("the room's connection was lost"))
            if self.error is not None or self._closing:
                return
            if opened and time.monotonic() - opened >= STABLE_SECONDS:
                attempt = 0
            await asyncio.sleep(backoff_delay(attempt, self.backoff_initial, self.backoff_max))
            attempt += 1
            self.reconnects += 1

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for text in ws:
                self._frame(json.loads(text))
        except ConnectionClosed:
            pass
        code = ws.close_code
        if code in FINAL_CLOSE_CODES:
            self._finish(RoomClosed(code, ws.close_reason or ""))

    def _frame(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "event":
            self._event(frame)
        elif kind == "tick":
            # A gap no later event revealed (the room went quiet) is asked for again.
            if self._buffer and self._live and not self._resyncing:
                self._ask_resync()
        elif kind == "resync":
            self._resync(frame)
        elif kind == "snapshot":
            self._snapshot(frame)
        elif kind in ("ack", "error"):
            self._answer(frame)

    def _event(self, event: dict[str, Any]) -> None:
        seq = event["seq"]
        last = self.last_seq
        if seq == last + 1 and self._synced:
            self._apply(event, seq)
            if self._buffer:
                self._drain()
        elif seq <= last and self._synced:
            self.duplicates += 1
        else:
            # Beyond a gap, or before this connection's snapshot: kept until the gap is filled.
            self._buffer[seq] = event
            if self._live and not self._resyncing:
                self.gaps += 1
                self._ask_resync()

    def _apply(self, event: dict[str, Any], seq: int) -> None:
        self.last_seq = seq
        if self.record:
            self.events.append(event)
            self.received.append((seq, time.time(), event.get("published_at")))
        if self._wake_at and seq >= self._wake_at:
            self._wake(seq)

    def _drain(self) -> None:
        """Apply the buffered events that now follow on; drop those already applied."""
        buffer = self._buffer
        for seq in sorted(buffer):
            if seq <= self.last_seq:
                del buffer[seq]
            elif seq == self.last_seq + 1:
                self._apply(buffer.pop(seq), seq)
            else:
                break

    def _snapshot(self, frame: dict[str, Any]) -> None:
        self.snapshot = frame
        refresh = self._actions.get("refresh")
        if self._live and refresh:
            # The answer to a `refresh` (the connection's own snapshot came first).
            future = refresh.popleft()
            if not future.done():
                future.set_result(frame)
            return
        self._live = True
        if not self._synced:
            self.last_seq = frame["seq"]
            self._synced = True
            self._drain()
        else:
            # Back after a lost connection: fetch what was missed from our own last event.
            self._ask_resync()
        for text, _future in list(self._bids.values()):
            self._spawn_send(text)
        if self._started is not None and not self._started.done():
            self._started.set_result(None)

    def _ask_resync(self) -> None:
        self._resyncing = True
        self._spawn_send(json.dumps({"type": "resync", "after": self.last_seq}))

    def _resync(self, frame: dict[str, Any]) -> None:
        events = frame.get("events") or []
        for event in events:
            seq = event["seq"]
            if seq == self.last_seq + 1:
                self._apply(event, seq)
        self._drain()
        if len(events) >= RESYNC_PAGE:
            self._ask_resync()  # the answer was a page: ask for the next
        else:
            self._resyncing = False

    def _answer(self, frame: dict[str, Any]) -> None:
        key = frame.get("idempotency_key")
        if isinstance(key, str) and key in self._bids:
            future = self._bids.pop(key)[1]
            if not future.done():
                future.set_result(frame)
            return
        action = frame.get("action")
        waiting = self._actions.get(action) if isinstance(action, str) else None
        if waiting:
            answered = waiting.popleft()
            if not answered.done():
                answered.set_result(frame)

    def _wake(self, seq: int) -> None:
        keep = []
        for wanted, future in self._seq_waiters:
            if wanted <= seq:
                if not future.done():
                    future.set_result(None)
            else:
                keep.append((wanted, future))
        self._seq_waiters = keep
        self._wake_at = min((s for s, _f in keep), default=0)

    # --- sending and failing ------------------------------------------------------------------

    async def _send(self, text: str) -> None:
        ws = self._ws
        if ws is None:
            return  # a bid waits for the next connection; its snapshot sends it
        with contextlib.suppress(ConnectionClosed):
            await ws.send(text)

    def _spawn_send(self, text: str) -> None:
        task = asyncio.get_running_loop().create_task(self._send(text))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    def _check(self) -> None:
        if self.error is not None:
            raise self.error
        if self._closing:
            raise ConnectionError("room client closed")

    def _finish(self, error: Exception) -> None:
        self.error = error
        self._closing = True
        self._fail(error)

    def _fail(self, error: Exception) -> None:
        if self._started is not None and not self._started.done():
            self._started.set_exception(error)
        for _text, future in self._bids.values():
            if not future.done():
                future.set_exception(error)
        for _seq, waiter in self._seq_waiters:
            if not waiter.done():
                waiter.set_exception(error)
        self._fail_actions(error)

    def _fail_actions(self, error: Exception) -> None:
        for waiting in self._actions.values():
            while waiting:
                future = waiting.popleft()
                if not future.done():
                    future.set_exception(error)
