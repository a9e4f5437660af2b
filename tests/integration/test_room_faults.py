"""Rooms survive faults of the production-like stack (tests/stack.py: HAProxy before two daphne
processes on one Redis, PostgreSQL the record): a killed server, the whole stack stopped, Redis
restarted. Each client's applied events are checked, seq by seq, against the database."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from bidding.models.auctions import Auction, AuctionBid, PlatformHeartbeat, PlatformOutage
from bidding.models.rooms import RoomEvent
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
    shown,
    timed_sale,
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


async def _all_at(clients: list[RoomClient], seq: int) -> None:
    for client in clients:
        await client.wait_seq(seq, timeout=30)


async def _event(client: RoomClient, kind: str) -> dict[str, Any]:
    """The client's first applied event of `kind`, once it has it."""
    while True:
        for event in client.events:
            if event["kind"] == kind:
                return event
        await asyncio.sleep(0.1)


async def _beaten_after(moment: datetime) -> None:
    """Until the platform's heartbeat is later than `moment` (it runs, on record)."""

    def beaten() -> bool:
        try:
            return PlatformHeartbeat.objects.filter(beat_at__gt=moment).exists()
        finally:
            connection.close()

    while not await asyncio.to_thread(beaten):
        await asyncio.sleep(0.2)


STOP_ENV = {"AUCTION_HEARTBEAT_SECONDS": "1", "CHRONOGRAPH_TICK_SECONDS": "1"}


async def _reconnected(clients: list[RoomClient], before: list[dict[str, Any] | None]) -> None:
    """Until every client is back with a fresh snapshot (the stack came back)."""
    while any(c.snapshot is old for c, old in zip(clients, before, strict=True)):
        await asyncio.sleep(0.1)


def test_a_short_stop_of_the_whole_stack_keeps_the_end_time_and_the_room_resumes(
    tmp_path: Path,
) -> None:
    sale = timed_sale(countdown_seconds=120)
    joined = room_events(sale.lot.pk)[-1][0]
    # Shorter than the outage setting, start-up included: no outage, the countdown stands.
    env = {**STOP_ENV, "AUCTION_OUTAGE_SECONDS": "40"}
    with Stack(tmp_path, database_url=stack_database_url(), env=env) as stack:

        async def scenario() -> tuple[list[RoomClient], list[dict[str, Any]], str, str]:
            clients = await room_clients(stack, sale.lot.pk, [*sale.cookies, None])
            first = await clients[0].bid(shown(clients[0])["minimum"])
            assert first["type"] == "ack", first
            await asyncio.wait_for(_beaten_after(timezone.now()), 30)  # the platform is up
            await _all_at(clients, await room_last_seq(sale.lot.pk))
            ends = clients[2].events[-1]["payload"]["ends_at"]
            before = [client.snapshot for client in clients]
            await asyncio.to_thread(stack.stop)
            await asyncio.sleep(1)
            await asyncio.to_thread(stack.start)
            await asyncio.wait_for(_reconnected(clients, before), 30)
            # The room comes back from the database with the same end time, and takes bids.
            assert {shown(client)["ends_at"] for client in clients} == {ends}
            second = await clients[1].bid(shown(clients[1])["minimum"], timeout=30)
            assert second["type"] == "ack", second
            await _all_at(clients, await room_last_seq(sale.lot.pk))
            for client in clients:
                await client.close()
            return clients, [first, second], ends, clients[2].events[-1]["payload"]["ends_at"]

        clients, answers, ends, later = asyncio.run(scenario())

    auction = Auction.objects.get(lot=sale.lot)
    assert auction.phase == "timed" and auction.suspended_reason == ""
    assert not PlatformOutage.objects.exists()
    assert later > ends  # the second bid restarted the countdown, from the same end before it
    events = room_events(sale.lot.pk)
    assert [kind for _seq, kind, _payload in events if _seq > joined] == ["bid", "bid"]
    assert_applied_in_order(clients, events, after=joined)
    assert_bids_counted_once(sale.lot.pk, answers)


