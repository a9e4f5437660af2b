"""Settings for every environment, read from environment variables.

The defaults are the embedded mode of `make run`: SQLite under var/, a local Redis, DEBUG off (the
pages are safe to show on a network), and a secret key generated under var/keys. `make run` turns on
the demo accounts with TIANPING_DEMO; production settings refuse it. Production overrides the
defaults through the environment only (see README.md).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import (
    embedded_secret_key,
    env_bool,
    env_list,
    env_site_url,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("TIANPING_VAR_DIR", BASE_DIR / "var"))
KEYS_DIR = VAR_DIR / "keys"

# Django's debug pages show settings and tracebacks to whoever asks: on only when asked for.
DEBUG = env_bool("DEBUG", default=False)
# The demo accounts share a published password: they are seeded, and may log in, only in demo
# mode, which `make run` turns on (config/bin/run) and production settings refuse.
DEMO = env_bool("TIANPING_DEMO", default=False)
# Production sets SECRET_KEY (config.settings.production checks it before reading this module);
# the embedded mode keeps one of its own under var/keys, as it does the ledger key.
SECRET_KEY = os.environ.get("SECRET_KEY", "") or embedded_secret_key(KEYS_DIR / "django-secret.key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "guardian",
    "axes",
    "channels",
    "trading",
    "bidding",
    "notices",
    "supervision",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # daphne serves no files: static files come from here, with or without DEBUG (before the
    # session and locale work, which a stylesheet does not need).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trading.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": parse_database_url(os.environ.get("DATABASE_URL"), var_dir=VAR_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6390/0")
# The ASGI servers' GIL switch interval (config/asgi.py; Python's default is 0.005).
ASGI_SWITCH_INTERVAL_SECONDS = float(os.environ.get("ASGI_SWITCH_INTERVAL_SECONDS", "0.0005"))
CHANNEL_LAYERS = {
    "default": {
        # The pub/sub layer queues instead of dropping when saturated (STACK-NOTES.md).
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL]},
    }
}
# Anonymous public pages answered from Redis before Django (notices/portal_fastpath.py); the
# prefix keeps two deployments (or test servers) sharing one Redis apart.
PORTAL_FASTPATH = os.environ.get("PORTAL_FASTPATH", "1") == "1"
PORTAL_FASTPATH_PREFIX = os.environ.get("PORTAL_FASTPATH_PREFIX", "portal:fast:")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "tianping",
    }
}

AUTH_USER_MODEL = "trading.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Outside demo mode the demo accounts' published password logs nobody in (trading/auth.py).
    "trading.auth.DemoPasswordGuard",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Guardian's anonymous user would be a user without an organisation: we have none.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace"
LOGOUT_REDIRECT_URL = "home"

# Login throttling: after AXES_FAILURE_LIMIT failures for one username from one address,
# that pair is locked out for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "frontend" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Files browsers ask for at the root (/favicon.ico), served by WhiteNoise: no URL route, no 404.
WHITENOISE_ROOT = BASE_DIR / "frontend" / "root"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
# Tender documents (招标文件, clarifications, contracts …) are PDFs of at most this size.
TENDER_DOCUMENT_MAX_BYTES = int(os.environ.get("TENDER_DOCUMENT_MAX_BYTES", str(50 * 1024 * 1024)))
# A registering organisation's business licence (营业执照), a scanned PDF.
BUSINESS_LICENCE_MAX_BYTES = int(
    os.environ.get("BUSINESS_LICENCE_MAX_BYTES", str(10 * 1024 * 1024))
)
# A consortium's agreement (联合体协议书), uploaded with its enrolment.
CONSORTIUM_AGREEMENT_MAX_BYTES = int(
    os.environ.get("CONSORTIUM_AGREEMENT_MAX_BYTES", str(10 * 1024 * 1024))
)
# A sealed bid (bidding/SEALING.md): each PDF document at most this size, at most this many.
SEALED_BID_DOCUMENT_MAX_BYTES = int(
    os.environ.get("SEALED_BID_DOCUMENT_MAX_BYTES", str(50 * 1024 * 1024))
)
SEALED_BID_MAX_DOCUMENTS = int(os.environ.get("SEALED_BID_MAX_DOCUMENTS", "20"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
# Content Security Policy: scripts, styles and connections (WebSockets too) from this origin
# only — no inline script or style, no eval, no framing. base.html configures htmx accordingly
# (no indicator <style> of its own, no eval, no <script> in swapped fragments).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Celery: two queues so the chronograph never waits behind a slow render.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = "slow"
CELERY_TIMEZONE = TIME_ZONE
CHRONOGRAPH_TICK_SECONDS = float(os.environ.get("CHRONOGRAPH_TICK_SECONDS", "5"))
LEDGER_CHECKPOINT_SECONDS = float(os.environ.get("LEDGER_CHECKPOINT_SECONDS", "60"))
# How far ahead a scheduled date may lie (a notice's publication, a lot's deadline): further
# than a transaction can plausibly need is a typing error (the year 9999), refused.
SCHEDULE_HORIZON_DAYS = int(os.environ.get("SCHEDULE_HORIZON_DAYS", "730"))

# The clock every service reads (after taking its locks). Tests swap it.
TIANPING_CLOCK = os.environ.get("TIANPING_CLOCK", "trading.clock.system_clock")

# Secrets of the platform. In the embedded mode they are generated under KEYS_DIR on first use;
# production must set them (config.settings.production refuses to start otherwise).
LEDGER_SIGNING_KEY = os.environ.get("LEDGER_SIGNING_KEY", "")
BID_SEALING_SECRET = os.environ.get("BID_SEALING_SECRET", "")
# The bank holding the deposits' sub-accounts (bidding.adapters.bank), the key its signed
# notifications carry, and the prefix of the sub-accounts' numbers (一标一户).
BANK_ADAPTER = os.environ.get("BANK_ADAPTER", "bidding.adapters.bank.LocalBank")
BANK_WEBHOOK_KEY = os.environ.get("BANK_WEBHOOK_KEY", "") or embedded_secret_key(
    KEYS_DIR / "bank-webhook.key"
)
BANK_SUB_ACCOUNT_PREFIX = os.environ.get("BANK_SUB_ACCOUNT_PREFIX", "62270001")
# The platform's own account at the bank that pays the bank interest of engineering refunds
# (实施条例 第57条): interest never leaves a bidder's sub-account.
BANK_INTEREST_ACCOUNT = os.environ.get("BANK_INTEREST_ACCOUNT", "622700009990000001")

# Deposit guarantees and refunds (bidding, issue 11 bdrefunds): the guarantee issuer adapter,
# the refund payer, the bid validity a guarantee must cover (counted from the bid deadline; the
# tender documents set it, 实施条例 第25条) and the central bank's loan benchmark rate for the late
# fee of a procurement refund (财政部令第87号 第38条).
GUARANTEE_ISSUER = os.environ.get("GUARANTEE_ISSUER", "bidding.guarantee_issuers.LocalIssuer")
REFUND_PAYER = os.environ.get("REFUND_PAYER", "bidding.refund_payers.BankRefundPayer")
BID_VALIDITY_DAYS = int(os.environ.get("BID_VALIDITY_DAYS", "90"))
LOAN_BENCHMARK_RATE = os.environ.get("LOAN_BENCHMARK_RATE", "0.0435")
# The demand deposit rate of the interest refunded with an engineering deposit (实施条例 第57条);
# bidding.domain.refunds.deposit_interest computes it for the refund payer.
DEPOSIT_INTEREST_RATE = os.environ.get("DEPOSIT_INTEREST_RATE", "0.0035")

# E-mail and SMS go through trading.messaging's gateway adapter.
MESSAGE_GATEWAY = os.environ.get("MESSAGE_GATEWAY", "trading.messaging.LocalGateway")
MESSAGE_LOG_FILE = Path(os.environ.get("MESSAGE_LOG_FILE", VAR_DIR / "messages.jsonl"))
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
        ),
        "OPTIONS": {
            key: value
            for key, value in {
                "host": os.environ.get("EMAIL_HOST"),
                "port": int(os.environ["EMAIL_PORT"]) if os.environ.get("EMAIL_PORT") else None,
                "username": os.environ.get("EMAIL_HOST_USER"),
                "password": os.environ.get("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", default=False) or None,
            }.items()
            if value is not None
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@tianping.localhost")
SMS_API_URL = os.environ.get("SMS_API_URL", "")
SMS_API_KEY = os.environ.get("SMS_API_KEY", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
    },
    # A refusal (403, a suspicious request) is one line; tracebacks are kept for real errors.
    "filters": {"refusal_one_line": {"()": "config.log_filters.RefusalOneLine"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # On the handler too: django.security.<Exception> loggers are children, which a
            # logger's own filter does not see.
            "filters": ["refusal_one_line"],
            # Production logs JSON (config.settings.production); the embedded mode plain lines.
            "formatter": os.environ.get("LOG_FORMAT", "plain"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["refusal_one_line"]},
        "django.security": {"filters": ["refusal_one_line"]},
        "daphne": {"level": "WARNING"},
        "celery": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint reports every layout step at INFO: thousands of lines per demo seed.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The public address of the platform, as readers reach it: printed in documents (the verification
# link and QR code), feeds, OCDS packages and e-mail. `make run` sets it from its port.
SITE_URL = env_site_url("SITE_URL", default="http://127.0.0.1:8000")
# OCDS: the ocid prefix must be registered with the Open Contracting Partnership for production.
OCDS_PREFIX = os.environ.get("OCDS_PREFIX", "ocds-tianping-")
OCDS_PUBLISHER_NAME = os.environ.get("OCDS_PUBLISHER_NAME", "天平公共资源交易平台")
