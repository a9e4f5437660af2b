"""The delivery retry schedule: exponential, never shrinking, capped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.domain.retry import BASE_SECONDS, CAP_SECONDS, MAX_ATTEMPTS, backoff_seconds

failures = st.integers(min_value=1, max_value=10_000)


@given(failures)
def test_backoff_never_shrinks_from_one_failure_to_the_next(n: int) -> None:
    assert backoff_seconds(n) <= backoff_seconds(n + 1)


@given(failures)
def test_backoff_is_positive_and_never_beyond_the_cap(n: int) -> None:
    assert BASE_SECONDS <= backoff_seconds(n) <= CAP_SECONDS


@given(failures, st.floats(min_value=0.1, max_value=100), st.floats(min_value=100, max_value=1e6))
def test_backoff_respects_any_base_and_cap(n: int, base: float, cap: float) -> None:
    assert base <= backoff_seconds(n, base=base, cap=cap) <= cap


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(1, 5), (2, 10), (3, 20), (10, 2560), (11, 3600), (MAX_ATTEMPTS, 3600)],
)
def test_backoff_doubles_from_five_seconds_up_to_an_hour(failures: int, seconds: float) -> None:
    assert backoff_seconds(failures) == seconds


def test_no_failure_has_no_backoff() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        backoff_seconds(0)
