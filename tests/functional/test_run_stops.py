"""`make run` stops everything it started, whenever it is stopped, and says so.

config/bin/run is started in its own process group, as a terminal starts a command, and the whole
group is signalled as Ctrl-C does, at several moments of its start-up and of its stop. Every process
it started carries TIANPING_VAR_DIR in its environment: none may survive, and "stopped" is printed.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.make_run_alone import WAIT_TIMEOUT, make_run_alone  # noqa: F401

# Each starts the whole of `make run` (Redis, two daphnes, three Celery processes): one worker
# runs them one after another, so that two never compete for the cores while stopping.
pytestmark = [
    pytest.mark.xdist_group("make_run"),
    pytest.mark.usefixtures("make_run_alone"),
    pytest.mark.timeout(WAIT_TIMEOUT),
]

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "config" / "bin" / "run"
# What the test run sets for itself and a person's `make run` would not have.
NOT_INHERITED = {
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "SECRET_KEY",
    "DEBUG",
    "TIANPING_DEMO",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def processes_of(run: Run) -> list[str]:
    """Every live process the run started: by its environment, its session or its Redis port.

    Each server leads a session of its own (setsid), which its children share; Redis rewrites its
    process title over its environment, so it is recognised by its port as well.
    """
    marker = f"TIANPING_VAR_DIR={run.var}".encode() + b"\0"
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone meanwhile
            continue
        state, session = fields[0], int(fields[3])
        if state == "Z":
            continue
        if (
            marker in environ
            or session in run.sessions
            or command.startswith(f"redis-server 127.0.0.1:{run.redis_port}")
        ):
            found.append(f"{entry.name} {command[:100]}")
    return found


def children_of(parent: int) -> list[int]:
    """The processes whose parent is `parent`, zombies included."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                found.append(int(entry.name))
    return found


