"""Start-up checks of the services the platform needs: the database, Redis and the channel layer.

Each failure is one line naming the setting a person has to fix, never a traceback:
`make run` and deployments run `manage.py preflight` before starting daphne and Celery, whose own
start-up would otherwise retry forever or die in a stack trace far from the cause.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
from django.conf import settings
from django.db import connections

DATABASE_TIMEOUT_SECONDS = 3
REDIS_TIMEOUT_SECONDS = 2


class PreflightFailure(Exception):
    """A service the platform needs is unusable; `setting` names what to fix."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting
        self.problem = problem


def redact(url: str) -> str:
    """The URL without its password, fit to print."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + netloc))


def _reason(exc: BaseException) -> str:
    """The cause of a connection failure in a few words, on one line."""
    text = str(exc).strip()
    lowered = text.lower()
    for needle, reason in (
        ("connection refused", "connection refused"),
        ("timeout expired", "timed out"),
        ("timed out", "timed out"),
        ("password authentication failed", "password authentication failed"),
        ("authentication required", "authentication required"),
        ("invalid password", "wrong password"),
        ("wrongpass", "wrong password"),
        ("name or service not known", "unknown host"),
        ("could not translate host name", "unknown host"),
        ("temporary failure in name resolution", "unknown host"),
        ("no route to host", "no route to host"),
        ("network is unreachable", "network unreachable"),
        ("unable to open database file", "unable to open the database file"),
    ):
        if needle in lowered:
            return reason
    first_line = text.splitlines()[0] if text else type(exc).__name__
    return first_line.removeprefix("connection failed: ").strip()


def check_database(alias: str = "default", *, timeout: int = DATABASE_TIMEOUT_SECONDS) -> str:
    """Open and close one connection to the database; return a description of it."""
    connection = connections[alias]
    config: dict[str, Any] = connection.settings_dict
    if connection.vendor == "postgresql":
        where = f"{config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}"
        description = f"PostgreSQL at {where}"
    elif connection.vendor == "sqlite":
        description = f"SQLite database {config['NAME']}"
    else:
        description = f"{connection.vendor} database"
    try:
        params = connection.get_connection_params()
        if connection.vendor == "postgresql":
            params["connect_timeout"] = timeout
        elif connection.vendor == "sqlite":
            params["timeout"] = timeout
        raw = connection.get_new_connection(params)
        try:
            cursor = raw.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
        finally:
            raw.close()
    except Exception as exc:  # every driver raises its own types: report, never crash
        raise PreflightFailure(
            "DATABASE_URL", f"cannot connect to {description} ({_reason(exc)})"
        ) from exc
    return description


def check_redis(url: str, *, setting: str, timeout: int = REDIS_TIMEOUT_SECONDS) -> str:
    """Ping the Redis server at `url`; `setting` names where the URL came from."""
    shown = redact(url)
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    except ValueError as exc:
        raise PreflightFailure(setting, f"not a Redis URL: {shown} ({_reason(exc)})") from exc
    try:
        client.ping()
    except redis.exceptions.InvalidResponse as exc:
        raise PreflightFailure(
            setting, f"{shown} does not answer like a Redis server ({_reason(exc)})"
        ) from exc
    except redis.exceptions.RedisError as exc:
        raise PreflightFailure(setting, f"cannot reach Redis at {shown} ({_reason(exc)})") from exc
    except OSError as exc:
        raise PreflightFailure(setting, f"cannot reach Redis at {shown} ({_reason(exc)})") from exc
    finally:
        client.close()
    return f"Redis at {shown}"


def _channel_layer_urls(layer_config: dict[str, Any]) -> Iterable[str]:
    for host in layer_config.get("CONFIG", {}).get("hosts", []):
        if isinstance(host, str):
            yield host
        elif isinstance(host, dict) and isinstance(host.get("address"), str):
            yield host["address"]


def check_channel_layer(*, already_checked: set[str]) -> str:
    """The default channel layer loads, and every Redis host it names answers."""
    layers: dict[str, Any] = getattr(settings, "CHANNEL_LAYERS", {}) or {}
    if "default" not in layers:
        raise PreflightFailure("CHANNEL_LAYERS", "no default channel layer is configured")
    from channels.layers import get_channel_layer

    try:
        layer = get_channel_layer()
    except Exception as exc:  # an unknown backend or bad CONFIG raises whatever its __init__ does
        raise PreflightFailure(
            "CHANNEL_LAYERS", f"the default layer fails to load ({exc})"
        ) from exc
    if layer is None:
        raise PreflightFailure("CHANNEL_LAYERS", "no default channel layer is configured")
    for url in _channel_layer_urls(layers["default"]):
        if url not in already_checked:
            check_redis(url, setting="CHANNEL_LAYERS")
            already_checked.add(url)
    return f"channel layer {type(layer).__name__}"


def run_checks() -> list[str]:
    """Run every check in order; the first failure raises PreflightFailure."""
    checked: list[str] = [check_database()]
    redis_urls = {settings.REDIS_URL}
    checked.append(check_redis(settings.REDIS_URL, setting="REDIS_URL"))
    broker = getattr(settings, "CELERY_BROKER_URL", "") or ""
    if broker and broker not in redis_urls and broker.startswith(("redis://", "rediss://")):
        checked.append(check_redis(broker, setting="CELERY_BROKER_URL"))
        redis_urls.add(broker)
    checked.append(check_channel_layer(already_checked=redis_urls))
    return checked
