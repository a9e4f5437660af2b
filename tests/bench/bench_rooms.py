"""Auction rooms at scale (issue 14): the production-like stack beside a plain-websockets reference.

    config/bin/with-services .venv/bin/python -m tests.bench.bench_rooms var/bench/bench_rooms.json
    BENCH=rooms make bench                       # only this bench
    ... bench_rooms OUT.json --profile           # + py-spy on one daphne during hot_room(_fanout)

The platform runs as tests/stack.py starts it — its own Redis, two daphne processes behind HAProxy,
Celery — on a fresh PostgreSQL database of the service's server (tests/bench/room_data.py: land
lots in timed bidding, bidders enrolled with deposits confirmed and signed in; watchers are the
anonymous public). The reference is tests/bench/room_reference.py. Both get the same load from
tests/bench/room_load.py in this process: bidders bid through the room's "bid" action (each a step
above the last, with an idempotency key), watchers watch. Servers run on CPU 0 (PostgreSQL too),
the load on CPU 1.

Scenarios (each writes var/bench/<name>.json beside this run's whole JSON):
1. hot_room: 500 clients (50 bidders, 450 watchers), 50 accepted bids a second for 20 s.
1b. hot_room_fanout (diagnostic): hot_room's room and clients, but nobody bids: 50 events a
   second for 20 s are committed by tests/bench/room_publisher.py, a process of its own on the
   load's CPU, through the real room_event_append (commit → on_commit publish → Redis → each
   daphne's hub → sockets), so the fan-out is measured without the bid path in front of it. The
   reference gets the same rate from two publisher sockets of the load process (its bid is an
   in-memory check: its only way in). No ack latency (no bids).
2. many_rooms: 50 rooms × 20 clients (5 bidders), 5 bids a second each.
3. last_second_rush: 200 bidders bid within the final second of a countdown.
4. saturation: one room of 500 clients (100 bidders), the bid rate raised in short steps until
   the broadcast p99 passes 250 ms or an event is lost.
Latency: broadcast = published_at (the platform: stamped on commit; the reference: when it
assigns the seq) → receipt; end-to-end = bid sent → its event received; ack = bid sent → ack.
Environment: BENCH_ROOMS_SECONDS (20), BENCH_ROOMS_SCENARIOS (all: a comma list),
BENCH_ROOMS_TARGETS (platform,reference), BENCH_ROOMS_PROFILE=1 (as --profile), BENCH_ROOMS_POOL=0
(config.settings.stack without production's connection pool), BENCH_ROOMS_PG_CPU (0; "any").
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.bench.room_measure import (
    descendants,
    machine,
    pin,
    postgres_pid,
    profile_top,
    reference_server,
)
from tests.bench.room_scenarios import (
    Publisher,
    RoomLoad,
    Target,
    fanout,
    rush,
    saturate,
    steady,
)

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "var" / "bench"
SECONDS = float(os.environ.get("BENCH_ROOMS_SECONDS", "20"))
SCENARIOS = ("hot_room", "hot_room_fanout", "many_rooms", "last_second_rush", "saturation")
SERVER_CPUS, CLIENT_CPUS = "0", {1}
PLATFORM_RATES = (10, 25, 50, 100, 150, 200, 300, 400)  # 100 bidders × the room's 5 frames/s cap
REFERENCE_RATES = (50, 100, 200, 300, 400, 600, 800)
STEP_SECONDS = 4.0


def _selected(variable: str, default: tuple[str, ...]) -> tuple[str, ...]:
    chosen = os.environ.get(variable, "").strip()
    return tuple(name.strip() for name in chosen.split(",") if name.strip()) or default


def seed() -> dict[str, Any]:
    """The lots of every scenario (after the stack started: its heartbeat is beating)."""
    from tests.bench.room_data import seed_lots

    long = timedelta(hours=2)
    return {
        "hot_room": seed_lots(1, bidders=50, ends_in=long)[0],
        "hot_room_fanout": seed_lots(1, bidders=50, ends_in=long)[0],
        "many_rooms": seed_lots(50, bidders=5, ends_in=long),
        "last_second_rush": seed_lots(1, bidders=200, ends_in=long)[0],
        "saturation": seed_lots(1, bidders=100, ends_in=long)[0],
    }


def stack_publisher(env: dict[str, str]) -> Publisher:
    """tests/bench/room_publisher.py under the stack's settings, pinned to the load's CPU."""

    async def publish(lot_id: int, rate: float, seconds: float) -> dict[str, Any]:
        cpus = ",".join(str(cpu) for cpu in sorted(CLIENT_CPUS))
        process = await asyncio.create_subprocess_exec(
            *("taskset", "-c", cpus, sys.executable, "-m", "tests.bench.room_publisher"),
            *(str(lot_id), str(rate), str(seconds)),
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert process.stdin is not None and process.stdout is not None
        ready = await asyncio.wait_for(process.stdout.readline(), 60.0)
        if ready.strip() != b"ready":
            await process.wait()
            raise RuntimeError(f"room_publisher did not start: {ready!r}")
        process.stdin.write(b"go\n")
        await process.stdin.drain()
        report = await process.stdout.readline()
        if await process.wait() != 0 or not report:
            raise RuntimeError(f"room_publisher failed ({process.returncode})")
        result: dict[str, Any] = json.loads(report)
        return result

    return publish


def run_scenario(
    name: str,
    target: Target,
    lots: dict[str, Any],
    profile: Path | None,
    publisher: Publisher | None = None,
) -> Any:
    """One scenario on one target; a scenario that fails is reported, the others still run."""
    try:
        return _run_scenario(name, target, lots, profile, publisher)
    except Exception as error:  # the bench goes on and says what broke
        print(f"bench_rooms: {name} on the {target.name} failed: {error!r}", flush=True)
        return {"error": repr(error)}


def _run_scenario(
    name: str,
    target: Target,
    lots: dict[str, Any],
    profile: Path | None,
    publisher: Publisher | None,
) -> Any:
    if name == "hot_room":
        lot = lots["hot_room"]
        load = [RoomLoad(lot.lot_id, lot.cookies[:50], 450)]
        return asyncio.run(steady(target, load, 50.0, SECONDS, profile))
    if name == "hot_room_fanout":
        lot = lots["hot_room_fanout"]
        load_one = RoomLoad(lot.lot_id, lot.cookies[:50], 450)
        return asyncio.run(fanout(target, load_one, 50.0, SECONDS, publisher, profile))
    if name == "many_rooms":
        loads = [RoomLoad(lot.lot_id, lot.cookies[:5], 15) for lot in lots["many_rooms"]]
        return asyncio.run(steady(target, loads, 5.0, SECONDS))
    if name == "last_second_rush":
        lot = lots["last_second_rush"]
        reschedule: Callable[[float], None] | None = None
        if target.name == "platform":
            from tests.bench.room_data import lots_reschedule

            reschedule = functools.partial(lots_reschedule, [lot.lot_id])
        return asyncio.run(rush(target, RoomLoad(lot.lot_id, lot.cookies[:200], 0), reschedule))
    lot = lots["saturation"]
    rates = PLATFORM_RATES if target.name == "platform" else REFERENCE_RATES
    return asyncio.run(
        saturate(target, RoomLoad(lot.lot_id, lot.cookies[:100], 400), rates, STEP_SECONDS)
    )


def platform_runs(
    scenarios: tuple[str, ...], work: Path, profile: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every scenario on the stack; (results by scenario, lots by scenario)."""
    import django

    from tests.bench.room_data import bench_database, migrate

    service_url = os.environ.get("DATABASE_URL", "")
    if not service_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "bench_rooms: the platform needs PostgreSQL: run it under config/bin/with-services "
            "(make bench does), or BENCH_ROOMS_TARGETS=reference for the reference alone"
        )
    database_url = bench_database(service_url)
    os.environ["DATABASE_URL"] = database_url
    django.setup()
    migrate()
    from django.db import connection

    from tests.stack import Stack

    postmaster = postgres_pid()
    # PostgreSQL shares the servers' CPU unless BENCH_ROOMS_PG_CPU says otherwise ("any": not
    # pinned; production runs it on a machine of its own).
    pg_cpu = os.environ.get("BENCH_ROOMS_PG_CPU", SERVER_CPUS)
    if postmaster is not None and pg_cpu != "any":
        pin(descendants([postmaster]), {int(pg_cpu)})
    results: dict[str, Any] = {}
    # config.settings.stack pools connections as production does, unless BENCH_ROOMS_POOL=0.
    pooled = os.environ.get("BENCH_ROOMS_POOL", "1") != "0"
    with Stack(
        work / "stack",
        database_url=database_url,
        daphnes=2,
        cpus=SERVER_CPUS,
        env={"STACK_DB_POOL": "1" if pooled else "0"},
    ) as stack:
        lots = seed()
        connection.close()

        def stack_pids() -> list[int]:
            roots = [pid for pids in stack.server_pids().values() for pid in pids]
            return descendants([*roots, *([postmaster] if postmaster else [])])

        def stack_parts() -> dict[str, list[int]]:
            parts = {kind: descendants(pids) for kind, pids in stack.server_pids().items()}
            parts["postgresql"] = descendants([postmaster]) if postmaster else []
            return parts

        target = Target(
            name="platform",
            ws_url=stack.ws_url,
            origin=stack.http_url,
            server_pids=stack.daphne_pids,
            stack_pids=stack_pids,
            stack_parts=stack_parts,
        )
        for name in scenarios:
            print(f"bench_rooms: {name} on the platform", flush=True)
            profiled = profile and name in ("hot_room", "hot_room_fanout")
            out = BENCH / f"{name}-profile.raw" if profiled else None
            results[name] = run_scenario(name, target, lots, out, stack_publisher(stack.env))
            if out is not None and out.exists():
                (BENCH / f"{name}-profile.txt").write_text(profile_top(out), encoding="utf-8")
    return results, lots


