"""Fixtures of the integration tests (services on PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.fixture
def require_postgres() -> None:
    """Fail, never skip, a test that needs PostgreSQL's locking when it runs on anything else."""
    if connection.vendor != "postgresql":
        pytest.fail(
            "this test needs PostgreSQL (locks, lock_timeout, concurrency); run it under "
            "config/bin/with-services, or deselect it with -m 'not postgres'",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _postgres_marker_guard(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres") is not None:
        request.getfixturevalue("require_postgres")
