"""Where a supervisor's request may write trading data: inside the intervention and complaint
services only (管办分离). A test-time guard reads `supervision_writes_open()`."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["supervision_writes", "supervision_writes_open"]

_OPEN: contextvars.ContextVar[bool] = contextvars.ContextVar("supervision_writes", default=False)


@contextmanager
def supervision_writes() -> Iterator[None]:
    """Entered by the services a regulator may call; marks their writes as the lawful ones."""
    token = _OPEN.set(True)
    try:
        yield
    finally:
        _OPEN.reset(token)


def supervision_writes_open() -> bool:
    return _OPEN.get()
