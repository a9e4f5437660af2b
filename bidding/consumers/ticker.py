"""One server-time tick per second per process, shared by every connected room client.

One timer per process rather than one per consumer: the server clock is read once a second
(it may be the database clock in tests and training), the tick is serialised once, and a
thousand sockets cost one timer instead of a thousand. Each client gets the same text through
its own bounded send queue, so a slow client never delays the tick of the others.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from typing import Protocol

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from bidding.services.auction_outages import auction_heartbeat
from trading.clock import get_clock

logger = logging.getLogger(__name__)


class TickListener(Protocol):
    def offer(self, text: str) -> None: ...


def server_time() -> str:
    """The server clock's present moment, in the platform's time zone (DESIGN.md invariant 1)."""
    return timezone.localtime(get_clock()()).isoformat()


aserver_time = database_sync_to_async(server_time)


def _beat() -> None:
    auction_heartbeat(get_clock()())


# A process with room clients is one that takes bids: it beats (bidding.services.auction_outages).
abeat = database_sync_to_async(_beat)


class Ticker:
    """The process's tick timer: runs while at least one listener is connected."""

    def __init__(self) -> None:
        self.listeners: set[TickListener] = set()
        self._task: asyncio.Task[None] | None = None

    def join(self, listener: TickListener) -> None:
        self.listeners.add(listener)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def leave(self, listener: TickListener) -> None:
        self.listeners.discard(listener)
        if not self.listeners and self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        interval = float(getattr(settings, "ROOM_TICK_SECONDS", 1.0))
        beat_every = float(getattr(settings, "AUCTION_HEARTBEAT_SECONDS", 5.0))
        beaten = 0.0
        while self.listeners:
            await asyncio.sleep(interval)
            if time.monotonic() - beaten >= beat_every:
                beaten = time.monotonic()
                try:
                    await abeat()
                except Exception:
                    logger.exception("room ticker: the platform's heartbeat could not be written")
            try:
                text = json.dumps({"type": "tick", "server_time": await aserver_time()})
            except Exception:
                # The clock could not be read (the database clock, a lost connection): skip a
                # tick rather than stop them; the clients' countdowns wait for the next one.
                logger.exception("room ticker: the server clock could not be read")
                continue
            for listener in list(self.listeners):
                listener.offer(text)


# One ticker per event loop: daphne runs one loop per process; tests run one loop per test.
_tickers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Ticker] = weakref.WeakKeyDictionary()


def ticker() -> Ticker:
    """This process's (this event loop's) ticker."""
    loop = asyncio.get_running_loop()
    found = _tickers.get(loop)
    if found is None:
        found = _tickers[loop] = Ticker()
    return found
