"""Logging in: where the time of one login goes, next to the password hash it cannot avoid.

    config/bin/with-services .venv/bin/python -m tests.bench.bench_login OUT.json

Real login POSTs through the test client (middleware, django-axes, the form, the session,
last_login, the redirect) with Django's default password hasher at its default cost, on a
throwaway SQLite file (var/bench/login.sqlite3, the embedded engine). Reported: the login's
median, the hash alone (check_password), what is left over, the SQL statements of one login, and
a profile of that login grouped by who spends it (hasher, axes, sessions, the rest).
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SQLITE_FILE = ROOT / "var" / "bench" / "login.sqlite3"
LOGINS = int(os.environ.get("BENCH_LOGINS", "15"))
PASSWORD = "a long bench password 2026"


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _setup() -> Any:
    SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django
    from django.conf import global_settings, settings

    django.setup()
    # The production cost: the test settings' MD5 hasher would measure nothing.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from tests.factories import make_organisation, make_user
    from trading.services.reference import reference_data_seed

    reference_data_seed()
    return make_user(make_organisation("owner"), username="bench", password=PASSWORD)


def _login(client: Any, password: str) -> int:
    response = client.post("/accounts/login/", {"username": "bench", "password": password})
    return int(response.status_code)


def _grouped(profile: cProfile.Profile) -> dict[str, float]:
    """Own time (ms) of one profiled login, summed by who spends it."""
    areas = [
        ("password hash (pbkdf2)", "pbkdf2_hmac"),
        ("django-axes", "/axes/"),
        ("sessions", "/django/contrib/sessions/"),
        ("database driver and ORM", "/django/db/"),
        ("templates", "/django/template/"),
    ]
    found: dict[str, float] = {}
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    for (filename, _line, function), row in stats.items():
        where = f"{filename}:{function}"
        area = next((name for name, marker in areas if marker in where), "everything else")
        found[area] = found.get(area, 0.0) + row[2]
    return {area: _ms(seconds) for area, seconds in sorted(found.items(), key=lambda i: -i[1])}


def run() -> dict[str, Any]:
    user = _setup()
    from django.db import connection
    from django.test import Client

    # Interleaved, so that the hash alone and the login see the same load on a shared machine.
    hashes, logins, failures = [], [], []
    for _ in range(LOGINS):
        started = time.perf_counter()
        assert user.check_password(PASSWORD)
        hashes.append(time.perf_counter() - started)
        client = Client()
        started = time.perf_counter()
        assert _login(client, PASSWORD) == 302
        logins.append(time.perf_counter() - started)
        started = time.perf_counter()
        # A wrong password: the form is shown again (axes counts it; 5 would lock, reset above).
        assert _login(Client(), "wrong") == 200
        failures.append(time.perf_counter() - started)
        assert _login(client, PASSWORD) == 302  # resets the failure count (AXES_RESET_ON_SUCCESS)

    statements: list[str] = []

    def record(execute: Any, sql: str, *args: Any) -> Any:
        statements.append(sql[:120])
        return execute(sql, *args)

    with connection.execute_wrapper(record):
        _login(Client(), PASSWORD)
    profile = cProfile.Profile()
    profile.enable()
    _login(Client(), PASSWORD)
    profile.disable()

    hash_ms = _ms(statistics.median(hashes))
    login_ms = _ms(statistics.median(logins))
    return {
        "vendor": connection.vendor,
        "hasher": user.password.split("$", 1)[0],
        "logins": LOGINS,
        "login_p50_ms": login_ms,
        "login_max_ms": _ms(max(logins)),
        "failed_login_p50_ms": _ms(statistics.median(failures)),
        "hash_p50_ms": hash_ms,
        "login_minus_hash_ms": round(login_ms - hash_ms, 1),
        "hashes_per_login": round(login_ms / hash_ms, 2) if hash_ms else None,
        "sql_statements": len(statements),
        "sql": statements,
        "profile_ms": _grouped(profile),
    }


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "var" / "bench" / "bench_login.json"
    result = run()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"login bench ({result['vendor']}, {result['hasher']}, {LOGINS} logins): "
        f"login p50 {result['login_p50_ms']} ms (max {result['login_max_ms']}), "
        f"failed login p50 {result['failed_login_p50_ms']} ms, hash alone "
        f"{result['hash_p50_ms']} ms -> {result['hashes_per_login']} hashes' worth per login, "
        f"{result['sql_statements']} SQL statements; profile {result['profile_ms']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
