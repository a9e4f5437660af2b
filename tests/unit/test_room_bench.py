"""The rooms bench's arithmetic (tests/bench/room_load.py): percentiles, loss and duplicates."""

from __future__ import annotations

from tests.bench.room_load import latency_ms, lost_count, percentile


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]  # 1..100
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([7.0, 3.0, 5.0], 0.5) == 5.0  # unsorted input
    assert percentile([4.0], 0.99) == 4.0
    assert percentile([], 0.5) is None


def test_one_slow_delivery_in_a_hundred_shows_at_p99_not_p95() -> None:
    pairs = [(0.0, 0.010)] * 98 + [(0.0, 0.500), (0.0, 0.600)]
    figures = latency_ms(pairs)
    assert figures["p50"] == 10.0
    assert figures["p95"] == 10.0
    assert figures["p99"] == 500.0
    assert figures["max"] == 600.0


def test_every_seq_after_the_snapshot_must_arrive_once() -> None:
    assert lost_count(10, 15, [11, 12, 13, 14, 15]) == (0, 0)
    assert lost_count(10, 15, [11, 13, 15]) == (2, 0)  # 12 and 14 never came
    assert lost_count(10, 15, [11, 12, 12, 13, 14, 15, 15]) == (0, 2)
    # Events the snapshot covers (≤ 10) or after the room's last are neither lost nor counted.
    assert lost_count(10, 12, [9, 10, 11, 12, 13]) == (0, 0)
    assert lost_count(10, 12, []) == (2, 0)
    assert lost_count(12, 12, []) == (0, 0)
