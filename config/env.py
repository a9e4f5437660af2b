"""Reading settings from the environment, with errors that name the setting."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

SQLITE_OPTIONS = {
    # Writers serialise at BEGIN, so read-modify-write transactions never fail half-way
    # with "database is locked" (STACK-NOTES.md: 600/600 committed vs 420 failures).
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}: expected true or false, got {raw!r}.")


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_database_url(url: str | None, *, var_dir: Path) -> dict[str, Any]:
    """The DATABASES entry for DATABASE_URL; the embedded SQLite file when it is unset."""
    if not url:
        url = f"sqlite:///{var_dir / 'tianping.sqlite3'}"
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    except Exception as exc:  # dj_database_url raises several types for a malformed URL
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL ({exc}).") from exc
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
    elif engine == "django.db.backends.postgresql":
        config.setdefault("OPTIONS", {})
    else:
        raise ImproperlyConfigured(
            f"DATABASE_URL: unsupported engine {engine!r}; use postgres:// or sqlite://."
        )
    config["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}
    return config


def embedded_secret_key(path: Path) -> str:
    """The embedded mode's Django secret key: kept in `path`, generated on first use.

    Written aside and linked into place, readable by its owner only: processes starting at once
    (daphne, the Celery workers, beat) all end up with the key linked first.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor, draft_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        draft = Path(draft_name)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < 50:
        raise ImproperlyConfigured(
            f"{path} does not hold a secret key: delete it or set SECRET_KEY."
        )
    return key


def env_site_url(name: str, *, default: str) -> str:
    """The public address of the site (scheme and host, an optional path prefix), without '/'.

    Printed in every document, feed, OCDS package and e-mail: a value readers cannot open there
    is refused at start-up rather than printed on thousands of PDFs.
    """
    raw = os.environ.get(name) or default
    parsed = urlsplit(raw.strip())
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ImproperlyConfigured(
            f"{name}: expected the public address of the site, such as "
            f"https://ggzy.example.cn, got {raw!r}."
        )
    if parsed.query or parsed.fragment or parsed.username or parsed.password:
        raise ImproperlyConfigured(
            f"{name}: expected scheme, host and port only (no query, fragment or login), "
            f"got {raw!r}."
        )
    return raw.strip().rstrip("/")


def postgresql_pool(max_size: int) -> dict[str, int]:
    """Django's PostgreSQL pool options (psycopg-pool): a few connections kept open per process."""
    return {"min_size": min(2, max_size), "max_size": max_size}
