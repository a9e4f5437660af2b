"""Tests: the services of `make test` (PostgreSQL, Redis on free ports) and a controllable clock."""

from __future__ import annotations

import os
import re

# pytest-xdist (make test runs the PostgreSQL stage with `-n 2`) names each worker "gw0", "gw1"…;
# pytest-django gives each its own database. Redis is shared, so each worker takes a Redis
# database of its own (cache, Celery's queues, the portal's kept pages) before the base settings
# read REDIS_URL, and the subprocesses that tests start inherit it. Redis pub/sub ignores the
# database number: the channel layer gets a prefix per worker too.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER and "REDIS_URL" in os.environ:
    redis_db = int(XDIST_WORKER.removeprefix("gw")) + 1
    os.environ["REDIS_URL"] = re.sub(r"(/\d*)?$", f"/{redis_db}", os.environ["REDIS_URL"], count=1)

from config.settings.base import *  # noqa: E402, F403
from config.settings.base import CHANNEL_LAYERS, INSTALLED_APPS, REDIS_URL, VAR_DIR  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "tests.support"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TIANPING_CLOCK = "trading.clock.database_clock"
MESSAGE_GATEWAY = "trading.messaging.LocalGateway"
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
AXES_FAILURE_LIMIT = 3
# Tests tick the chronograph themselves; no broker poke after each commit.
CHRONOGRAPH_POKE = False
MESSAGE_LOG_FILE = VAR_DIR / f"test-messages{XDIST_WORKER and '-'}{XDIST_WORKER}.jsonl"
if XDIST_WORKER:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": CHANNEL_LAYERS["default"]["BACKEND"],
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"asgi-{XDIST_WORKER}"},
        }
    }
# A per-process cache that tests clear (tests/conftest.py), so no test reads another's entries.
# Off in tests, which share one Redis across databases; tests/functional/test_portal_fastpath.py
# turns it on with a prefix of its own.
PORTAL_FASTPATH = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
