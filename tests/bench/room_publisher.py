"""The rooms bench's publisher for hot_room_fanout: room events committed without the bid path.

    python -m tests.bench.room_publisher LOT_ID RATE SECONDS   # under the stack's environment

hot_room's bids go through the WebSocket bid path (Django, PostgreSQL, the lot's lock), which
saturates the servers' CPU before the fan-out shows. This process isolates the fan-out: it
commits a bid-shaped event to the lot's auction room through the real
`bidding.services.rooms.room_event_append`, each in its own transaction, `RATE` times a second for
`SECONDS` — so commit → on_commit `room_publish` → Redis → each daphne's hub → sockets is the
production path, only the bid's checks and lock are left out. As in daphne, the transaction runs
in a worker thread and the publish returns to this process's event loop (async_to_sync), so the
channel layer keeps one Redis connection.

It prints "ready" once Django is set up, starts on a line "go" on stdin, and ends by printing one
JSON line: events committed, the seconds it took, how many commits ran late (> 1/RATE behind the
schedule) and its own CPU seconds.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from decimal import Decimal

START = Decimal("1000000.00")
STEP = Decimal("10000.00")


def event_commit(lot_id: int, n: int) -> int:
    """One bid-shaped event of the lot's room, committed in its own transaction; its seq."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from bidding.services.auctions import room_key_auction
    from bidding.services.rooms import room_event_append

    now = timezone.now()
    # The shape and size of a real bid's event (bidding/services/auction_bids.py::_bid_payload).
    payload = {
        "bid_seq": n,
        "bidder_number": f"B{n % 50 + 1:04d}",
        "amount": str(START + STEP * n),
        "phase": "timed",
        "ends_at": timezone.localtime(now + timedelta(minutes=5)).isoformat(),
        "timed": True,
    }
    with transaction.atomic():
        event = room_event_append(room_key_auction(lot_id), "bid", payload, now=now)
    return int(event.seq)


async def publish(lot_id: int, rate: float, seconds: float) -> dict[str, object]:
    from asgiref.sync import sync_to_async

    commit = sync_to_async(event_commit, thread_sensitive=False)
    loop = asyncio.get_running_loop()
    count = max(1, round(rate * seconds))
    late = 0
    began = loop.time()
    cpu = os.times()
    for n in range(1, count + 1):
        delay = began + (n - 1) / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -1.0 / rate:
            late += 1
        await commit(lot_id, n)
    after = os.times()
    return {
        "events_committed": count,
        "seconds": round(loop.time() - began, 3),
        "late_commits": late,
        "publisher_cpu_s": round(after.user + after.system - cpu.user - cpu.system, 2),
    }


def main(argv: list[str]) -> None:
    import django

    lot_id, rate, seconds = int(argv[1]), float(argv[2]), float(argv[3])
    django.setup()
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    started = time.time()
    result = asyncio.run(publish(lot_id, rate, seconds))
    print(json.dumps({**result, "started_at": started}), flush=True)


if __name__ == "__main__":
    main(sys.argv)
