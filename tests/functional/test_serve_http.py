"""`make run` serves HTTP with several daphne processes on one port (config/bin/serve-http): each
copy answers, a stop reaches every copy, and one copy dying stops the rest, so `config/bin/run`
sees one server that runs whole or not at all."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live_daphne import ROOT, embedded_env, free_port

PROCESSES = 2


class Served:
    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def status_of(self, path: str) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    var = tmp_path / "var"
    var.mkdir()
    env = embedded_env(var)
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    port = free_port()
    log = var / "serve-http.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/python"),
                "config/bin/serve-http",
                "127.0.0.1",
                str(port),
                str(PROCESSES),
                ".venv/bin/daphne",
                "config.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(process, port, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text()
            try:
                served.status_of("/accounts/login/")
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield served
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def gone(pids: list[int], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(Path(f"/proc/{pid}").exists() for pid in pids):
            return True
        time.sleep(0.1)
    return False


def test_several_daphne_processes_answer_on_one_port_and_stop_together(served: Served) -> None:
    children = served.children()
    assert len(children) == PROCESSES, served.log.read_text()
    assert [served.status_of("/accounts/login/") for _ in range(10)] == [200] * 10

    served.process.send_signal(signal.SIGTERM)

    assert served.process.wait(timeout=30) == 0
    assert gone(children, within=10)
    with pytest.raises(OSError):
        served.status_of("/accounts/login/")


def test_one_copy_dying_stops_the_others_and_the_launcher_reports_it(served: Served) -> None:
    first, *others = served.children()

    os.kill(first, signal.SIGKILL)

    assert served.process.wait(timeout=30) != 0
    assert gone(others, within=10)
    assert "exited" in served.log.read_text()
