"""Rooms survive faults of the production-like stack (tests/stack.py: HAProxy before two daphne
processes on one Redis, PostgreSQL the record): a killed server, the whole stack stopped, Redis
restarted. Each client's applied events are checked, seq by seq, against the database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bidding.models.auctions import AuctionBid
from bidding.room_client import RoomClient
from tests.room_stack import (
    Bidding,
    assert_applied_in_order,
    assert_bids_counted_once,
    bidder_cookies,
    client_server,
    live_sale,
    room_clients,
    room_events,
    room_last_seq,
)
from tests.stack import Stack, stack_database_url

# One stack at a time on a worker: four Django servers each, on a machine of few cores.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.xdist_group("room_stack"),
    pytest.mark.django_db(transaction=True),
]


def test_clients_of_a_killed_server_resume_on_the_other_and_miss_no_bid(tmp_path: Path) -> None:
    sale = live_sale()
    cookies: list[str | None] = [*bidder_cookies(sale), None, None, None]  # 3 watchers
    with Stack(tmp_path, database_url=stack_database_url(), celery=False) as stack:

        async def scenario() -> tuple[Bidding, list[RoomClient], list[str]]:
            clients = await room_clients(stack, sale.lot.pk, cookies)
            servers = [client_server(stack, client) for client in clients]
            assert set(servers) == {"daphne0", "daphne1"}, servers  # leastconn spread them
            bidding = Bidding(clients[:3], step=sale.auction.step, start=sale.auction.start_price)
            flow = asyncio.create_task(bidding.run())
            await asyncio.sleep(3)
            # The first bidder's next bid is in flight on its server when that server dies.
            bidding.armed = 0
            await bidding.in_flight.wait()
            await asyncio.to_thread(stack.daphne_kill, int(servers[0].removeprefix("daphne")))
            await asyncio.sleep(4)  # bids go on, on the other server
            bidding.stop.set()
            await flow
            final = await room_last_seq(sale.lot.pk)
            for client in clients:
                await client.wait_seq(final, timeout=15)
            for client in clients:
                await client.close()
            return bidding, clients, servers

        bidding, clients, servers = asyncio.run(scenario())

    events = room_events(sale.lot.pk)
    print(
        len(events),
        bidding.struck,
        [c.reconnects for c in clients],
        [c.duplicates for c in clients],
        servers,
    )
    assert len(events) >= 10  # bids flowed before and after the kill
    # The killed server's clients came back (through HAProxy, to the other); the others stayed.
    moved = [client.reconnects > 0 for client in clients]
    assert moved == [server == servers[0] for server in servers]
    assert_applied_in_order(clients, events)
    # The bid in flight was answered (sent again with its key) and counted once, like every bid.
    assert bidding.struck is not None and bidding.struck["type"] == "ack", bidding.struck
    key = bidding.struck["idempotency_key"]
    assert AuctionBid.objects.filter(auction__lot=sale.lot, idempotency_key=key).count() == 1
    assert_bids_counted_once(sale.lot.pk, bidding.answers)
