"""The Python room client (bidding/room_client.py) against a real daphne on PostgreSQL: it follows
an auction room in order, fills a gap by resync, survives the server going away, resends a bid
whose answer was lost without bidding twice, and stops for good when the room refuses it."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from bidding.models import RoomEvent, RoomHead
from bidding.models.auctions import AuctionBid
from bidding.room_client import RoomClient, RoomClosed
from bidding.services.auction_bids import bid_place
from tests.auction_bidders import START, STEP, AuctionLot, auction_lot, new_key
from tests.conftest import ControlledClock
from tests.live_daphne import free_port
from tests.rooms import make_room_world, off_the_loop, room_daphne, session_cookie
from trading.clock import get_clock
from trading.models import Lot

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(120),
]


def _url(port: int, lot_id: int, room: str = "auction") -> str:
    return f"ws://127.0.0.1:{port}/ws/lots/{lot_id}/{room}/"


def _cookies(sale: AuctionLot) -> list[str]:
    return [session_cookie(user).decode() for user in sale.world.bidder_users]


def _amount(n: int) -> str:
    return f"{START + STEP * n:.2f}"


async def _in_thread[T](work: Callable[[], T]) -> T:
    """Database work off the event loop, in a thread with its own connection."""
    return await asyncio.to_thread(off_the_loop, work)


def _seqs(client: RoomClient) -> list[int]:
    return [event["seq"] for event in client.events]


async def _bid_in_turn(bidders: list[RoomClient], first: int, count: int) -> None:
    """`count` accepted bids, the bidders taking turns (none may raise its own bid)."""
    for n in range(first, first + count):
        answer = await bidders[n % 2].bid(_amount(n))
        assert answer["type"] == "ack", answer


@contextlib.asynccontextmanager
async def _clients(*clients: RoomClient) -> AsyncIterator[None]:
    try:
        for client in clients:
            await asyncio.wait_for(client.start(), 30)
        yield
    finally:
        for client in clients:
            await client.close()


def test_a_client_applies_the_snapshot_then_every_event_once_in_order(
    clock: ControlledClock, tmp_path: Path
) -> None:
    sale = auction_lot(phase="timed")
    first, second, _third = _cookies(sale)
    with room_daphne(tmp_path) as port:
        url = _url(port, sale.lot.pk)

        async def scenario() -> RoomClient:
            watcher = RoomClient(url, record=True)  # the public, not signed in
            bidders = [RoomClient(url, cookie=first), RoomClient(url, cookie=second)]
            async with _clients(watcher, *bidders):
                assert watcher.snapshot is not None and watcher.snapshot["seq"] == 0
                assert watcher.snapshot["seat"] == "public"
                # The public may not bid: told so at once, and nothing changes.
                refused = await watcher.bid(_amount(0))
                assert refused["type"] == "error" and refused["action"] == "bid", refused
                await _bid_in_turn(bidders, 0, 6)
                await watcher.wait_seq(6)
                # A bidder that joins late starts from the snapshot's seq, then follows live.
                late = RoomClient(url, cookie=first, record=True)
                async with _clients(late):
                    assert late.last_seq == 6 and late.snapshot["seq"] == 6  # type: ignore[index]
                    await _bid_in_turn(bidders, 6, 1)
                    await late.wait_seq(7)
                    assert _seqs(late) == [7]
                await _bid_in_turn(bidders, 7, 1)
                await watcher.wait_seq(8)
            return watcher

        watcher = asyncio.run(scenario())
    assert _seqs(watcher) == list(range(1, 9))
    assert [event["payload"]["amount"] for event in watcher.events] == [
        _amount(n) for n in range(8)
    ]
    assert [seq for seq, _at, _published in watcher.received] == list(range(1, 9))
    assert (watcher.duplicates, watcher.gaps, watcher.reconnects) == (0, 0, 0)


def _commit_without_publishing(key: str) -> int:
    """A room event committed whose broadcast never left (Redis blinked): only a resync has it."""
    with transaction.atomic():
        head, _created = RoomHead.objects.get_or_create(key=key)
        head = RoomHead.objects.select_for_update().get(pk=head.pk)
        head.seq += 1
        head.save(update_fields=["seq"])
        RoomEvent.objects.create(
            room=head, seq=head.seq, kind="test.lost", payload={}, at=get_clock()()
        )
        return head.seq


def test_a_gap_is_filled_by_a_resync_and_the_later_event_waits_for_it(
    clock: ControlledClock, tmp_path: Path
) -> None:
    sale = auction_lot(phase="timed")
    first, second, _third = _cookies(sale)
    key = f"auction:{sale.lot.pk}"
    with room_daphne(tmp_path) as port:
        url = _url(port, sale.lot.pk)

        async def scenario() -> RoomClient:
            watcher = RoomClient(url, record=True)
            bidders = [RoomClient(url, cookie=first), RoomClient(url, cookie=second)]
            async with _clients(watcher, *bidders):
                await _bid_in_turn(bidders, 0, 2)
                await watcher.wait_seq(2)
                lost = await _in_thread(lambda: _commit_without_publishing(key))
                assert lost == 3
                # The next bid arrives as event 4: the watcher sees the gap and asks for 3.
                await _bid_in_turn(bidders, 2, 1)
                await watcher.wait_seq(4)
            return watcher

        watcher = asyncio.run(scenario())
    assert [(e["seq"], e["kind"]) for e in watcher.events] == [
        (1, "bid"),
        (2, "bid"),
        (3, "test.lost"),
        (4, "bid"),
    ]
    assert watcher.gaps >= 1 and watcher.reconnects == 0


def test_a_server_that_goes_away_is_reconnected_and_nothing_is_missed(
    clock: ControlledClock, tmp_path: Path
) -> None:
    sale = auction_lot(phase="timed")
    first, second, _third = _cookies(sale)
    enrolment, actor = sale.enrolments[1], sale.world.bidder_users[1]  # bid 3 is its turn
    port = free_port()
    url = _url(port, sale.lot.pk)

    async def scenario() -> tuple[RoomClient, list[RoomClient]]:
        watcher = RoomClient(url, record=True, backoff_max=1.0)
        bidders = [
            RoomClient(url, cookie=cookie, record=True, backoff_max=1.0)
            for cookie in (first, second)
        ]
        with room_daphne(tmp_path, port=port):
            await watcher.start()
            for bidder in bidders:
                await bidder.start()
            await _bid_in_turn(bidders, 0, 3)
            await watcher.wait_seq(3)
        # The server is gone (its clients retry meanwhile); a bid made elsewhere (the HTTP
        # endpoint) commits while nobody can be told.
        await asyncio.sleep(0.5)
        assert watcher.last_seq == 3 and watcher.snapshot is not None
        missed = await _in_thread(
            lambda: bid_place(
                lot_id=sale.lot.pk,
                enrolment=enrolment,
                amount=_amount(3),
                idempotency_key=new_key(),
                actor=actor,
            )
        )
        assert missed.accepted and missed.seq == 4
        with room_daphne(tmp_path, port=port):
            # Back: every client reconnects on its own and resyncs from its last event.
            for client in (watcher, *bidders):
                await client.wait_seq(4, timeout=30)
            await _bid_in_turn(bidders, 4, 2)
            for client in (watcher, *bidders):
                await client.wait_seq(6)
            for client in (watcher, *bidders):
                await client.close()
        return watcher, bidders

    watcher, bidders = asyncio.run(scenario())
    for client in (watcher, *bidders):
        assert _seqs(client) == list(range(1, 7)), _seqs(client)
        assert client.reconnects >= 1 and client.duplicates == 0
    assert watcher.snapshot["seq"] >= 4  # type: ignore[index]  # the second server's snapshot


class _Cable:
    """A TCP relay between the clients and daphne that the test can cut, as a network drop."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.port = free_port()
        self._links: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> _Cable:
        self._server = await asyncio.start_server(self._link, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        self._links += [writer, up_writer]

        async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))

    def cut(self) -> None:
        """Every connection through the relay drops at once, both ways (no closing handshake)."""
        for writer in self._links:
            writer.transport.abort()
        self._links.clear()