def reference_runs(scenarios: tuple[str, ...], work: Path, lots: dict[str, Any]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name in scenarios:
        print(f"bench_rooms: {name} on the reference", flush=True)
        # A fresh server per scenario: its memory and its rooms start from nothing.
        with reference_server(SERVER_CPUS, work) as (url, pid):

            def own(pid: int = pid) -> list[int]:
                return [pid]

            target = Target(
                name="reference",
                ws_url=url,
                origin="http://127.0.0.1",
                server_pids=own,
                stack_pids=own,
            )
            results[name] = run_scenario(name, target, lots, None)
    return results


def reference_lots() -> dict[str, Any]:
    """Lot ids and cookies for a run on the reference alone (no database)."""
    from tests.bench.room_data import BenchLot

    def lot(n: int, bidders: int) -> BenchLot:
        return BenchLot(lot_id=n, cookies=[f"sessionid=ref{n}-{b}" for b in range(bidders)])

    return {
        "hot_room": lot(1, 50),
        "hot_room_fanout": lot(4, 50),
        "many_rooms": [lot(100 + n, 5) for n in range(50)],
        "last_second_rush": lot(2, 200),
        "saturation": lot(3, 100),
    }


def scenario_json(
    name: str, platform: Any, reference: Any, context: dict[str, Any]
) -> dict[str, Any]:
    """One scenario's JSON: the platform's figures at the top, the reference's beside them."""
    if name == "saturation":
        # The figures of the fastest step within budget; of the first step if none was.
        best = _best_or_first(platform)
        ref_best = _best_or_first(reference)
        head: dict[str, Any] = {
            "max_accepted_bids_per_s": (platform or {}).get("max_accepted_bids_per_s"),
            "reference_max_accepted_bids_per_s": (reference or {}).get("max_accepted_bids_per_s"),
            **_figures(best),
            **{f"reference_{k}": v for k, v in _figures(ref_best).items()},
        }
        head["memory_per_connection_kb"] = (platform or {}).get("memory_per_connection_kb")
        head["reference_memory_per_connection_kb"] = (reference or {}).get(
            "memory_per_connection_kb"
        )
    else:
        head = {
            **_figures(platform or {}),
            **{f"reference_{k}": v for k, v in _figures(reference or {}).items()},
        }
    head["reference_p99_ms"] = head.get("reference_broadcast_p99_ms")
    if name in ("hot_room", "hot_room_fanout") and platform and reference:
        head["targets"] = _targets(head)
    if name == "hot_room_fanout":
        head.update(FANOUT_METHOD)
    return {"scenario": name, **head, "platform": platform, "reference": reference, **context}


FANOUT_METHOD = {
    "diagnostic": (
        "hot_room without the bid path: the fan-out alone (commit → publish → Redis → hubs → "
        "sockets); not one of the issue's four scenarios"
    ),
    "publisher": (
        "platform: tests/bench/room_publisher.py, a separate process on the load's CPU, commits "
        "a bid-shaped event through bidding.services.rooms.room_event_append in its own "
        "transaction 50 times a second for the run's seconds; nobody in the room bids"
    ),
    "reference_method": (
        "the reference run afresh at the same offered rate: two publisher sockets of the load "
        "process (not among the 500 clients measured) bid in turn, 50 a second — the "
        "reference's in-memory bid check is its only way to make an event"
    ),
    "ack_note": "no bids from the room's clients: ack latencies are null",
}


def _best_or_first(result: Any) -> dict[str, Any]:
    if not result:
        return {}
    steps = result.get("steps") or [{}]
    chosen: dict[str, Any] = result.get("best") or steps[0]
    return chosen


FIGURES = (
    "lost",
    "deliveries_per_s",
    "broadcast_p50_ms",
    "broadcast_p95_ms",
    "broadcast_p99_ms",
    "ack_p50_ms",
    "ack_p95_ms",
    "ack_p99_ms",
    "end_to_end_p50_ms",
    "end_to_end_p95_ms",
    "end_to_end_p99_ms",
    "cpu_s_per_1000",
    "stack_cpu_s_per_1000",
    "memory_per_connection_kb",
    "client_cpu_share",
    "bids_accepted",
    "bids_answered_per_s",
)


def _figures(result: dict[str, Any]) -> dict[str, Any]:
    return {key: result.get(key) for key in FIGURES}


def _targets(head: dict[str, Any]) -> dict[str, Any]:
    """hot_room's targets (issue 14): 0 lost, ≥ 0.8 × deliveries, ≤ 2 × p99, CPU ≤ 2 ×."""

    def ratio(a: Any, b: Any) -> float | None:
        return round(a / b, 2) if a is not None and b else None

    rate = ratio(head["deliveries_per_s"], head["reference_deliveries_per_s"])
    p99 = ratio(head["broadcast_p99_ms"], head["reference_broadcast_p99_ms"])
    cpu = ratio(head["cpu_s_per_1000"], head["reference_cpu_s_per_1000"])
    return {
        "lost_is_0": head["lost"] == 0,
        "deliveries_vs_reference": rate,
        "deliveries_at_least_0_8": rate is not None and rate >= 0.8,
        "p99_vs_reference": p99,
        "p99_at_most_2x": p99 is not None and p99 <= 2.0,
        "cpu_vs_reference": cpu,
        "cpu_at_most_2x": cpu is not None and cpu <= 2.0,
    }


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.4f}" if abs(value) < 1 else f"{value:,.1f}"
    return str(value)


