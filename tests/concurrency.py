"""Running the same database work in several threads at once, started together."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def in_threads[T](count: int, target: Callable[[], T], *, timeout: float = 60) -> list[T]:
    """Run `target` in `count` threads released together; their results, or the first error."""
    results: list[T] = []
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run() -> None:
        try:
            start.wait()
            results.append(target())
        except BaseException as exc:  # surfaced in the test thread below
            errors.append(exc)
        finally:
            # Each thread has its own connection; leaving it open would block the test database.
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not errors, errors
    assert len(results) == count, "a thread did not finish in time"
    return results
