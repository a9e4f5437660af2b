"""The settings `make run` serves with, plus the bench's reference views (http_urls); on
PostgreSQL the connection pool production uses (config/settings/production.py)."""

import os

from config.env import postgresql_pool
from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES

ROOT_URLCONF = "tests.bench.http_urls"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "pool": postgresql_pool(int(os.environ.get("DB_POOL_SIZE", "10"))),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
