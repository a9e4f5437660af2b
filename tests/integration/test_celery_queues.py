"""Each queue has its own binding on the real Redis broker: a chronograph tick reaches only the
`fast` worker and a render only the `slow` one, each exactly once.

The workers run as `make run` starts them (one per queue) on one broker; the fast queue
was once bound to the slow queue's exchange and key, which only routing by queue name hid.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import cast

import pytest
import redis

from config.celery import app
from notices.tasks import notice_render
from tests.conftest import ControlledClock
from tests.integration.test_celery_worker import Worker, redis_url, start_worker
from tests.tenders import first_lot, make_tender, make_world, opens
from trading.tasks import chronograph_tick

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

__all__ = ["start_worker"]  # the fixture, imported for this module's tests

# How long a worker has to take what is waiting for it (it is idle and already connected).
DELIVERY_SECONDS = 60


def _waiting(broker: redis.Redis, queue: str) -> int:
    return cast(int, broker.llen(queue))


def _drained(broker: redis.Redis, queue: str, worker: Worker) -> None:
    """Wait until `worker` has taken and acknowledged everything on `queue`."""
    deadline = time.monotonic() + DELIVERY_SECONDS
    # acks_late: a taken message sits in `unacked` until the task has run.
    while _waiting(broker, queue) or broker.hlen("unacked"):
        assert worker.process.poll() is None, f"the worker exited:\n{worker.output()}"
        assert time.monotonic() < deadline, f"{queue} never drained:\n{worker.output()}"
        time.sleep(0.1)


def test_each_queue_is_declared_with_its_own_exchange_and_routing_key() -> None:
    queues = {queue.name: queue for queue in app.amqp.queues.values()}

    assert {name: (q.exchange.name, q.routing_key) for name, q in queues.items()} == {
        "fast": ("fast", "fast"),
        "slow": ("slow", "slow"),
    }


def test_a_worker_drops_the_fast_queues_old_binding_to_the_slow_exchange(
    clock: ControlledClock, start_worker: Callable[[str], Worker]
) -> None:
    broker = redis.Redis.from_url(redis_url())
    # What a broker that kept its data since before this fix holds: fast bound to slow/slow.
    stale = "slow\x06\x16\x06\x16fast"
    broker.sadd("_kombu.binding.slow", stale)

    start_worker("fast")

    assert stale.encode() not in cast(set[bytes], broker.smembers("_kombu.binding.slow"))
    notice_render.delay(0)
    assert (_waiting(broker, "fast"), _waiting(broker, "slow")) == (0, 1)


def test_a_tick_reaches_only_the_fast_worker_and_a_render_only_the_slow_one_once_each(
    clock: ControlledClock, start_worker: Callable[[str], Worker]
) -> None:
    broker = redis.Redis.from_url(redis_url())
    lot = first_lot(make_tender(make_world(business_type="procurement")))
    clock.set(opens(lot) + timedelta(minutes=1))

    # Sent as the platform sends them, routed by config/celery.py (no worker is listening yet).
    chronograph_tick.delay()
    assert (_waiting(broker, "fast"), _waiting(broker, "slow")) == (1, 0)
    notice_render.delay(0)  # no such notice: the render finds nothing to do
    assert (_waiting(broker, "fast"), _waiting(broker, "slow")) == (1, 1)

    # The fast worker, on its own binding, takes the tick and leaves the render alone.
    fast = start_worker("fast")
    assert re.search(r"\.> fast\s+exchange=fast\(direct\) key=fast", fast.output())
    _drained(broker, "fast", fast)
    lot.refresh_from_db()
    assert lot.status == "bidding"
    assert _waiting(broker, "slow") == 1

    slow = start_worker("slow")
    assert re.search(r"\.> slow\s+exchange=slow\(direct\) key=slow", slow.output())
    _drained(broker, "slow", slow)
    assert (_waiting(broker, "fast"), _waiting(broker, "slow")) == (0, 0)
