"""Production: PostgreSQL, Redis, TLS at the reverse proxy; every secret from the environment."""

from __future__ import annotations

import base64
import binascii
import os
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured

# Checked before the base settings are read: without SECRET_KEY they would generate the
# embedded mode's key file, which production must never rely on.
# SITE_URL too: the embedded default (127.0.0.1) would be printed on every published PDF.
for name in (
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "LEDGER_SIGNING_KEY",
    "BID_SEALING_SECRET",
    "BANK_WEBHOOK_KEY",
    "SITE_URL",
):
    if not os.environ.get(name):
        raise ImproperlyConfigured(f"{name} must be set in production.")


def _base64_bytes(name: str) -> int:
    try:
        return len(base64.b64decode(os.environ[name].strip(), validate=True))
    except (binascii.Error, ValueError):
        return -1


# The keys' format is checked at start-up too: a malformed one would otherwise surface only at
# the first checkpoint or the first sealed-bid publication, long after the deploy.
if _base64_bytes("LEDGER_SIGNING_KEY") != 32:
    raise ImproperlyConfigured(
        "LEDGER_SIGNING_KEY must be the base64 of a 32-byte Ed25519 private seed."
    )
if _base64_bytes("BID_SEALING_SECRET") < 32:
    raise ImproperlyConfigured(
        "BID_SEALING_SECRET must be the base64 of at least 32 random bytes"
        " (openssl rand -base64 32)."
    )

from config.env import env_bool, postgresql_pool  # noqa: E402
from config.settings.base import *  # noqa: E402, F403
from config.settings.base import DATABASES, DEBUG, DEMO, LOGGING, MAILERS  # noqa: E402

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production (set DEBUG=false).")
if DEMO:
    raise ImproperlyConfigured(
        "TIANPING_DEMO must be off in production: the demo accounts' password is published."
    )
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
cast(dict[str, Any], LOGGING["handlers"])["console"]["formatter"] = os.environ.get(
    "LOG_FORMAT", "json"
)
# A pool of connections per process: under ASGI Django opens a connection per request (each runs
# in a thread of its own), which on PostgreSQL is a new server process each time; a cached portal
# page measured 1.5 times faster pooled (README.md, "Serving the portal under load").
DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"].get("OPTIONS", {}),
    "pool": postgresql_pool(int(os.environ.get("DB_POOL_SIZE", "10"))),
}
DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
# Mail goes out over SMTP unless EMAIL_BACKEND names another production backend.
if not os.environ.get("EMAIL_BACKEND"):
    MAILERS["default"]["BACKEND"] = "django.core.mail.backends.smtp.EmailBackend"
