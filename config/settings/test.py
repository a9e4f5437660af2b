"""Tests: the services of `make test` (PostgreSQL, Redis on free ports) and a controllable clock."""

from __future__ import annotations

from config.settings.base import *  # noqa: F403
from config.settings.base import INSTALLED_APPS, VAR_DIR

INSTALLED_APPS = [*INSTALLED_APPS, "tests.support"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TIANPING_CLOCK = "trading.clock.database_clock"
MESSAGE_GATEWAY = "trading.messaging.LocalGateway"
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
AXES_FAILURE_LIMIT = 3
# Tests tick the chronograph themselves; no broker poke after each commit.
CHRONOGRAPH_POKE = False
MESSAGE_LOG_FILE = VAR_DIR / "test-messages.jsonl"
# A per-process cache that tests clear (tests/conftest.py), so no test reads another's entries.
# Off in tests, which share one Redis across databases; tests/functional/test_portal_fastpath.py
# turns it on with a prefix of its own.
PORTAL_FASTPATH = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
