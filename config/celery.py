"""The Celery app: two queues and the beat schedule, all in code.

`fast` carries time-critical work (the chronograph tick, ledger checkpoints); `slow` carries
renders and e-mail. Workers are started per queue so a long render never delays a deadline.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("tianping")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each queue on its own direct exchange and routing key: a Queue declared by name alone is bound to
# the default exchange and key ("slow"), so the fast queue claimed the slow queue's binding.
app.conf.task_queues = (
    Queue("fast", Exchange("fast", type="direct"), routing_key="fast"),
    Queue("slow", Exchange("slow", type="direct"), routing_key="slow"),
)
app.conf.update(
    task_default_queue="slow", task_default_exchange="slow", task_default_routing_key="slow"
)
app.conf.task_routes = {
    "trading.tasks.chronograph_tick": {"queue": "fast"},
    "trading.tasks.ledger_checkpoint": {"queue": "fast"},
    # PDFs render on the slow queue, so a render never delays a deadline.
    "notices.tasks.notice_render": {"queue": "slow"},
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
