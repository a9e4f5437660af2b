"""Helpers of the fault tests on the stack (tests/stack.py): a live sale on the real clock, the
room's clients through HAProxy, bidders that keep bidding, and the check of what each client
applied against the room's events in the database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from bidding.models.auctions import Auction, AuctionBid, PlatformHeartbeat, PlatformOutage
from bidding.models.rooms import RoomEvent
from bidding.room_client import RoomClient
from tests.auction_bidders import AuctionLot, auction_lot
from tests.auction_life import bidding_lot, tick
from tests.conftest import ControlledClock
from tests.rooms import session_cookie
from tests.stack import Stack
from tests.tenders import closes, make_world
from trading.clock import clock_freeze, clock_shift
from trading.models import Lot


def live_sale(**auction: Any) -> AuctionLot:
    """A land listing lot taking bids now, three bidders paid; the database clock then runs
    with real time, as the stack's servers' clock does."""
    clock_freeze(timezone.now())
    sale = auction_lot(**auction)
    clock_shift(0)
    return sale


@dataclass
class TimedSale:
    lot: Lot
    auction: Auction
    cookies: list[str]  # its two bidders'


def timed_sale(countdown_seconds: int) -> TimedSale:
    """A land auction lot in timed bidding (限时竞价) whose countdown runs from now, two bidders
    paid; the platform has not beaten yet (the stack's first beat starts its record).

    The lot goes through its life on a frozen clock sixty days back, reaches its auction, and
    the countdown is then moved to real time, where the stack's servers run.
    """
    clock = ControlledClock(timezone.now() - timedelta(days=60))
    world = make_world(business_type="land")
    lot = bidding_lot(world, clock, "auction", bidders=2)
    clock.set(closes(lot) + timedelta(seconds=1))
    tick(clock)
    now = timezone.now()
    Auction.objects.filter(lot=lot).update(
        opens_at=now,
        ends_at=now + timedelta(seconds=countdown_seconds),
        countdown_seconds=countdown_seconds,
    )
    PlatformHeartbeat.objects.all().delete()
    PlatformOutage.objects.all().delete()
    clock_shift(0)
    lot.refresh_from_db()
    assert lot.status == "auction"
    cookies = [session_cookie(user).decode() for user in world.bidder_users[:2]]
    return TimedSale(lot=lot, auction=Auction.objects.get(lot=lot), cookies=cookies)


def bidder_cookies(sale: AuctionLot) -> list[str]:
    return [session_cookie(user).decode() for user in sale.world.bidder_users]


def room_url(stack: Stack, lot_id: int) -> str:
    return f"{stack.ws_url}/ws/lots/{lot_id}/auction/"


async def room_clients(stack: Stack, lot_id: int, cookies: list[str | None]) -> list[RoomClient]:
    """One client per cookie (None: an anonymous watcher), each recording what it applies,
    connected one after the other (HAProxy's leastconn spreads them over the processes)."""
    clients = []
    for cookie in cookies:
        client = RoomClient(room_url(stack, lot_id), cookie=cookie, record=True, backoff_max=1.0)
        await client.start()
        clients.append(client)
    return clients


def shown(client: RoomClient) -> dict[str, Any]:
    """The client's latest snapshot (it has one once started)."""
    assert client.snapshot is not None, "the client has no snapshot"
    return client.snapshot


def client_server(stack: Stack, client: RoomClient) -> str:
    """The daphne process the client's connection is on (HAProxy's session of its port)."""
    ws = client._ws
    assert ws is not None, "the client is not connected"
    return stack.proxy_sessions()[ws.local_address[1]]


@dataclass
class Bidding:
    """Bidders bidding against each other as fast as their answers come, until stopped."""

    clients: list[RoomClient]
    step: Decimal
    start: Decimal
    answers: list[dict[str, Any]] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    # Set when bidder `armed` has sent a bid and waits for its answer (the fault strikes then).
    in_flight: asyncio.Event = field(default_factory=asyncio.Event)
    armed: int | None = None
    struck: dict[str, Any] | None = None  # the answer to the bid the fault struck

    def next_amount(self, client: RoomClient) -> Decimal:
        for event in reversed(client.events):
            if event["kind"] == "bid":
                return Decimal(event["payload"]["amount"]) + self.step
        price = (client.snapshot or {}).get("price")
        return Decimal(price) + self.step if price else self.start

    async def bidder(self, index: int) -> None:
        client = self.clients[index]
        while not self.stop.is_set():
            strike = self.armed == index and not self.in_flight.is_set()
            # The struck bid tops any a rival sends meanwhile: it is accepted, once.
            amount = self.next_amount(client) + (10 * self.step if strike else 0)
            task = asyncio.create_task(client.bid(str(amount), timeout=30))
            if strike:
                await asyncio.sleep(0)  # the bid's frame is written
                self.in_flight.set()
            answer = await task
            self.answers.append(answer)
            if strike:
                self.struck = answer
            # Bidders think a little: the room's rate guard (5 frames/s) is not under test.
            await asyncio.sleep(0.25)

    async def run(self) -> None:
        await asyncio.gather(*(self.bidder(i) for i in range(len(self.clients))))


async def room_last_seq(lot_id: int) -> int:
    """The room's last committed seq, read in a thread that closes its connection after."""

    def read() -> int:
        try:
            events = room_events(lot_id)
            return events[-1][0] if events else 0
        finally:
            connection.close()

    return await asyncio.to_thread(read)


def room_events(lot_id: int) -> list[tuple[int, str, dict[str, Any]]]:
    rows = RoomEvent.objects.filter(room__key=f"auction:{lot_id}").order_by("seq")
    return [(row.seq, row.kind, row.payload) for row in rows]


def assert_applied_in_order(
    clients: list[RoomClient], events: list[tuple[int, str, dict[str, Any]]], after: int = 0
) -> None:
    """Each client, which joined at seq `after`, applied every later event of the room once, in
    order, as committed."""
    committed = {seq: (kind, payload) for seq, kind, payload in events}
    last = events[-1][0] if events else after
    for number, client in enumerate(clients):
        seqs = [event["seq"] for event in client.events]
        assert seqs == list(range(after + 1, last + 1)), (number, seqs)
        for event in client.events:
            assert (event["kind"], event["payload"]) == committed[event["seq"]], (number, event)


def assert_bids_counted_once(lot_id: int, answers: list[dict[str, Any]]) -> None:
    """Every accepted answer is one bid in the database, and the database holds no other."""
    accepted = sorted((a["bid_seq"], a["idempotency_key"]) for a in answers if a["type"] == "ack")
    stored = list(
        AuctionBid.objects.filter(auction__lot_id=lot_id)
        .order_by("seq")
        .values_list("seq", "idempotency_key")
    )
    assert accepted == stored
