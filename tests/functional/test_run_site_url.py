"""`make run` tells every process it starts the address it serves at (SITE_URL from PORT), so PDFs
rendered by the slow worker, feeds served by daphne and e-mail print that address."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.functional import test_run_stops as run_stops
from tests.functional.test_run_stops import Run, assert_stopped_cleanly, free_port
from tests.make_run_alone import WAIT_TIMEOUT, make_run_alone  # noqa: F401

# Each starts the whole of `make run` (Redis, two daphnes, three Celery processes): one worker
# runs them one after another, so that two never compete for the cores while stopping.
pytestmark = [
    pytest.mark.xdist_group("make_run"),
    pytest.mark.usefixtures("make_run_alone"),
    pytest.mark.timeout(WAIT_TIMEOUT),
]

SERVERS = ("daphne", "celery-fast", "celery-slow", "celery-beat")


def _environment(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def _site_urls(run: Run) -> dict[str, str | None]:
    found = {}
    for name in SERVERS:
        pid = int((run.var / "run" / f"{name}.pid").read_text().split()[0])
        # The pid file is written by the subshell before it execs the server; until the exec its
        # environment is the one bash started with. Under load that moment can come late.
        deadline = time.monotonic() + 15
        while "SITE_URL" not in (environment := _environment(pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        found[name] = environment.get("SITE_URL")
    return found


@pytest.mark.parametrize("site_url", [None, "https://ggzy.example.cn"], ids=["port", "given"])
def test_every_server_of_make_run_gets_the_site_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, site_url: str | None
) -> None:
    # Without the demo data: this is about the environment, and the seed takes minutes.
    monkeypatch.setattr(run_stops, "NOT_INHERITED", run_stops.NOT_INHERITED - {"TIANPING_DEMO"})
    monkeypatch.setenv("TIANPING_DEMO", "false")
    if site_url:
        monkeypatch.setenv("SITE_URL", site_url)
    else:
        monkeypatch.delenv("SITE_URL", raising=False)
    port = free_port()
    run = Run(tmp_path / "var", port, free_port())
    try:
        run.wait_for_line(r"^Started in \d+ s", timeout=180)
        expected = site_url or f"http://127.0.0.1:{port}"
        assert _site_urls(run) == dict.fromkeys(SERVERS, expected)
        public = [line for line in run.lines if "public:" in line]
        assert public == (
            [f"  public: {site_url}/ (SITE_URL: printed in documents, feeds, OCDS, e-mail)"]
            if site_url
            else []
        )
    finally:
        if run.process.poll() is None:
            run.signal_group(signal.SIGINT)
    assert_stopped_cleanly(run, tmp_path / "var")
