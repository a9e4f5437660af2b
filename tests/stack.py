"""A production-like stack on loopback for the fault tests and the benchmark.

Its own redis-server, N daphne processes (config.asgi, each on a port of its own), HAProxy in front
of them (the one address clients use: leastconn, health checks every 250 ms, a connection refused
by a dead server retried on another) and, optionally, a Celery worker and beat (the chronograph
closes auctions). Every server runs `config.settings.stack` on the given PostgreSQL database, with
the real clock. Logs, the HAProxy configuration and Redis' folder are in `workdir`; the log of a
process that dies during start-up is shown in the error.

    with Stack(tmp_path, database_url=url, env={"AUCTION_OUTAGE_SECONDS": "3"}) as stack:
        stack.ws_url  # ws://127.0.0.1:PORT, through HAProxy
        stack.daphne_kill(0)  # kill -9; stack.daphne_start(0) brings it back on its port
        stack.redis_restart(down_seconds=2)
        stack.stop(); stack.start()  # the whole stack; the database stays

`database_url` in pytest: `stack_database_url()` (the test database, which the servers can only
read if the test commits: `django_db(transaction=True)`).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
HAPROXY = "/usr/sbin/haproxy"
REDIS = "redis-server"
START_SECONDS = 90.0  # a Django start-up on a busy two-core machine, several at once
STOP_GRACE_SECONDS = 5.0
# The test run's own settings stay out of the servers'.
NOT_INHERITED = {
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "PYTEST_XDIST_WORKER",
    "PYTEST_XDIST_WORKER_COUNT",
    "PYTEST_CURRENT_TEST",
    "CELERY_BROKER_URL",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stack_database_url() -> str:
    """The database this pytest process uses (its test database), as a URL for the servers."""
    from django.conf import settings

    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + settings.DATABASES["default"]["NAME"]))


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class _Process:
    name: str  # also its log's name: workdir/NAME.log
    command: list[str]
    port: int | None = None  # listening here once ready (None: ready when started)
    popen: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = field(default=None, repr=False)
    told: bool = False  # the stack signalled it: its exit is no failure

    @property
    def died(self) -> bool:
        """It exited without being told to (a crash, not a fault the test made)."""
        return self.popen is not None and self.popen.poll() is not None and not self.told

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


class StackError(RuntimeError):
    """A server of the stack did not start or died; the message ends with its log."""


class Stack:
    """Redis, N daphne, HAProxy and (optionally) Celery, started and stopped as one."""

    def __init__(
        self,
        workdir: Path,
        *,
        database_url: str,
        daphnes: int = 2,
        celery: bool = True,
        env: dict[str, str] | None = None,
        cpus: str | None = None,
    ) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.cpus = cpus
        # Ports are chosen once: HAProxy's configuration and the clients' URLs outlive restarts.
        self.redis_port = free_port()
        self.proxy_port = free_port()
        self.daphne_ports = [free_port() for _ in range(daphnes)]
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.http_url = f"http://127.0.0.1:{self.proxy_port}"
        self.ws_url = f"ws://127.0.0.1:{self.proxy_port}"
        self.env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.settings.stack",
            DATABASE_URL=database_url,
            REDIS_URL=self.redis_url,
            CELERY_BROKER_URL=self.redis_url,
            TIANPING_CLOCK="trading.clock.system_clock",
            MESSAGE_LOG_FILE=str(self.workdir / "messages.jsonl"),
            PYTHONUNBUFFERED="1",
        )
        self.env.update(env or {})
        python = sys.executable
        self.redis = _Process(
            "redis",
            [
                REDIS,
                *("--port", str(self.redis_port), "--bind", "127.0.0.1"),
                *("--dir", str(self.workdir), "--save", "", "--appendonly", "no"),
                *("--daemonize", "no", "--logfile", "", "--maxclients", "10000"),
            ],
            port=self.redis_port,
        )
        self.daphnes = [
            _Process(
                f"daphne{index}",
                [
                    *(python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)),
                    *("--proxy-headers", "config.asgi:application"),
                ],
                port=port,
            )
            for index, port in enumerate(self.daphne_ports)
        ]
        config = self.workdir / "haproxy.cfg"
        config.write_text(self._haproxy_config())
        self.haproxy = _Process(
            "haproxy", [HAPROXY, "-db", "-f", str(config)], port=self.proxy_port
        )
        self.celery: list[_Process] = []
        if celery:
            # One worker takes both queues (make run starts one per queue): the chronograph's
            # ticks are all these tests need, and a Django start-up less on two cores.
            self.celery = [
                _Process(
                    "celery-worker",
                    [
                        *(python, "-m", "celery", "-A", "config", "worker"),
                        *("--queues", "fast,slow", "--hostname", f"stack{self.proxy_port}@%h"),
                        *("--pool", "threads", "--concurrency", "2", "--loglevel", "INFO"),
                    ],
                ),
                _Process(
                    "celery-beat",
                    [
                        *(python, "-m", "celery", "-A", "config", "beat"),
                        *("--schedule", str(self.workdir / "celerybeat-schedule")),
                        "--loglevel",
                        "INFO",
                    ],
                ),
            ]

    # --- the whole stack ------------------------------------------------------------------

    def start(self) -> None:
        """Start whatever is not running: Redis, the daphne processes, HAProxy, Celery."""
        try:
            self._start(self.redis)
            self._wait_redis()
            for process in self.daphnes:
                self._start(process)
            self._start(self.haproxy)
            for process in self.celery:
                self._start(process)
            self._wait_listening([*self.daphnes, self.haproxy])
            self._wait_backends_up()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every process (TERM, then KILL after a grace); Redis last. Idempotent."""
        first = [*self.celery, self.haproxy, *self.daphnes]
        for process in first:
            self._signal(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in first:
            self._reap(process, deadline)
        self._signal(self.redis, signal.SIGTERM)
        self._reap(self.redis, time.monotonic() + STOP_GRACE_SECONDS)

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        died = self.died()
        self.stop()
        # A test that failed, or a server that crashed under it: their logs say why.
        for name in died or ([p.name for p in self._processes()] if error else []):
            tail = "\n".join(self.log(name).splitlines()[-30:])
            print(f"---- {self.workdir / name}.log ends:\n{tail}", file=sys.stderr)
        if died and error is None:
            raise StackError(f"{', '.join(died)} exited during the test (logs above)")

    def died(self) -> list[str]:
        """The processes that exited without the stack telling them to."""
        return [process.name for process in self._processes() if process.died]

    def _processes(self) -> list[_Process]:
        return [self.redis, *self.daphnes, self.haproxy, *self.celery]

    # --- faults ---------------------------------------------------------------------------

    def daphne_pids(self) -> list[int]:
        return [p.popen.pid for p in self.daphnes if p.popen is not None and p.running]

    def server_pids(self) -> dict[str, list[int]]:
        """Running processes by kind (daphne, redis, haproxy, celery): for CPU and memory."""
        kinds = {
            "daphne": self.daphnes,
            "redis": [self.redis],
            "haproxy": [self.haproxy],
            "celery": self.celery,
        }
        return {
            kind: [p.popen.pid for p in processes if p.popen is not None and p.running]
            for kind, processes in kinds.items()
        }

    def daphne_kill(self, index: int, sig: int = signal.SIGKILL) -> None:
        """Send `sig` (kill -9 by default) to one daphne process and wait until it has exited."""
        process = self.daphnes[index]
        self._signal(process, sig)
        self._reap(process, time.monotonic() + STOP_GRACE_SECONDS)

    def daphne_start(self, index: int) -> None:
        """Start daphne `index` again on its port; returns once HAProxy routes to it."""
        process = self.daphnes[index]
        self._start(process)
        self._wait_listening([process])
        self._wait_backends_up()

    def redis_restart(self, down_seconds: float = 0.0) -> None:
        """Stop Redis (its data goes: nothing is saved), wait `down_seconds`, start it again."""
        self._signal(self.redis, signal.SIGKILL)
        self._reap(self.redis, time.monotonic() + STOP_GRACE_SECONDS)
        time.sleep(down_seconds)
        self._start(self.redis)
        self._wait_redis()

    def proxy_sessions(self) -> dict[int, str]:
        """The daphne each client connection is on, by the client's port (HAProxy's sessions)."""
        sessions = {}
        for line in self._ask_haproxy(b"show sess").splitlines():
            found = re.search(r" src=127\.0\.0\.1:(\d+) fe=web be=daphne srv=(daphne\d+)", line)
            if found:
                sessions[int(found[1])] = found[2]
        return sessions

    def log(self, name: str) -> str:
        """The log of process `name` (redis, daphne0, haproxy, celery-worker, celery-beat)."""
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- processes ------------------------------------------------------------------------

    def _start(self, process: _Process) -> None:
        if process.running:
            return
        if process.log is not None:
            process.log.close()
        process.log = (self.workdir / f"{process.name}.log").open("ab")
        process.log.write(f"---- {time.strftime('%H:%M:%S')} start\n".encode())
        process.log.flush()
        command = process.command
        if self.cpus is not None:
            command = ["taskset", "-c", self.cpus, *command]
        # Its own session: a signal to the group reaches a worker's children, and the test's
        # Ctrl-C does not reach the servers before the stack stops them in order.
        process.told = False
        process.popen = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=process.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _signal(self, process: _Process, sig: int) -> None:
        if process.popen is None or process.popen.poll() is not None:
            return
        process.told = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.popen.pid, sig)

    def _reap(self, process: _Process, deadline: float) -> None:
        if process.popen is None:
            return
        try:
            process.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self._signal(process, signal.SIGKILL)
            process.popen.wait(timeout=10)
        # What the group left behind (a prefork child).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.popen.pid, signal.SIGKILL)
        if process.log is not None:
            process.log.close()
            process.log = None

    def _died(self, process: _Process) -> StackError:
        assert process.popen is not None
        tail = "\n".join(self.log(process.name).splitlines()[-40:])
        return StackError(
            f"{process.name} exited with status {process.popen.returncode}; "
            f"{self.workdir / process.name}.log ends:\n{tail}"
        )

    def _check_alive(self, processes: list[_Process]) -> None:
        for process in processes:
            if process.popen is not None and process.popen.poll() is not None:
                raise self._died(process)

    def _wait_redis(self) -> None:
        deadline = time.monotonic() + 20
        while not _redis_answers(self.redis_port):
            self._check_alive([self.redis])
            if time.monotonic() > deadline:
                raise StackError("redis-server did not answer within 20 s")
            time.sleep(0.05)

    def _wait_listening(self, processes: list[_Process]) -> None:
        deadline = time.monotonic() + START_SECONDS
        waiting = [p for p in processes if p.port is not None]
        while waiting:
            self._check_alive([*processes, *self.celery])
            waiting = [p for p in waiting if p.port is not None and not _listening(p.port)]
            if waiting and time.monotonic() > deadline:
                names = ", ".join(p.name for p in waiting)
                raise StackError(f"{names} did not listen within {START_SECONDS:.0f} s")
            time.sleep(0.1)

    def _wait_backends_up(self) -> None:
        """Wait until HAProxy routes to every running daphne (up after `rise` checks)."""
        running = sum(p.running for p in self.daphnes)
        deadline = time.monotonic() + 20
        while self._backends_up() < running:
            self._check_alive([self.haproxy])
            if time.monotonic() > deadline:
                raise StackError("HAProxy did not mark the daphne processes up within 20 s")
            time.sleep(0.05)

    def _ask_haproxy(self, command: bytes) -> str:
        """HAProxy's answer on its stats socket ("" while it is not up)."""
        try:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.settimeout(2)
                sock.connect(str(self.workdir / "haproxy.sock"))
                sock.sendall(command + b"\n")
                data = b""
                while chunk := sock.recv(65536):
                    data += chunk
        except OSError:
            return ""
        return data.decode(errors="replace")

    def _backends_up(self) -> int:
        rows = [line.split(",") for line in self._ask_haproxy(b"show stat").splitlines()]
        return sum(1 for row in rows if len(row) > 17 and row[0] == "daphne" and row[17] == "UP")

    def _haproxy_config(self) -> str:
        servers = "\n".join(
            f"    server daphne{index} 127.0.0.1:{port} check"
            for index, port in enumerate(self.daphne_ports)
        )
        return f"""\
# Generated by tests/stack.py: HAProxy in front of the stack's daphne processes.
global
    log stdout format raw daemon
    # Two descriptors a connection, within the 20,000 this machine allows a process.
    maxconn 8000
    stats socket {self.workdir / "haproxy.sock"} mode 600 level admin

defaults
    mode http
    log global
    option httplog
    option dontlognull
    # A connection a dead server refuses is retried, on another server (redispatch).
    option redispatch 1
    retries 3
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    # An upgraded WebSocket is a tunnel: it stays open as long as the room does.
    timeout tunnel 1h
    timeout client-fin 1s
    timeout http-request 10s
    option forwardfor

frontend web
    bind 127.0.0.1:{self.proxy_port}
    default_backend daphne

backend daphne
    # A WebSocket lives long: the least loaded server, not the next in turn, takes a new one.
    balance leastconn
    # Checked every 250 ms: a killed process is out of rotation within half a second.
    default-server inter 250ms fastinter 100ms downinter 250ms fall 2 rise 1
    default-server on-marked-down shutdown-sessions
{servers}
"""
