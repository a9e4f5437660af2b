"""The public portal over HTTP at 100,000 notices: the real server, 8 and 32 concurrent clients.

    config/bin/with-services .venv/bin/python -m tests.bench.bench_portal_http OUT.json

The server is started as `make run` starts it (tests/bench/http_server.py, shared with
bench_supervision_http: config/bin/serve-http, WEB_PROCESSES daphne processes on one port, the
embedded settings, the Redis cache) with one extra URL, a trivial view, measured in the same run as
the reference. Apache's `ab` (apache2-utils, `make bench` installs it)
sends the requests: list, filter, search and notice pages, anonymous, so as the public gets them
(cached against the publication counter after the first request, which is reported as `cold_ms`).
Both engines: PostgreSQL (DATABASE_URL, as `make bench` sets it) and a SQLite file.

The 100,000 notices take minutes to build (tests/bench/bench_portal.py's data): they are built
once and kept under var/bench/ (a SQLite file, a pg_dump), named by a hash of what builds them.
Target (issue 9): p95 under 50 ms at 32 clients and at least 300 pages/s.
Environment: BENCH_NOTICES, BENCH_HTTP_REQUESTS (per run, default 2000), WEB_PROCESSES,
BENCH_HTTP_ENGINES (default postgresql,sqlite).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.bench.http_server import PG_BIN, ab, cold_ms, pg_args, server

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "var" / "bench"
NOTICES = int(os.environ.get("BENCH_NOTICES", "100000"))
REQUESTS = int(os.environ.get("BENCH_HTTP_REQUESTS", "2000"))
CONCURRENCY = (8, 32)
TARGET_P95_MS = 50.0
TARGET_PAGES_PER_SECOND = 300.0
# What the fixture is built from: a change to any of them builds it again.
FIXTURE_SOURCES = [
    ROOT / "tests" / "bench" / "bench_portal.py",
    ROOT / "tests" / "portal_data.py",
    ROOT / "notices" / "search.py",
    *sorted((ROOT / "notices" / "migrations").glob("0*.py")),
    *sorted((ROOT / "trading" / "migrations").glob("0*.py")),
]


def fixture_key() -> str:
    digest = hashlib.sha256(str(NOTICES).encode())
    for source in FIXTURE_SOURCES:
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


# --- building the data (a child process with Django set up on the engine's database) --------


def load_here(out: Path) -> None:
    """Migrate the configured database, load the notices, and write the URLs the bench asks for."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    from notices.views_portal import portal_notices
    from tests.bench import bench_portal

    call_command("migrate", interactive=False, verbosity=0)
    loaded = bench_portal._load(NOTICES)
    ids = list(portal_notices().values_list("pk", flat=True)[100:120])
    out.write_text(json.dumps({**loaded, "notice_ids": ids}), encoding="utf-8")


def _load_child(env: dict[str, str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [sys.executable, "-m", "tests.bench.bench_portal_http", "--load", out.name],
            env=env,
            check=True,
            cwd=ROOT,
        )
        result: dict[str, Any] = json.loads(Path(out.name).read_text(encoding="utf-8"))
    return result


def prepare_sqlite(work: Path) -> tuple[str, dict[str, Any]]:
    """A SQLite copy of the cached fixture (built first if missing) and its facts."""
    fixture = BENCH / f"portal-http-{fixture_key()}.sqlite3"
    facts_file = fixture.with_suffix(".json")
    if not fixture.exists() or not facts_file.exists():
        for stale in BENCH.glob("portal-http-*.sqlite3"):
            stale.unlink()
        building = work / "building.sqlite3"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{building}"}
        facts = _load_child(env)
        # One file: the write-ahead log folded in.
        subprocess.run([sys.executable, "-c", _CHECKPOINT, str(building)], check=True, cwd=ROOT)
        shutil.copyfile(building, fixture)
        facts_file.write_text(json.dumps(facts), encoding="utf-8")
    database = work / "portal.sqlite3"
    shutil.copyfile(fixture, database)
    facts = json.loads(facts_file.read_text(encoding="utf-8"))
    return f"sqlite:///{database}", {**facts, "fixture": fixture.name}


_CHECKPOINT = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
    "c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.execute('PRAGMA journal_mode=DELETE'); "
    "c.close()"
)


def prepare_postgresql(url: str) -> tuple[str, dict[str, Any]]:
    """The service's database restored from the cached dump (built first if missing)."""
    dump = BENCH / f"portal-http-{fixture_key()}.pgdump"
    facts_file = dump.with_suffix(".pg.json")
    if not dump.exists() or not facts_file.exists():
        for stale in BENCH.glob("portal-http-*.pgdump"):
            stale.unlink()
        facts = _load_child({**os.environ, "DATABASE_URL": url})
        subprocess.run([str(PG_BIN / "pg_dump"), *pg_args(url), "-Fc", "-f", str(dump)], check=True)
        facts_file.write_text(json.dumps(facts), encoding="utf-8")
    else:
        subprocess.run(
            [
                str(PG_BIN / "pg_restore"),
                *pg_args(url),
                "--no-owner",
                "--clean",
                "--if-exists",
                str(dump),
            ],
            check=True,
        )
        # Statistics are not in a dump: as autovacuum leaves a table at rest.
        subprocess.run(
            [str(PG_BIN / "psql"), *pg_args(url), "-q", "-c", "VACUUM ANALYZE"], check=True
        )
    facts = json.loads(facts_file.read_text(encoding="utf-8"))
    return url, {**facts, "fixture": dump.name}


