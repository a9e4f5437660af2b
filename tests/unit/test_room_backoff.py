"""The room client's reconnect schedule: exponential, capped, fully jittered (room_client.py)."""

from __future__ import annotations

import random

import pytest

from bidding.room_client import backoff_delay


def test_the_bound_doubles_from_the_initial_delay_up_to_the_cap() -> None:
    bounds = [backoff_delay(attempt, 0.2, 5.0, rand=lambda: 1.0) for attempt in range(8)]
    assert bounds == pytest.approx([0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0])


def test_full_jitter_draws_anywhere_below_the_bound() -> None:
    assert backoff_delay(3, 0.2, 5.0, rand=lambda: 0.0) == 0.0
    assert backoff_delay(3, 0.2, 5.0, rand=lambda: 0.5) == pytest.approx(0.8)
    draws = random.Random(14)
    delays = [backoff_delay(4, 0.2, 5.0, rand=draws.random) for _ in range(2000)]
    assert all(0.0 <= delay < 3.2 for delay in delays)
    # Spread over the window, not bunched: each quarter of it gets a fair share of the clients.
    quarters = [sum(q * 0.8 <= d < (q + 1) * 0.8 for d in delays) for q in range(4)]
    assert min(quarters) > 400, quarters


def test_a_client_that_retries_for_ever_stays_at_the_cap() -> None:
    assert backoff_delay(10_000, 0.2, 5.0, rand=lambda: 1.0) == 5.0


def test_a_negative_attempt_is_refused() -> None:
    with pytest.raises(ValueError):
        backoff_delay(-1, 0.2, 5.0)
