"""The rooms' base consumer: the plumbing every live room shares (DESIGN.md §5; issue 12).

connect → authenticate → the room's access chokepoint → follow the room through the process's
hub (hub.py) → snapshot {type, seq, server_time, seat, ...}; then committed events {type:"event",
seq, kind, payload, at, published_at} as the hub delivers them, `resync` {after} → the events a
client missed, a server-time tick a second, and the room's actions (a subclass's `room_action`).

Three guards keep one client from costing the others:
- frames are JSON objects within a size limit (frames.py); a flood gets an error, then a close;
- everything a client is sent goes through its own bounded queue and one writer task: a client
  too slow to take its frames is disconnected when the queue fills (or, under daphne, when the
  bytes daphne holds for it pass ROOM_SEND_BUFFER_BYTES: backlog.py), and nothing waits for it;
- broadcasts never pass through the socket's channel: the hub hands each local socket the
  event's text (and, under daphne, writes its ready frame when the socket has nothing queued:
  wire.py), with no thread hop and no database work.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from typing import Any, ClassVar

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from bidding.consumers.backlog import daphne_backlog
from bidding.consumers.frames import FrameBudget, FrameError, frame_parse
from bidding.consumers.hub import hub
from bidding.consumers.ticker import aserver_time, server_time, ticker
from bidding.consumers.wire import daphne_frame_writer
from bidding.services.rooms import room_events_after, room_seq

# Close codes in the private range (RFC 6455 §7.4.2), named after the HTTP status they echo.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_SLOW = 4408  # the client did not take its frames; it reconnects and resyncs
CLOSE_FLOOD = 4429

# A close that must wait for the frames queued before it (an error, then the close).
_CLOSE = object()


def frame_error_message(reason: str) -> str:
    """The client's bad frame, said in its language."""
    if reason == "json":
        return _("消息格式错误：应为 JSON 对象。")
    if reason == "type":
        return _("未知的消息类型。")
    if reason == "size":
        return _("消息过大：不得超过 4 KB（发送密钥文件的消息不得超过 16 KB）。")
    return _("消息格式错误：应为不超过 4 KB 的 JSON 文本。")


def scope_language(scope: dict[str, Any]) -> str:
    """The language the client's pages are in: its language cookie, else its browser's."""
    request = HttpRequest()
    request.COOKIES = dict(scope.get("cookies") or {})
    headers = dict(scope.get("headers") or [])
    request.META["HTTP_ACCEPT_LANGUAGE"] = headers.get(b"accept-language", b"").decode("latin-1")
    return translation.get_language_from_request(request)