def _hold_the_lot(lot_id: int, holding: threading.Event, release: threading.Event) -> None:
    """The lot's lock held (as a long bid would): bids queue behind it."""
    with transaction.atomic():
        Lot.objects.select_for_update().get(pk=lot_id)
        holding.set()
        release.wait(30)


def test_a_bid_whose_connection_dies_before_the_answer_is_resent_and_counted_once(
    clock: ControlledClock, tmp_path: Path
) -> None:
    sale = auction_lot(phase="timed")
    first, _second, _third = _cookies(sale)
    key = new_key()
    with room_daphne(tmp_path) as port:

        async def scenario() -> tuple[dict[str, Any], RoomClient]:
            async with _Cable(port) as cable:
                bidder = RoomClient(_url(cable.port, sale.lot.pk), cookie=first, record=True)
                async with _clients(bidder):
                    holding, release = threading.Event(), threading.Event()
                    holder = asyncio.create_task(
                        _in_thread(lambda: _hold_the_lot(sale.lot.pk, holding, release))
                    )
                    await asyncio.to_thread(holding.wait, 10)
                    bid = asyncio.create_task(bidder.bid(_amount(0), idempotency_key=key))
                    # The bid reaches the server and waits for the lot; then the network drops.
                    await asyncio.sleep(1.0)
                    assert not bid.done()
                    cable.cut()
                    await asyncio.sleep(0.3)
                    release.set()  # the first bid commits, with nobody left to tell
                    await holder
                    answer = await bid
                    await bidder.wait_seq(1)
            return answer, bidder

        answer, bidder = asyncio.run(scenario())
    # Answered once, with the first bid's number; one bid in the database, one event in the room.
    assert answer["type"] == "ack" and answer["idempotency_key"] == key, answer
    assert answer["bid_seq"] == 1 and answer["amount"] == _amount(0)
    assert bidder.reconnects >= 1
    assert list(AuctionBid.objects.filter(auction__lot=sale.lot).values_list("seq", "amount")) == [
        (1, Decimal(_amount(0)))
    ]
    assert _seqs(bidder) == [1]


