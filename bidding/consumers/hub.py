"""The process's room hub: one subscription per room per process, and the fan-out to local sockets.

The first local socket of a room makes the process join the room's channel-layer group with one
relay channel of its own, read by one task; every event that arrives there is checked once (seen
already? covered by the first snapshot?), its frame built once (wire.py), and handed to every
local socket of the room (`RoomConsumer.hub_deliver`): no channel-layer message per socket, no
deserialisation per socket, no thread hop. Each socket still has its own bounded queue, so a slow
one is dropped (4408) and never delays the others.

Redis pub/sub forgets what it could not deliver: while Redis is down, or for a publish lost on
the way, the process would miss events. So every ROOM_CATCHUP_SECONDS the hub checks its relay
end to end (a probe message it sends itself) — re-subscribing from scratch if the probe does not
come back — and reads `RoomHead.seq` of all its rooms in one query (no lot lock); a room whose
head is past what the process delivered gets the missing events from the database. The first
check after Redis comes back therefore both re-subscribes (if needed) and catches up.

One hub per event loop, like the ticker: daphne runs one loop per process; tests one per test.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from typing import Any, Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from bidding.broadcast import room_group
from bidding.consumers.wire import text_frame
from bidding.services.rooms import room_events_after, room_heads

logger = logging.getLogger(__name__)

# How many seq numbers above an unfilled gap a room remembers; past that it stops waiting for
# the gap (its sockets' clients resync it themselves when they see it).
_SEEN_LIMIT = 1000
# How long a gap may wait for its late publish before the hub reads it from the database.
_GAP_WAIT = 0.05
# How long the periodic catch-up lets a room it finds behind wait for publishes on their way, so
# that it reads back only what was lost (and events keep their live `published_at`).
_LIVE_GRACE = 0.2


class RoomMember(Protocol):
    room_key: str

    def hub_deliver(self, seq: int | None, text: str, frame: bytes) -> None: ...


class HubRoom:
    """One room as this process follows it: its local sockets and what it has delivered."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.members: set[RoomMember] = set()
        self.subscribed = False
        # Every seq ≤ `low` has been delivered (or the first snapshot covered it); `seen` holds
        # the ones delivered above a gap. None until the room's first snapshot is read.
        self.low: int | None = None
        self.seen: set[int] = set()

    def fresh(self, seq: int) -> bool:
        """Whether `seq` is new to this process (and mark it delivered)."""
        if (self.low is not None and seq <= self.low) or seq in self.seen:
            return False
        self.seen.add(seq)
        self._advance()
        return True

    def covered(self, seq: int) -> None:
        """A socket's snapshot is the room as of `seq`: the first one sets where delivery starts."""
        if self.low is None:
            self.low = seq
            self.seen = {s for s in self.seen if s > seq}
            self._advance()

    def _advance(self) -> None:
        if self.low is None:
            return
        while self.low + 1 in self.seen:
            self.low += 1
            self.seen.discard(self.low)
        if len(self.seen) > _SEEN_LIMIT:
            self.low, self.seen = max(self.seen), set()


