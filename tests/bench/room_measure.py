"""What the rooms bench reads of the processes it measures: CPU seconds and resident memory from
/proc, the machine it ran on, and the reference server started and stopped (Linux only)."""

from __future__ import annotations

import contextlib
import os
import platform
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: Iterable[int]) -> float:
    """utime + stime of the processes (those gone count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return total / TICKS


def rss_kb(pids: Iterable[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def descendants(roots: Iterable[int]) -> list[int]:
    """The processes and all their children (Celery's pool, PostgreSQL's backends)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    todo = list(roots)
    while todo:
        pid = todo.pop()
        if pid in found:
            continue
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def postgres_pid() -> int | None:
    """The service PostgreSQL's postmaster (config/bin/with-services), if this run has one."""
    services = os.environ.get("TIANPING_SERVICES_DIR")
    if not services:
        return None
    pidfile = Path(services) / "pg" / "postmaster.pid"
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int(pidfile.read_text().split()[0])
    return None


def pin(pids: Iterable[int], cpus: set[int]) -> None:
    """Move running processes (every thread) to `cpus`; their later children inherit it."""
    for pid in pids:
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                with contextlib.suppress(OSError):
                    os.sched_setaffinity(int(task.name), cpus)


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def reference_server(cpus: str, workdir: Path) -> Iterator[tuple[str, int]]:
    """tests/bench/room_reference.py on `cpus`; yields (ws base URL, pid)."""
    port = _free_port()
    log = (workdir / "reference.log").open("ab")
    process = subprocess.Popen(
        ["taskset", "-c", cpus, sys.executable, "-m", "tests.bench.room_reference", str(port)],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError((workdir / "reference.log").read_text())
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"ws://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@contextlib.contextmanager
def profiler(pid: int, seconds: float, out: Path) -> Iterator[None]:
    """py-spy sampling one process for `seconds` (raw collapsed stacks into `out`)."""
    spy = ROOT / ".venv" / "bin" / "py-spy"
    process = subprocess.Popen(
        [
            str(spy),
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(max(1, int(seconds))),
            "--format",
            "raw",
            "--nonblocking",
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield
    finally:
        try:
            process.wait(timeout=seconds + 30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def profile_top(raw: Path, limit: int = 30) -> str:
    """The top functions of py-spy's collapsed stacks: by own samples and by inclusive samples."""
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _space, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        own[frames[-1]] = own.get(frames[-1], 0) + count
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count
    lines = [
        f"py-spy samples: {total} (every thread py-spy does not see idle: a worker thread"
        " waiting for PostgreSQL's answer or for the lot's lock counts, so read it as wall time"
        " of the busy threads, not CPU)",
        "",
        "own time (the function itself):",
    ]
    for frame, count in sorted(own.items(), key=lambda kv: -kv[1])[:limit]:
        lines.append(f"{100 * count / max(total, 1):6.1f}%  {frame}")
    lines += ["", "inclusive (the function and what it calls):"]
    for frame, count in sorted(inclusive.items(), key=lambda kv: -kv[1])[:limit]:
        lines.append(f"{100 * count / max(total, 1):6.1f}%  {frame}")
    ours = ("(bidding/", "(trading/", "(notices/", "/channels/", "/daphne/")
    lines += ["", "inclusive, the platform's code and Channels/daphne only:"]
    mine = {frame: count for frame, count in inclusive.items() if any(o in frame for o in ours)}
    for frame, count in sorted(mine.items(), key=lambda kv: -kv[1])[:limit]:
        lines.append(f"{100 * count / max(total, 1):6.1f}%  {frame}")
    return "\n".join(lines) + "\n"