TABLE_COLUMNS = (
    ("deliv/s", "deliveries_per_s"),
    ("bcast p50", "broadcast_p50_ms"),
    ("p99 ms", "broadcast_p99_ms"),
    ("ack p99", "ack_p99_ms"),
    ("e2e p99", "end_to_end_p99_ms"),
    ("lost", "lost"),
    ("cpu s/1k", "cpu_s_per_1000"),
    ("KB/conn", "memory_per_connection_kb"),
    ("client", "client_cpu_share"),
)


def table(results: dict[str, dict[str, Any]]) -> str:
    """The scenarios beside the reference; each column as wide as its widest cell, two spaces
    apart, so wide numbers never run together."""
    rows: list[list[str]] = []
    for name, result in results.items():
        for side, prefix in (("platform", ""), ("reference", "reference_")):
            label = name if side == "platform" else ""
            cells = [_cell(result.get(prefix + key)) for _title, key in TABLE_COLUMNS]
            rows.append([label, side, *cells])
    titles = ["scenario", "server", *(title for title, _key in TABLE_COLUMNS)]
    widths = [max(len(row[i]) for row in [titles, *rows]) for i in range(len(titles))]

    def line(cells: list[str]) -> str:
        left = "  ".join(c.ljust(w) for c, w in zip(cells[:2], widths[:2], strict=True))
        right = "".join("  " + c.rjust(w) for c, w in zip(cells[2:], widths[2:], strict=True))
        return left + right

    header = line(titles)
    lines = [header, "-" * len(header)]
    indent = " " * (widths[0] + 2)
    for (name, result), n in zip(results.items(), range(0, len(rows), 2), strict=True):
        lines += [line(rows[n]), line(rows[n + 1])]
        if name == "saturation":
            lines.append(
                f"{indent}max accepted bids/s within p99 ≤ 250 ms, nothing lost: platform "
                f"{result.get('max_accepted_bids_per_s')}, reference "
                f"{result.get('reference_max_accepted_bids_per_s')}"
            )
        if "targets" in result:
            lines.append(f"{indent}{name} targets: {json.dumps(result['targets'])}")
    lines.append(
        "cpu s/1k: server CPU-seconds per 1,000 deliveries (platform: its daphne processes; "
        "whole stack in the JSON); client: the load process's CPU share (≥ 0.9: it was the limit)"
    )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    out = (
        Path(argv[1])
        if len(argv) > 1 and not argv[1].startswith("--")
        else BENCH / "bench_rooms.json"
    )
    profile = "--profile" in argv or os.environ.get("BENCH_ROOMS_PROFILE") == "1"
    scenarios = _selected("BENCH_ROOMS_SCENARIOS", SCENARIOS)
    targets = _selected("BENCH_ROOMS_TARGETS", ("platform", "reference"))
    BENCH.mkdir(parents=True, exist_ok=True)
    work = BENCH / "rooms-work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    context = {
        "command": " ".join([sys.executable, "-m", "tests.bench.bench_rooms", *argv[1:]]),
        "machine": machine(),
        "taskset": {
            "servers": f"CPU {SERVER_CPUS}",
            "postgresql": os.environ.get("BENCH_ROOMS_PG_CPU", SERVER_CPUS),
            "load_client": "CPU 1",
        },
        "seconds": SECONDS,
        "platform_settings": (
            "config.settings.stack (with the production connection pool)"
            if os.environ.get("BENCH_ROOMS_POOL", "1") != "0"
            else "config.settings.stack (STACK_DB_POOL=0: no connection pool)"
        ),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    started = time.monotonic()
    os.sched_setaffinity(0, CLIENT_CPUS)
    platform: dict[str, Any] = {}
    lots = reference_lots()
    if "platform" in targets:
        platform, lots = platform_runs(scenarios, work, profile)
    reference = reference_runs(scenarios, work, lots) if "reference" in targets else {}
    results = {
        name: scenario_json(name, platform.get(name), reference.get(name), context)
        for name in scenarios
    }
    for name, result in results.items():
        (BENCH / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    whole = {**context, "run_seconds": round(time.monotonic() - started, 1), "scenarios": results}
    out.write_text(json.dumps(whole, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(results))
    print(f"bench_rooms: {whole['run_seconds']} s; JSON in {out} and var/bench/<scenario>.json")


if __name__ == "__main__":
    main(sys.argv)
