"""The test-time write guard of 管办分离: a request handled by a supervision route writes to a
trading or bidding table only inside the intervention and complaint services.

Every test runs with it (tests/conftest.py imports the fixture): a view under `supervision/` that
inserts, updates or deletes a `trading_` or `bidding_` row outside `supervision_writes()` fails the
request and the test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.handlers.base import BaseHandler
from django.db import connections
from django.http import HttpRequest

from trading.write_scope import supervision_writes_open

_WRITE = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?((?:trading|bidding)_\w+)', re.I
)


# Caches of what the selectors compute, which the console keeps current as it reads: writing them
# changes no fact of a transaction (trading.selectors.lights).
_DERIVED = frozenset({"trading_lotlight"})


class SupervisionWriteError(AssertionError):
    """A supervision request wrote trading data outside the intervention and complaint services."""


def _guarded(func: Callable[..., Any], seen: list[str]) -> Callable[..., Any]:
    def guard(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        match = _WRITE.match(sql)
        if match and match.group(1) not in _DERIVED and not supervision_writes_open():
            seen.append(sql)
            raise SupervisionWriteError(
                f"a supervision view wrote {match.group(1)} outside the intervention and "
                f"complaint services: {sql[:200]}"
            )
        return execute(sql, params, many, context)

    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        with connections["default"].execute_wrapper(guard):
            return func(request, *args, **kwargs)

    return view


@pytest.fixture(autouse=True)
def _supervision_write_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    seen: list[str] = []
    resolve = BaseHandler.resolve_request

    def resolve_request(self: BaseHandler, request: HttpRequest) -> Any:
        match = resolve(self, request)
        if (match.route or "").startswith("supervision/"):
            match.func = _guarded(match.func, seen)
        return match

    monkeypatch.setattr(BaseHandler, "resolve_request", resolve_request)
    yield seen
    assert not seen, f"supervision views wrote trading data directly: {seen}"
