"""Production: PostgreSQL, Redis, TLS at the reverse proxy; every secret from the environment."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool
from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, DEBUG, MAILERS

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production (set DEBUG=false).")
for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "LEDGER_SIGNING_KEY", "BID_SEALING_SECRET"):
    if not os.environ.get(name):
        raise ImproperlyConfigured(f"{name} must be set in production.")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
# Mail goes out over SMTP unless EMAIL_BACKEND names another production backend.
if not os.environ.get("EMAIL_BACKEND"):
    MAILERS["default"]["BACKEND"] = "django.core.mail.backends.smtp.EmailBackend"