class Hub:
    """This process's rooms, its relay channel and the task that reads it, and the watcher."""

    def __init__(self) -> None:
        self.rooms: dict[str, HubRoom] = {}
        self.layer: Any = None
        self.relay: str | None = None
        self.healthy = True
        self._receiver: asyncio.Task[None] | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._gap_task: asyncio.Task[None] | None = None
        self._probe = 0
        self._probe_back: asyncio.Event | None = None
        self._lock = asyncio.Lock()

    # --- sockets come and go ---------------------------------------------------------------

    async def join(self, member: RoomMember) -> None:
        """Follow `member`'s room: the first local socket of a room subscribes the process.

        A subscription that fails (Redis down) is logged and retried by the watcher, which
        meanwhile delivers the room's events from the database; the socket is served either way.
        """
        room = self.rooms.get(member.room_key)
        if room is None:
            room = self.rooms[member.room_key] = HubRoom(member.room_key)
        room.members.add(member)
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.get_running_loop().create_task(self._watch())
        if not room.subscribed:
            try:
                await self._subscribe(room)
            except Exception:
                logger.exception("room hub: %s not subscribed; the catch-up serves it", room.key)
                self.healthy = False

    def covered(self, member: RoomMember, seq: int) -> None:
        room = self.rooms.get(member.room_key)
        if room is not None:
            room.covered(seq)

    def leave(self, member: RoomMember) -> None:
        room = self.rooms.get(member.room_key)
        if room is None or member not in room.members:
            return
        room.members.discard(member)
        if room.members:
            return
        del self.rooms[room.key]
        if room.subscribed and self.relay is not None:
            asyncio.get_running_loop().create_task(self._unsubscribe(room.key, self.relay))
        if not self.rooms:
            self._stop()

    def _stop(self) -> None:
        for task in (self._watcher, self._receiver, self._gap_task):
            if task is not None:
                task.cancel()
        self._watcher = self._receiver = self._gap_task = None
        self.relay = None

    # --- the subscription -------------------------------------------------------------------

    async def _subscribe(self, room: HubRoom) -> None:
        async with self._lock:
            if self.relay is None:
                self.layer = get_channel_layer()
                if self.layer is None:
                    return  # no channel layer: the catch-up alone serves the rooms
                self.relay = await self.layer.new_channel("hub.")
                self._receiver = asyncio.get_running_loop().create_task(self._receive(self.relay))
            if room.key in self.rooms and not room.subscribed:
                await self.layer.group_add(room_group(room.key), self.relay)
                room.subscribed = True

    async def _unsubscribe(self, key: str, relay: str) -> None:
        if key in self.rooms:
            return  # a socket came back meanwhile
        with contextlib.suppress(Exception):
            await self.layer.group_discard(room_group(key), relay)

    async def _resubscribe(self) -> None:
        """Drop the relay and subscribe every room again from scratch."""
        relay, receiver = self.relay, self._receiver
        self.relay, self._receiver = None, None
        for room in self.rooms.values():
            if room.subscribed and relay is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.layer.group_discard(room_group(room.key), relay), 1)
            room.subscribed = False
        if receiver is not None:
            receiver.cancel()
        for room in list(self.rooms.values()):
            await self._subscribe(room)

    async def _receive(self, relay: str) -> None:
        while True:
            try:
                message = await self.layer.receive(relay)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("room hub: the relay could not be read")
                await asyncio.sleep(0.5)
                continue
            kind = message.get("type")
            if kind == "room.event":
                self.deliver(message.get("room"), message.get("seq"), message.get("text"))
                # The layer may hand over a buffered burst without suspending; the sockets'
                # writers get a turn between events, as in the catch-up below.
                await asyncio.sleep(0)
            elif kind == "hub.probe" and message.get("n") == self._probe and self._probe_back:
                self._probe_back.set()

    # --- delivery -----------------------------------------------------------------------------

    def deliver(self, key: Any, seq: Any, text: Any) -> None:
        """One event of a room to each of its local sockets, its frame built once."""
        room = self.rooms.get(key) if isinstance(key, str) else None
        if room is None or not isinstance(text, str):
            return
        if isinstance(seq, int) and not isinstance(seq, bool):
            if not room.fresh(seq):
                return
            if room.low is not None and room.low < seq - 1:
                self._catch_up_soon()  # a gap: an earlier publish is late or lost
        frame = text_frame(text.encode())
        for member in list(room.members):
            member.hub_deliver(seq, text, frame)

    # --- the watcher: health and catch-up -----------------------------------------------------

    async def _watch(self) -> None:
        while self.rooms:
            await asyncio.sleep(float(getattr(settings, "ROOM_CATCHUP_SECONDS", 2.0)))
            try:
                await self._check()
            except Exception:
                if self.healthy:
                    logger.exception("room hub: the rooms could not be subscribed again")
                self.healthy = False
            try:
                await self.catch_up(grace=_LIVE_GRACE)
            except Exception:
                logger.exception("room hub: the rooms could not be caught up")

    async def _check(self) -> None:
        """Probe the relay end to end; subscribe again whatever is not."""
        if get_channel_layer() is None:
            return
        if self.relay is None or any(not room.subscribed for room in self.rooms.values()):
            await self._resubscribe()
        if self.relay is None:
            return
        self._probe += 1
        self._probe_back = asyncio.Event()
        try:
            probe = {"type": "hub.probe", "n": self._probe}
            await asyncio.wait_for(self.layer.send(self.relay, probe), 1)
            await asyncio.wait_for(self._probe_back.wait(), 1)
        except Exception:
            if self.healthy:
                logger.warning("room hub: the relay does not answer; subscribing again")
            self.healthy = False
            await self._resubscribe()
            return
        if not self.healthy:
            logger.warning("room hub: the relay answers again")
        self.healthy = True

    def _catch_up_soon(self) -> None:
        """Fill a gap shortly (a publish merely out of order fills it by itself meanwhile)."""
        if self._gap_task is None or self._gap_task.done():
            self._gap_task = asyncio.get_running_loop().create_task(self._fill_gap())

    async def _fill_gap(self) -> None:
        await asyncio.sleep(_GAP_WAIT)
        try:
            await self.catch_up(grace=_GAP_WAIT)
        except Exception:
            logger.exception("room hub: a gap could not be filled")

    async def catch_up(self, *, grace: float = 0.0) -> None:
        """Deliver from the database what this process's rooms committed and it did not deliver.

        `grace`: how long a room found behind may wait for the live publish already on its way
        (a commit a moment ago) before its events are read back.
        """
        started = {key: room.low for key, room in self.rooms.items() if room.low is not None}
        if not started:
            return
        heads = await database_sync_to_async(room_heads)(list(started))
        behind = {key: head for key, head in heads.items() if head > started[key]}
        if behind and grace:
            await asyncio.sleep(grace)
        for key, head in behind.items():
            room = self.rooms.get(key)
            if room is None or room.low is None or head <= room.low:
                continue
            events = await database_sync_to_async(room_events_after)(key, room.low)
            for event in events:
                self.deliver(key, event["seq"], json.dumps(event, ensure_ascii=False))
                # A burst larger than a socket's send queue (ROOM_SEND_QUEUE) must not take a
                # client that reads for a slow one: its writer takes each event before the next.
                await asyncio.sleep(0)


# One hub per event loop: daphne runs one loop per process; tests run one loop per test.
_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """This process's (this event loop's) room hub."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = Hub()
    return found
