"""The rooms bench's arithmetic (tests/bench/room_load.py): percentiles, loss and duplicates."""

from __future__ import annotations

import asyncio

from tests.bench.room_load import Room, RoomSocket, latency_ms, lost_count, percentile, summarize


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


def test_a_run_counts_each_clients_missing_events_and_its_latencies() -> None:
    """Two watchers of one room, events 6..8 after their snapshot at 5: one got all three, the
    other missed 7; a bid's ack came 20 ms after it was sent."""

    async def run() -> dict[str, object]:
        room = Room(url="ws://127.0.0.1:1/ws/lots/1/auction/")
        room.sent = {"k1": 100.0}
        room.sent_amount = {"1000000.00": 100.0}
        room.acks = [(100.0, 100.020)]
        room.seq_amount = {6: "1000000.00"}
        sockets = []
        for got in ([6, 7, 8], [6, 8]):
            sock = RoomSocket(room, "127.0.0.1:1", "/ws/lots/1/auction/", None, "http://x")
            sock.snapshot = {"type": "snapshot", "seq": 5}
            # Published at 100.0 + seq/100, received 10 ms later.
            sock.deliveries = [(seq, 100.0 + seq / 100 + 0.010, 100.0 + seq / 100) for seq in got]
            sockets.append(sock)
        return summarize(sockets, {id(room): 5}, {id(room): 8}, (100.0, 101.0))

    figures = asyncio.run(run())
    assert figures["deliveries"] == 5
    assert figures["lost"] == 1
    assert figures["duplicates"] == 0
    assert figures["broadcast_p99_ms"] == 10.0
    assert figures["ack_p50_ms"] == 20.0
    assert figures["bids_accepted"] == 1
    # The bid of event 6 was sent at 100.0; both clients got that event 70 ms later.
    assert figures["end_to_end_p50_ms"] == 70.0


def test_the_table_keeps_wide_numbers_apart() -> None:
    """A six-figure rate beside a three-figure p50 stays two cells, not '445,712.3657.4'."""
    from tests.bench.bench_rooms import TABLE_COLUMNS, table

    wide = {
        "deliveries_per_s": 445712.3,
        "broadcast_p50_ms": 657.4,
        "broadcast_p99_ms": 1234567.0,
        "reference_deliveries_per_s": 25016.9,
        "reference_broadcast_p50_ms": 3.3,
    }
    lines = table({"hot_room_fanout": wide}).splitlines()
    platform, reference = lines[2], lines[3]
    assert "445,712.3" in platform.split()
    assert "657.4" in platform.split()
    assert "1,234,567.0" in platform.split()
    # Every column is a cell of its own on both rows (label, side, then one per column).
    assert len(platform.split()) == 2 + len(TABLE_COLUMNS)
    assert len(reference.split()) == 1 + len(TABLE_COLUMNS)
    assert len(platform) == len(reference) == len(lines[0])