def test_a_stop_longer_than_the_outage_setting_suspends_and_resumes_with_a_fresh_countdown(
    tmp_path: Path,
) -> None:
    countdown = 8
    sale = timed_sale(countdown_seconds=countdown)
    joined = room_events(sale.lot.pk)[-1][0]
    env = {**STOP_ENV, "AUCTION_OUTAGE_SECONDS": "3", "AUCTION_RESUME_NOTICE_SECONDS": "10"}
    with Stack(tmp_path, database_url=stack_database_url(), env=env) as stack:

        async def scenario() -> tuple[list[RoomClient], list[dict[str, Any]], dict[str, Any]]:
            clients = await room_clients(stack, sale.lot.pk, [*sale.cookies, None])
            first = await clients[0].bid(shown(clients[0])["minimum"])
            assert first["type"] == "ack", first
            await _all_at(clients, await room_last_seq(sale.lot.pk))
            ends = datetime.fromisoformat(clients[2].events[-1]["payload"]["ends_at"])
            await asyncio.wait_for(_beaten_after(timezone.now()), 30)  # the platform is up
            await asyncio.to_thread(stack.stop)
            # Down until the countdown has run out, far longer than the outage setting.
            await asyncio.sleep((ends - timezone.now()).total_seconds() + 1)
            await asyncio.to_thread(stack.start)
            # The chronograph's close finds the outage: suspended, resumption announced.
            suspended = await asyncio.wait_for(_event(clients[2], "suspended"), 30)
            resumes_at = datetime.fromisoformat(suspended["payload"]["resumes_at"])
            early = await clients[1].bid(shown(clients[1])["minimum"], timeout=30)
            assert early["type"] == "error" and early["code"] == "not_started", early
            await asyncio.sleep((resumes_at - timezone.now()).total_seconds() + 0.5)
            resumed = await clients[1].bid(shown(clients[1])["minimum"], timeout=30)
            assert resumed["type"] == "ack", resumed
            await _all_at(clients, await room_last_seq(sale.lot.pk))
            for client in clients:
                await client.close()
            # The fresh countdown runs from the announced time, after the old end.
            fresh = datetime.fromisoformat(suspended["payload"]["ends_at"])
            assert fresh == resumes_at + timedelta(seconds=countdown) and resumes_at > ends
            return clients, [first, early, resumed], suspended

        clients, answers, suspended = asyncio.run(scenario())

    outage = PlatformOutage.objects.get()
    assert (outage.ended_at - outage.started_at).total_seconds() > countdown
    event = RoomEvent.objects.get(room__key=f"auction:{sale.lot.pk}", kind="suspended")
    notice = datetime.fromisoformat(suspended["payload"]["resumes_at"]) - event.at
    assert notice == timedelta(seconds=10)  # announced in advance, AUCTION_RESUME_NOTICE_SECONDS
    # The bid after the announced time started a fresh countdown from it.
    bid = AuctionBid.objects.get(
        auction__lot=sale.lot, idempotency_key=answers[2]["idempotency_key"]
    )
    auction = Auction.objects.get(lot=sale.lot)
    assert auction.phase == "timed" and auction.closed_at is None
    assert auction.ends_at == bid.placed_at + timedelta(seconds=countdown)
    events = room_events(sale.lot.pk)
    assert [kind for seq, kind, _payload in events if seq > joined] == ["bid", "suspended", "bid"]
    assert_applied_in_order(clients, events, after=joined)
    assert_bids_counted_once(sale.lot.pk, answers)


def test_bids_taken_while_redis_restarts_are_kept_and_every_room_catches_up(
    tmp_path: Path,
) -> None:
    sale = live_sale()
    cookies: list[str | None] = [*bidder_cookies(sale), None, None, None]  # 3 watchers
    with Stack(tmp_path, database_url=stack_database_url(), celery=False) as stack:

        async def scenario() -> tuple[Bidding, list[RoomClient], int, int]:
            clients = await room_clients(stack, sale.lot.pk, cookies)
            bidding = Bidding(clients[:3], step=sale.auction.step, start=sale.auction.start_price)
            flow = asyncio.create_task(bidding.run())
            await asyncio.sleep(2)
            restart = asyncio.create_task(asyncio.to_thread(stack.redis_restart, 4.0))
            await asyncio.sleep(1)
            before_outage = len(bidding.answers)
            await asyncio.sleep(1.5)
            # Bidding stops while Redis is still down: the last bids reach no one live.
            bidding.stop.set()
            await flow
            during = len(bidding.answers) - before_outage
            await restart
            # No bid after Redis is back: the rooms still catch up with the database.
            final = await room_last_seq(sale.lot.pk)
            await _all_at(clients, final)
            # And the rooms are live again: a new bid reaches every client.
            for bidder in clients[:3]:  # (the leader may not bid against itself)
                answer = await bidder.bid(str(bidding.next_amount(bidder)))
                bidding.answers.append(answer)
                if answer["type"] == "ack":
                    break
            await _all_at(clients, await room_last_seq(sale.lot.pk))
            for client in clients:
                await client.close()
            return bidding, clients, during, final

        bidding, clients, during, final = asyncio.run(scenario())

    assert during > 0  # bids were answered while Redis was down
    assert bidding.answers[-1]["type"] == "ack"
    events = room_events(sale.lot.pk)
    assert events[-1][0] == final + 1
    assert_applied_in_order(clients, events)
    assert_bids_counted_once(sale.lot.pk, bidding.answers)