def _interruptible() -> None:
    # pytest-xdist's workers ignore SIGINT, and an ignored signal stays ignored across exec: bash
    # could then not even trap it, and Ctrl-C would never reach `make run`.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Run:
    """config/bin/run in a process group of its own, its output collected line by line."""

    def __init__(self, var: Path, port: int, redis_port: int) -> None:
        env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
        env.update(PORT=str(port), TIANPING_REDIS_PORT=str(redis_port), TIANPING_VAR_DIR=str(var))
        self.var, self.port, self.redis_port = var, port, redis_port
        self.sessions: set[int] = set()
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [str(RUN)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            process_group=0,
            preexec_fn=_interruptible,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for_line(self, pattern: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not any(re.search(pattern, line) for line in self.lines):
            assert self.process.poll() is None, f"run ended early:\n{self.output}"
            assert time.monotonic() < deadline, f"no line matching {pattern!r}:\n{self.output}"
            time.sleep(0.02)

    def wait_for_home_page(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"run ended early:\n{self.output}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=10) as page:
                    assert page.status == 200
                    return
            except OSError:
                assert time.monotonic() < deadline, f"the home page never answered:\n{self.output}"
                time.sleep(0.05)

    def note_sessions(self) -> None:
        """The sessions of the servers started so far, from the pid files run writes."""
        for pid_file in (self.var / "run").glob("*.pid"):
            self.sessions.add(int(pid_file.read_text().split()[0]))

    def signal_group(self, number: signal.Signals) -> None:
        self.note_sessions()
        os.killpg(self.process.pid, number)

    def log_tails(self, lines: int = 5) -> str:
        """The last lines of every server's log: which one is still shutting down, and why."""
        tails = []
        for log in sorted((self.var / "log").glob("*.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            tails.append(f"---- {log.name}\n" + "\n".join(text))
        return "\n".join(tails)

    def script_state(self) -> str:
        """Where config/bin/run is stuck: its kernel wait channel, signal masks and children."""
        lines = []
        for pid in [self.process.pid, *children_of(self.process.pid)]:
            try:
                status = Path(f"/proc/{pid}/status").read_text().splitlines()
                wchan = Path(f"/proc/{pid}/wchan").read_text()
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            wanted = ("State", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt")
            fields = [line for line in status if line.split(":")[0] in wanted]
            lines.append(f"{pid} {command[:60]!r} wchan={wchan} " + " ".join(fields))
        return "\n".join(lines)

    def wait(self, timeout: float = 60) -> int:
        try:
            status = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"run did not end within {timeout} s:\n{self.output}\n"
                f"still running: {processes_of(self)}\n{self.script_state()}\n{self.log_tails()}"
            )
        self._reader.join(timeout=5)
        return status


@pytest.fixture(scope="module")
def var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One var/ folder for the module: the first run migrates and seeds, the others start fast."""
    return tmp_path_factory.mktemp("run") / "var"


@pytest.fixture
def runs(var: Path) -> Iterator[list[Run]]:
    """The runs a test starts; whatever a failed test left behind is killed afterwards."""
    started: list[Run] = []
    yield started
    for run in started:
        if run.process.poll() is None:
            run.process.kill()
        run.note_sessions()
        for line in processes_of(run):
            with contextlib.suppress(OSError):
                os.kill(int(line.split()[0]), signal.SIGKILL)


@pytest.fixture
def ports() -> tuple[int, int]:
    return free_port(), free_port()


def assert_stopped_cleanly(run: Run, var: Path) -> None:
    status = run.wait()
    survivors = processes_of(run)
    assert survivors == [], f"left running: {survivors}\n{run.output}"
    assert run.lines[-1] == "run: stopped", run.output
    assert status == 0, run.output
    assert not (var / "run" / "run.lock").exists()
    assert sorted(path.name for path in (var / "run").glob("*.pid")) == []


@pytest.mark.parametrize(
    ("moment", "number"),
    [
        ("first output line", signal.SIGINT),
        ("preparing the database", signal.SIGINT),
        ("home page answers", signal.SIGINT),
        ("home page answers", signal.SIGTERM),
        # The demo accounts are still being listed: the same TERM kills the lister while the
        # script waits for it, which once left bash waiting forever for an exit it had lost.
        ("address printed", signal.SIGTERM),
    ],
    ids=["INT-first-line", "INT-preparing", "INT-home-page", "TERM-home-page", "TERM-listing"],
)
def test_a_stop_at_any_moment_of_start_up_stops_everything(
    var: Path, runs: list[Run], ports: tuple[int, int], moment: str, number: signal.Signals
) -> None:
    run = Run(var, *ports)
    runs.append(run)
    if moment == "first output line":
        run.wait_for_line(".")
    elif moment == "address printed":
        run.wait_for_line("^  logs: ")
    elif moment == "preparing the database":
        run.wait_for_line("^run: preparing the database")
        time.sleep(0.5)  # migrate, collectstatic and the demo data take seconds
    else:
        run.wait_for_home_page()

    run.signal_group(number)

    assert_stopped_cleanly(run, var)


@pytest.mark.parametrize(
    "second", [signal.SIGINT, signal.SIGTERM], ids=["INT then INT", "INT then TERM"]
)
def test_a_second_signal_while_stopping_still_stops_everything(
    var: Path, runs: list[Run], ports: tuple[int, int], second: signal.Signals
) -> None:
    run = Run(var, *ports)
    runs.append(run)
    run.wait_for_home_page()

    run.signal_group(signal.SIGINT)
    run.wait_for_line("^run: stopping")
    run.signal_group(second)

    assert_stopped_cleanly(run, var)


def test_the_next_run_stops_what_a_killed_run_left_behind(
    var: Path, runs: list[Run], ports: tuple[int, int]
) -> None:
    first = Run(var, *ports)
    runs.append(first)
    first.wait_for_home_page()
    first.wait_for_line("Press Ctrl-C to stop")
    os.kill(first.process.pid, signal.SIGKILL)  # no cleanup at all, as `kill -9` or a crash
    first.wait()
    first.note_sessions()
    left = processes_of(first)
    assert len(first.sessions) == 5, left  # Redis, daphne, two workers and beat

    second = Run(var, *ports)
    runs.append(second)
    # (The first run's daphne answers on the same port until the second stops it.)
    second.wait_for_line("Press Ctrl-C to stop")
    for name in ("redis-server", "daphne", "celery-fast", "celery-slow", "celery-beat"):
        assert re.search(rf"run: stopping {name} \(pid \d+\) left over", second.output), (
            second.output
        )
    still = {line.split()[0] for line in processes_of(first)}
    assert not still & {line.split()[0] for line in left}, still
    second.signal_group(signal.SIGINT)

    assert_stopped_cleanly(second, var)
