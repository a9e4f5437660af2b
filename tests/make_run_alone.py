"""One `make run` at a time across pytest-xdist's workers.

`--dist loadgroup` should keep the tests that start the whole platform on one worker, yet a
fresh-clone run once started two at once on two workers, and both then took over 90 s to start.
An exclusive lock on a file all workers share makes that impossible whatever the scheduler does.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator

import pytest

# Waiting for the other worker's module (a few runs of about 20 s each) counts against the test.
WAIT_TIMEOUT = 900


@pytest.fixture(scope="module")
def make_run_alone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Hold the lock for the whole module: its runs share one var/ folder and start one by one."""
    # Under xdist each worker's base temp is popen-gwN inside the run's shared folder.
    shared = tmp_path_factory.getbasetemp().parent
    with open(shared / "make-run.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
