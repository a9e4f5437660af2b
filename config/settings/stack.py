"""The production-like stack of the fault tests and the benchmark (tests/stack.py).

The base settings — the real clock, Redis cache and pub/sub channel layer on REDIS_URL, the
database DATABASE_URL names — plus the rooms' and auctions' timings from the environment: every
`AUCTION_*` and `ROOM_*` variable becomes the setting of that name (a number when it reads as one),
so a test can make an outage 3 s long instead of 60 without a settings module of its own. Like
production it pools its PostgreSQL connections (a bid runs in a worker thread of its own and would
otherwise open a connection each time); STACK_DB_POOL=0 turns the pool off.
"""

from __future__ import annotations

import os

from config.env import postgresql_pool
from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES

TIANPING_CLOCK = os.environ.get("TIANPING_CLOCK", "trading.clock.system_clock")

if (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and os.environ.get("STACK_DB_POOL", "1") != "0"
):
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "pool": postgresql_pool(int(os.environ.get("DB_POOL_SIZE", "10"))),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections


def _number(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


for _name, _value in os.environ.items():
    if _name.startswith(("AUCTION_", "ROOM_")) and _name.isupper():
        globals()[_name] = _number(_value)
