"""Throughput of `ledger_append` against a plain INSERT of the same row, one transaction each.

    config/bin/with-services .venv/bin/python -m tests.bench.bench_ledger_append OUT.json

Runs on the database DATABASE_URL names (migrated first; it should be a throwaway one, as under
`make bench`). The ratio says what the hash chain costs per entry: a lookup, a row lock, an
insert and an update, against one insert.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ENTRIES = int(os.environ.get("BENCH_ENTRIES", "500"))


def _rate(run: Callable[[int], None], count: int) -> dict[str, float]:
    started = time.perf_counter()
    for index in range(count):
        run(index)
    elapsed = time.perf_counter() - started
    return {"entries": count, "seconds": round(elapsed, 4), "per_second": round(count / elapsed, 1)}


def main(out: Path) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from trading.clock import system_clock
    from trading.services.ledger import ledger_append

    call_command("migrate", interactive=False, verbosity=0)
    run_id = uuid.uuid4().hex[:8]
    payload = {"lot": "C23-0001", "amount": "1234567.89", "note": "基准测试"}

    def append_one_scope(index: int) -> None:
        ledger_append(
            scope_key=f"bench-{run_id}",
            scope_kind="platform",
            action="bench.append",
            actor=None,
            obj_id=str(index),
            payload=payload,
            clock=system_clock,
        )

    def append_many_scopes(index: int) -> None:
        ledger_append(
            scope_key=f"bench-{run_id}-{index % 50}",
            scope_kind="platform",
            action="bench.append",
            actor=None,
            obj_id=str(index),
            payload=payload,
            clock=system_clock,
        )

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_plain "
            "(seq bigint, scope varchar(100), hash varchar(64), action varchar(100), payload text)"
        )

    def plain_insert(index: int) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_plain (seq, scope, hash, action, payload) "
                "VALUES (%s, %s, %s, %s, %s)",
                [index, run_id, "0" * 64, "bench.append", json.dumps(payload)],
            )

    plain = _rate(plain_insert, ENTRIES)
    one_scope = _rate(append_one_scope, ENTRIES)
    results: dict[str, Any] = {
        "vendor": connection.vendor,
        "plain_insert": plain,
        "ledger_append_one_scope": one_scope,
        "ledger_append_50_scopes": _rate(append_many_scopes, ENTRIES),
        "ratio_one_scope_vs_plain": round(plain["per_second"] / one_scope["per_second"], 2),
    }
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), indent=2))
