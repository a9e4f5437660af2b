"""The Celery app: two queues and the beat schedule, all in code.

`fast` carries time-critical work (the chronograph tick, ledger checkpoints); `slow` carries
renders and e-mail. Workers are started per queue so a long render never delays a deadline.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_init
from kombu import Connection, Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("tianping")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each queue on its own direct exchange and routing key: a Queue declared by name alone is bound to
# the default exchange and key ("slow"), so the fast queue claimed the slow queue's binding.
QUEUES = (
    Queue("fast", Exchange("fast", type="direct"), routing_key="fast"),
    Queue("slow", Exchange("slow", type="direct"), routing_key="slow"),
)
app.conf.task_queues = QUEUES
app.conf.update(
    task_default_queue="slow", task_default_exchange="slow", task_default_routing_key="slow"
)
app.conf.task_routes = {
    "trading.tasks.chronograph_tick": {"queue": "fast"},
    "trading.tasks.ledger_checkpoint": {"queue": "fast"},
    # PDFs render on the slow queue, so a render never delays a deadline.
    "notices.tasks.notice_render": {"queue": "slow"},
    "notices.tasks.complaint_document_render": {"queue": "slow"},
    "notices.tasks.opening_record_render": {"queue": "slow"},
}
app.conf.worker_prefetch_multiplier = 1
app.conf.task_acks_late = True
app.conf.broker_connection_retry_on_startup = True
# Beat only wakes things up: the database is the record of every deadline (DESIGN.md invariant 2).
# A tick that finds nothing due is cheap; expiring stale ticks keeps a backlog from piling up.
_tick = float(os.environ.get("CHRONOGRAPH_TICK_SECONDS", "5"))
_checkpoint = float(os.environ.get("LEDGER_CHECKPOINT_SECONDS", "60"))
app.conf.beat_schedule = {
    "chronograph-tick": {
        "task": "trading.tasks.chronograph_tick",
        "schedule": _tick,
        "options": {"queue": "fast", "expires": _tick * 2},
    },
    "ledger-checkpoint": {
        "task": "trading.tasks.ledger_checkpoint",
        "schedule": _checkpoint,
        "options": {"queue": "fast", "expires": _checkpoint},
    },
    # Daily; the service itself sends each administrator at most one reminder a week.
    "calendar-reminders": {
        "task": "trading.tasks.calendar_reminders",
        "schedule": crontab(hour=9, minute=0),
        "options": {"queue": "slow", "expires": 3600},
    },
}
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def stale_bindings_drop(connection: Connection) -> list[str]:
    """Unbind, on a Redis broker, any queue bound to our exchanges other than QUEUES declares.

    A Redis that keeps its data (production's) still holds the fast queue's old binding to the
    slow exchange and key, which would hand every render to the fast queue as well."""
    channel: Any = connection.default_channel
    if not hasattr(channel, "keyprefix_queue"):  # not the Redis transport: nothing kept there
        return []
    declared = {(queue.exchange.name, queue.routing_key, queue.name) for queue in QUEUES}
    removed = []
    for exchange in sorted({queue.exchange.name for queue in QUEUES}):
        for routing_key, pattern, queue_name in channel.get_table(exchange):
            if (exchange, routing_key, queue_name) in declared:
                continue
            member = channel.sep.join([routing_key, pattern, queue_name])
            channel.client.srem(channel.keyprefix_queue % exchange, member)
            removed.append(f"{exchange}/{routing_key} -> {queue_name}")
    return removed


@worker_init.connect
def _worker_bindings_checked(**_: Any) -> None:
    # Before the worker consumes: from then on each message reaches its own queue only.
    with app.connection_for_write() as connection:
        removed = stale_bindings_drop(connection)
    if removed:
        logger.warning("removed stale queue bindings: %s", ", ".join(removed))