class RoomConsumer(AsyncWebsocketConsumer):
    """A live room's socket; subclasses say who sits where, what the room key and snapshot are,
    and what the actions do."""

    # A room's socket needs no channel of its own: the process's hub (hub.py) follows the room
    # and hands it the events. An alias with no layer makes Channels give it none (no
    # subscription per socket; `get_channel_layer` answers None for an unknown alias).
    channel_layer_alias = "rooms.no-channel-per-socket"
    # A room the public may watch (the auction's price and countdown) lets anonymous sockets
    # reach `room_enter`, which then decides their seat; every other room refuses them (4401).
    allow_anonymous: ClassVar[bool] = False

    room_key = ""
    language = ""
    _queue: asyncio.Queue[Any] | None = None
    _writer: asyncio.Task[None] | None = None
    _closing = False
    _joined = False
    _seq = 0  # the snapshot's
    _ready = False  # the snapshot is queued: events may follow it
    _early: list[tuple[int | None, str]] | None = None  # events the hub gave before that
    _sending = False  # the writer holds a frame it took from the queue
    _direct: Callable[[bytes], bool] | None = None
    _backlog: Callable[[], int] | None = None
    _closer: asyncio.Task[None] | None = None
    frames_direct = 0  # events written straight to daphne's socket (wire.py), for the record

    # --- what a room says (subclasses) -------------------------------------------------------

    def room_enter(self, user: Any, **url_kwargs: Any) -> Any:
        """The user's seat (runs in the database thread); PermissionDenied or Http404 refuse."""
        raise NotImplementedError

    def room_key_for(self, seat: Any) -> str:
        raise NotImplementedError

    def room_snapshot(self, seat: Any) -> dict[str, Any]:
        """What the room shows this seat now (runs in the database thread)."""
        return {}

    async def room_action(self, kind: str, message: dict[str, Any]) -> None:
        """One of the room's actions; the base room has none."""
        self.send_error(_("未知的消息类型。"))

    # --- the connection ----------------------------------------------------------------------

    async def connect(self) -> None:
        self.language = scope_language(self.scope)
        user = self.scope.get("user")
        if user is None or (not user.is_authenticated and not self.allow_anonymous):
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        kwargs = self.scope.get("url_route", {}).get("kwargs", {})
        try:
            self.seat = await database_sync_to_async(self.room_enter)(user, **kwargs)
        except PermissionDenied:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        except Http404:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.room_key = self.room_key_for(self.seat)
        self._queue = asyncio.Queue(maxsize=int(getattr(settings, "ROOM_SEND_QUEUE", 256)))
        self._limit = int(getattr(settings, "ROOM_SEND_BUFFER_BYTES", 1024 * 1024))
        self._budget = FrameBudget(
            rate=float(getattr(settings, "ROOM_FRAMES_PER_SECOND", 5)),
            burst=float(getattr(settings, "ROOM_FRAME_BURST", 20)),
        )
        # Follow the room before reading the sequence number, so no event falls between the
        # snapshot and the live ones; the hub's events wait in `_early` until the snapshot is
        # queued, and those it already covers are skipped.
        self._early = []
        self._joined = True
        try:
            await hub().join(self)
            await self.accept()
            self._writer = asyncio.get_running_loop().create_task(self._write())
            snapshot = await database_sync_to_async(self._snapshot)()
        except BaseException:
            # A socket that never got its snapshot keeps nothing in the hub, nor a writer.
            self._closing = True
            self._leave_room()
            if self._writer is not None:
                self._writer.cancel()
            raise
        self._seq = snapshot["seq"]
        hub().covered(self, self._seq)
        self.send_json(snapshot)
        self._ready = True
        early, self._early = self._early, None
        for seq, text in early:
            self._event(seq, text)
        # Under daphne, a ready frame may go straight to the socket (wire.py); the bytes daphne
        # holds for a client tell a slow one (backlog.py).
        self._direct = daphne_frame_writer(self.base_send)
        self._backlog = daphne_backlog(self.base_send)
        ticker().join(self)

    def _snapshot(self) -> dict[str, Any]:
        seq = room_seq(self.room_key)
        with translation.override(self.language):
            shown = self.room_snapshot(self.seat)
        return {"type": "snapshot", "seq": seq, "server_time": server_time(), **shown}

    async def disconnect(self, code: int) -> None:
        self._closing = True
        ticker().leave(self)
        if self._writer is not None:
            self._writer.cancel()
        self._leave_room()

    def _leave_room(self) -> None:
        if self._joined:
            self._joined = False
            hub().leave(self)

    # --- what comes in -------------------------------------------------------------------------

    def hub_deliver(self, seq: int | None, text: str, frame: bytes) -> None:
        """A committed event of the room from the process's hub: its text, and its ready frame."""
        if self._closing:
            return
        if not self._ready:
            if self._early is not None:
                self._early.append((seq, text))
            return
        if isinstance(seq, int) and seq <= self._seq:
            return  # the snapshot already covers it
        # Nothing of this client's is waiting: the frame goes out now, as is, after all it was
        # sent before (order holds); otherwise it queues behind the rest.
        direct, queue = self._direct, self._queue
        if direct and not self._sending and queue is not None and queue.empty() and direct(frame):
            self.frames_direct += 1
            self._check_backlog()
            return
        self.offer(text)

    def _event(self, seq: int | None, text: str) -> None:
        if isinstance(seq, int) and seq <= self._seq:
            return
        # Later events pass in the order they come; two commits may publish out of order, and
        # the client, seeing the gap, asks for a resync.
        self.offer(text)

    def _check_backlog(self) -> None:
        if self._backlog is not None and not self._closing and self._backlog() > self._limit:
            self._drop(CLOSE_TOO_SLOW)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self._closing:
            return
        with translation.override(self.language):
            if not self._budget.take(time.monotonic()):
                self.send_error(_("发送过于频繁，连接已关闭。"))
                self.offer_close(CLOSE_FLOOD)
                return
            try:
                message = frame_parse(text_data)
            except FrameError as error:
                self.send_error(frame_error_message(error.reason))
                return
            kind = message["type"]
            if kind == "ping":
                self.send_json({"type": "pong", "server_time": await aserver_time()})
            elif kind == "resync":
                await self._resync(message.get("after"))
            else:
                await self.room_action(kind, message)

    async def _resync(self, after: Any) -> None:
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            self.send_error(_("重新同步需要一个不小于 0 的序号。"))
            return
        events = await database_sync_to_async(room_events_after)(self.room_key, after)
        self.send_json({"type": "resync", "after": after, "events": events})

    # --- what goes out -------------------------------------------------------------------------

    def send_json(self, payload: dict[str, Any]) -> None:
        self.offer(json.dumps(payload, ensure_ascii=False))

    def send_error(self, message: str) -> None:
        self.send_json({"type": "error", "message": message})

    def offer(self, text: str) -> None:
        """Queue a frame for this client; a client whose queue is full is dropped."""
        if self._closing or self._queue is None:
            return
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            self._drop(CLOSE_TOO_SLOW)

    def offer_close(self, code: int) -> None:
        """Close once the frames already queued (an error saying why) are sent."""
        if self._closing or self._queue is None:
            return
        try:
            self._queue.put_nowait((_CLOSE, code))
        except asyncio.QueueFull:
            self._drop(code)
            return
        self._closing = True
        ticker().leave(self)

    def _drop(self, code: int) -> None:
        """Stop sending to a client that cannot keep up: its backlog is thrown away."""
        self._closing = True
        ticker().leave(self)
        if self._writer is not None:
            self._writer.cancel()
        self._closer = asyncio.get_running_loop().create_task(self._close_now(code))

    async def _close_now(self, code: int) -> None:
        self._leave_room()
        # A server that applies backpressure may hold the close as well; nobody waits for it.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.close(code=code), timeout=5)

    async def _write(self) -> None:
        queue = self._queue
        if queue is None:
            return
        # Under daphne `send` never waits: the bytes it still holds tell a slow client instead.
        backlog = daphne_backlog(self.base_send)
        while True:
            item = await queue.get()
            if isinstance(item, tuple) and item[0] is _CLOSE:
                self._leave_room()
                await self.close(code=item[1])
                return
            self._sending = True
            try:
                await AsyncWebsocketConsumer.send(self, text_data=item)
            finally:
                self._sending = False
            if backlog is not None and backlog() > self._limit:
                self._drop(CLOSE_TOO_SLOW)
                return
