"""The rooms bench's servers: the stack's settings (config.settings.stack) with the PostgreSQL
connection pool production uses (config/settings/production.py), so that a bid, which runs in a
worker thread of its own, does not open a database connection each time."""

import os

from config.env import postgresql_pool
from config.settings.stack import *  # noqa: F403
from config.settings.stack import DATABASES

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "pool": postgresql_pool(int(os.environ.get("DB_POOL_SIZE", "10"))),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
