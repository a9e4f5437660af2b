"""A wrong DATABASE_URL or an unreachable Redis stops start-up with one line naming the setting."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXIT_MISCONFIGURED = 2


def free_port() -> int:
    """A local port nothing listens on (connecting to it is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A Redis that answers: make test's own, or one started for these tests."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = shutil.which("redis-server")
    assert server, "redis-server is needed (make install-system-run installs it)"
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'preflight.sqlite3'}"


def run_manage(
    *args: str, env: dict[str, str], cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_one_line_naming(result: subprocess.CompletedProcess[str], setting: str) -> str:
    lines = result.stderr.splitlines()
    assert result.returncode == EXIT_MISCONFIGURED, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tianping: ")
    assert setting in lines[0]
    return lines[0]


def test_preflight_passes_when_the_database_and_redis_answer(sqlite_url: str, redis_url: str):
    result = run_manage("preflight", env={"DATABASE_URL": sqlite_url, "REDIS_URL": redis_url})

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "ok" in result.stdout


@pytest.mark.parametrize(
    "database_url",
    [
        "nonsense",
        "postgres//tianping@127.0.0.1/tianping",
        "postgres://tianping@127.0.0.1:notaport/tianping",
        "mysql://tianping@127.0.0.1/tianping",
    ],
)
def test_a_malformed_database_url_is_one_line_naming_it(database_url: str, redis_url: str):
    result = run_manage("preflight", env={"DATABASE_URL": database_url, "REDIS_URL": redis_url})

    assert_one_line_naming(result, "DATABASE_URL")


def test_an_unreachable_postgresql_names_the_setting_the_address_and_the_cause(redis_url: str):
    port = free_port()
    database_url = f"postgres://tianping:secret@127.0.0.1:{port}/tianping"

    result = run_manage("preflight", env={"DATABASE_URL": database_url, "REDIS_URL": redis_url})

    line = assert_one_line_naming(result, "DATABASE_URL")
    assert line == (
        f"tianping: DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:{port} "
        "(connection refused)"
    )


def test_a_sqlite_database_in_a_missing_folder_names_the_setting(tmp_path: Path, redis_url: str):
    database_url = f"sqlite:///{tmp_path / 'missing' / 'folder' / 'db.sqlite3'}"

    result = run_manage("preflight", env={"DATABASE_URL": database_url, "REDIS_URL": redis_url})

    line = assert_one_line_naming(result, "DATABASE_URL")
    assert "SQLite" in line


def test_an_unreachable_redis_names_the_setting_the_address_and_the_cause(sqlite_url: str):
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"

    result = run_manage("preflight", env={"DATABASE_URL": sqlite_url, "REDIS_URL": redis_url})

    line = assert_one_line_naming(result, "REDIS_URL")
    assert line == f"tianping: REDIS_URL: cannot reach Redis at {redis_url} (connection refused)"


@pytest.mark.parametrize("redis_url", ["http://127.0.0.1:6390/0", "127.0.0.1:6390"])
def test_a_malformed_redis_url_is_one_line_naming_it(sqlite_url: str, redis_url: str):
    result = run_manage("preflight", env={"DATABASE_URL": sqlite_url, "REDIS_URL": redis_url})

    line = assert_one_line_naming(result, "REDIS_URL")
    assert "not a Redis URL" in line


def test_a_redis_password_is_never_printed(sqlite_url: str):
    redis_url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"

    result = run_manage("preflight", env={"DATABASE_URL": sqlite_url, "REDIS_URL": redis_url})

    line = assert_one_line_naming(result, "REDIS_URL")
    assert "hunter2" not in line
    assert ":***@127.0.0.1" in line


def test_an_unreachable_celery_broker_names_its_own_setting(sqlite_url: str, redis_url: str):
    broker_url = f"redis://127.0.0.1:{free_port()}/1"

    result = run_manage(
        "preflight",
        env={"DATABASE_URL": sqlite_url, "REDIS_URL": redis_url, "CELERY_BROKER_URL": broker_url},
    )

    assert_one_line_naming(result, "CELERY_BROKER_URL")


def test_run_starts_no_server_when_preflight_fails(tmp_path: Path):
    """config/bin/run checks before daphne and Celery start, whose own failures are tracebacks."""
    base = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env = {
        **base,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # set: run starts no Redis of its own
        "PORT": str(free_port()),
        "TIANPING_VAR_DIR": str(tmp_path / "var"),
    }

    result = subprocess.run(
        [str(ROOT / "config" / "bin" / "run")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )

    line = assert_one_line_naming(result, "REDIS_URL")
    assert "cannot reach Redis" in line
    assert "Tianping is running" not in result.stdout
    assert not (tmp_path / "var" / "log" / "daphne.log").exists()
