"""`beyond_horizon`: a scheduled moment further ahead than a transaction can plausibly need."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.domain.timeline import SHANGHAI, beyond_horizon

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (NOW - timedelta(days=1), False),
        (NOW, False),
        (NOW + timedelta(days=730), False),
        (NOW + timedelta(days=730, microseconds=1), True),
        (NOW + timedelta(days=731), True),
        (datetime(9999, 12, 31, 23, 59, tzinfo=SHANGHAI), True),
        (datetime(1, 1, 1, tzinfo=UTC), False),
        # The same instant in another zone: four hours before the horizon.
        ((NOW + timedelta(days=730)).astimezone(UTC) - timedelta(hours=4), False),
    ],
    ids=["past", "now", "at-horizon", "just-beyond", "a-day-beyond", "year-9999", "year-1", "utc"],
)
def test_only_moments_more_than_the_horizon_ahead_are_beyond_it(
    moment: datetime, expected: bool
) -> None:
    assert beyond_horizon(moment, now=NOW, days=730) is expected


def test_no_horizon_overflows() -> None:
    far = datetime(9999, 12, 31, tzinfo=UTC)

    assert beyond_horizon(far, now=NOW, days=10**12) is False
    assert beyond_horizon(far, now=NOW, days=0) is True
    assert beyond_horizon(NOW + timedelta(seconds=1), now=NOW, days=0) is True


def test_naive_moments_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        beyond_horizon(datetime(2027, 1, 1), now=NOW, days=730)
    with pytest.raises(ValueError, match="aware"):
        beyond_horizon(NOW, now=datetime(2026, 1, 1), days=730)


@given(
    moment=st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ),
    days=st.integers(min_value=0, max_value=3_000_000),
)
def test_it_agrees_with_comparing_the_distance_to_the_horizon(moment: datetime, days: int) -> None:
    assert beyond_horizon(moment, now=NOW, days=days) is (moment - NOW > timedelta(days=days))