def test_a_room_that_refuses_the_client_stops_it_with_a_clear_error(
    clock: ControlledClock, tmp_path: Path
) -> None:
    room = make_room_world()
    with room_daphne(tmp_path) as port:

        async def refused(url: str, cookie: str | None) -> RoomClient:
            client = RoomClient(url, cookie=cookie, backoff_initial=0.05)
            with pytest.raises(RoomClosed) as raised:
                await asyncio.wait_for(client.start(), 30)
            assert client.error is raised.value and raised.value.code == 403
            assert "403" in str(raised.value)
            # Final: it does not knock again, and what it is asked next fails at once.
            await asyncio.sleep(0.3)
            assert client.reconnects == 0
            with pytest.raises(RoomClosed):
                await client.bid(_amount(0))
            await client.close()
            return client

        async def scenario() -> None:
            # daphne answers a room's refusal before the handshake (4401/4403/4404) with 403.
            opening = _url(port, room.lot.pk, "opening")
            await refused(opening, room.cookies["other_owner"].decode())  # 4403: no seat
            await refused(opening, None)  # 4401: not signed in
            await refused(opening, room.cookies["stranger"].decode())  # 4404: not its lot
            await refused(_url(port, room.lot.pk), room.cookies["bidder1"].decode())  # no auction
            # The opening room's own bidder, for contrast, gets in.
            admitted = RoomClient(opening, cookie=room.cookies["bidder1"].decode())
            async with _clients(admitted):
                assert admitted.snapshot is not None and admitted.error is None

        asyncio.run(scenario())
