"""What the HTTP benches share: the real server started as `make run` starts it, Apache's `ab`
against it, and the PostgreSQL client programs (tests/bench/bench_portal_http.py,
tests/bench/bench_supervision_http.py)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=Path("/usr/bin"))


def pg_args(url: str) -> list[str]:
    """The connection arguments of pg_dump, pg_restore and psql for a DATABASE_URL."""
    parts = urlsplit(url)
    return [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
        "-d",
        parts.path.lstrip("/"),
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(database_url: str, work: Path, processes: int) -> Iterator[str]:
    """The platform served by config/bin/serve-http as `make run` starts it; yields its address."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "TIANPING_DEMO", "SECRET_KEY"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE=os.environ.get("BENCH_HTTP_SETTINGS", "tests.bench.http_settings"),
        DATABASE_URL=database_url,
        TIANPING_VAR_DIR=str(work / "var"),
        TIANPING_DEMO="false",
    )
    log = (work / f"server-{port}.log").open("wb")
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "python"),
            "config/bin/serve-http",
            "127.0.0.1",
            str(port),
            str(processes),
            ".venv/bin/daphne",
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/bench/ping/", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((work / f"server-{port}.log").read_text()[-3000:]) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
        log.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to measure (or a lost session to report), not one to follow."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


# Redirects come back as HTTPError (302 and its Set-Cookie headers included).
opener = urllib.request.build_opener(NoRedirect)


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def cold_ms(url: str, cookies: dict[str, str] | None = None) -> float:
    """One GET of `url` (with `cookies`), in milliseconds; anything but a 200 is an error."""
    request = urllib.request.Request(url)  # noqa: S310 - our server
    if cookies:
        request.add_header("Cookie", cookie_header(cookies))
    started = time.perf_counter()
    with opener.open(request, timeout=120) as response:
        response.read()
        assert response.status == 200, (url, response.status)
    return round((time.perf_counter() - started) * 1000, 1)


_AB_FIELDS = {
    "pages_per_second": re.compile(r"^Requests per second:\s+([\d.]+)", re.M),
    "failed": re.compile(r"^Failed requests:\s+(\d+)", re.M),
    "length_varied": re.compile(r"Length: (\d+)", re.M),
    "non_2xx": re.compile(r"^Non-2xx responses:\s+(\d+)", re.M),
    "p50_ms": re.compile(r"^\s+50%\s+(\d+)", re.M),
    "p95_ms": re.compile(r"^\s+95%\s+(\d+)", re.M),
    "p99_ms": re.compile(r"^\s+99%\s+(\d+)", re.M),
    "max_ms": re.compile(r"^\s+100%\s+(\d+)", re.M),
}


def ab(
    url: str, concurrency: int, requests: int, cookies: dict[str, str] | None = None
) -> dict[str, float]:
    """`ab -c concurrency -n requests url`: pages per second and latency percentiles (ms).

    A page whose length differs from the first one's (a date, a masked CSRF token) is counted by
    `ab` as failed: that is reported as `length_varied`, not an error; a non-2xx answer is one."""
    command = ["ab", "-q", "-c", str(concurrency), "-n", str(requests), "-s", "60"]
    for name, value in (cookies or {}).items():
        command += ["-C", f"{name}={value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    row: dict[str, float] = {}
    for name, pattern in _AB_FIELDS.items():
        match = pattern.search(done.stdout)
        row[name] = float(match.group(1)) if match else 0.0
    if row["failed"] > row["length_varied"] or row["non_2xx"]:
        raise RuntimeError(f"{url}: failed or non-2xx responses\n{done.stdout}")
    return row