# --- the server and the load --------------------------------------------------------------------


def scenarios(facts: dict[str, Any]) -> list[tuple[str, str]]:
    notice = facts["notice_ids"][0]
    return [
        ("reference: trivial view", "/bench/ping/"),
        ("reference: one database read", "/bench/one-query/"),
        ("list, first page", "/notices/"),
        ("filter region + type", "/notices/?region=460100&type=engineering"),
        ("search 2 chars (道路)", "/notices/?q=" + quote("道路")),
        ("search + region", "/notices/?region=460100&q=" + quote("道路")),
        ("notice page", f"/notices/{notice}/"),
    ]


def measure_engine(
    engine: str, database_url: str, facts: dict[str, Any], work: Path, processes: int
) -> dict[str, Any]:
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url:  # pages of the other engine's data must not be served from the cache
        subprocess.run(["redis-cli", "-u", redis_url, "FLUSHDB"], check=True, capture_output=True)
    results: dict[str, Any] = {
        "engine": engine,
        "notices": facts["notices"],
        "fixture": facts["fixture"],
        "processes": processes,
        "scenarios": {},
    }
    with server(database_url, work, processes) as base:
        for name, path in scenarios(facts):
            row: dict[str, Any] = {"path": path, "cold_ms": cold_ms(base + path)}
            for concurrency in CONCURRENCY:
                row[f"c{concurrency}"] = ab(base + path, concurrency, REQUESTS)
            results["scenarios"][name] = row
    reference = results["scenarios"]["reference: trivial view"]
    for row in results["scenarios"].values():
        for concurrency in CONCURRENCY:
            cell, ref = row[f"c{concurrency}"], reference[f"c{concurrency}"]
            cell["p95_vs_reference"] = round(cell["p95_ms"] / max(ref["p95_ms"], 1.0), 2)
            cell["rate_vs_reference"] = round(
                cell["pages_per_second"] / max(ref["pages_per_second"], 1.0), 2
            )
    return results


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        f"portal over HTTP: {NOTICES:,} notices, {REQUESTS} requests per run, ab; target p95 < "
        f"{TARGET_P95_MS:.0f} ms and ≥ {TARGET_PAGES_PER_SECOND:.0f} pages/s at 32 clients",
    ]
    for engine, result in results.items():
        lines.append(f"{engine}, {result['processes']} daphne processes:")
        header = f"  {'scenario':<28}{'cold':>8}" + "".join(
            f"{f'c{c} p50':>10}{'p95':>6}{'pages/s':>9}{'×ref':>6}" for c in CONCURRENCY
        )
        lines.append(header)
        misses = []
        for name, row in result["scenarios"].items():
            line = f"  {name:<28}{row['cold_ms']:>6.0f}ms"
            for concurrency in CONCURRENCY:
                cell = row[f"c{concurrency}"]
                line += (
                    f"{cell['p50_ms']:>8.0f}ms{cell['p95_ms']:>6.0f}{cell['pages_per_second']:>9.0f}"
                    f"{cell['rate_vs_reference']:>6}"
                )
            lines.append(line)
            top = row["c32"]
            if not name.startswith("reference") and (
                top["p95_ms"] >= TARGET_P95_MS or top["pages_per_second"] < TARGET_PAGES_PER_SECOND
            ):
                misses.append(name)
        lines.append(
            f"  {engine}: " + ("meets the target" if not misses else f"MISSES: {', '.join(misses)}")
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--load"]:
        load_here(Path(argv[1]))
        return 0
    if shutil.which("ab") is None:
        print("bench_portal_http: `ab` is missing (apt-get install apache2-utils)", file=sys.stderr)
        return 2
    out = Path(argv[0]) if argv else BENCH / "bench_portal_http.json"
    BENCH.mkdir(parents=True, exist_ok=True)
    processes = int(os.environ.get("WEB_PROCESSES", "") or os.cpu_count() or 2)
    engines = os.environ.get("BENCH_HTTP_ENGINES", "postgresql,sqlite").split(",")
    database_url = os.environ.get("DATABASE_URL", "")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        work = Path(tmp)
        if "postgresql" in engines and database_url.startswith(("postgres://", "postgresql://")):
            url, facts = prepare_postgresql(database_url)
            results["postgresql"] = measure_engine("postgresql", url, facts, work, processes)
        if "sqlite" in engines:
            url, facts = prepare_sqlite(work)
            results["sqlite"] = measure_engine("sqlite", url, facts, work, processes)
    summary = {
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "requests_per_run": REQUESTS,
        "results": results,
    }
    out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
