"""Helpers of the auction room's tests: a land listing lot with its auction row and three
enrolled bidders whose deposits arrived, and the seats signed in to it."""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from channels.testing import WebsocketCommunicator

from bidding.models import Enrolment
from bidding.models.auctions import Auction
from bidding.services.auction_outages import auction_heartbeat
from bidding.services.deposits import deposit_account_open
from tests.conftest import ControlledClock
from tests.deposits import bank_pay, enrol
from tests.factories import make_organisation, make_user
from tests.notices import deliver_events
from tests.rooms import session_cookie
from tests.tenders import World, first_lot, make_tender, make_world, opens
from trading.chronograph import chronograph_tick
from trading.clock import get_clock
from trading.models import Lot

START = Decimal("1000000.00")
STEP = Decimal("10000.00")


@dataclass
class AuctionWorld:
    people: World
    lot: Lot
    auction: Auction
    enrolments: list[Enrolment]
    cookies: dict[str, bytes]  # seat name → the session cookie header


def _enrol_paid(lot: Lot, people: World) -> list[Enrolment]:
    now = get_clock()()
    enrolments = []
    for organisation, user in zip(people.bidders, people.bidder_users, strict=True):
        enrolment = enrol(lot, organisation, user)
        account = deposit_account_open(enrolment=enrolment, now=now)
        bank_pay(account.number, str(lot.deposit_amount))
        enrolments.append(enrolment)
    return enrolments


def _cookies(people: World) -> dict[str, bytes]:
    stranger = make_user(make_organisation("bidder", region=people.region))
    users = {
        "staff": people.staff,
        "supervisor": people.regulator,
        "other_regulator": people.other_regulator,
        "owner": people.owner_user,
        "bidder1": people.bidder_users[0],
        "bidder2": people.bidder_users[1],
        "bidder3": people.bidder_users[2],
        "stranger": stranger,
    }
    return {seat: session_cookie(user) for seat, user in users.items()}


def make_auction_world(
    *,
    listing_for: timedelta = timedelta(hours=1),
    declaration_window: timedelta = timedelta(minutes=10),
    countdown_seconds: int = 240,
) -> AuctionWorld:
    """A published land listing lot in its listing period, three bidders enrolled and paid
    (the auction row made here, whatever the lot's own schedule says)."""
    people = make_world(business_type="land")
    lot = first_lot(make_tender(people, name="竞价室测试"))
    now = get_clock()()
    enrolments = _enrol_paid(lot, people)
    auction = Auction.objects.create(
        lot=lot,
        kind="listing",
        direction="up",
        start_price=START,
        step=STEP,
        countdown_seconds=countdown_seconds,
        declaration_window_seconds=int(declaration_window.total_seconds()),
        phase="listing",
        opens_at=now,
        ends_at=now + listing_for,
    )
    return AuctionWorld(
        people=people, lot=lot, auction=auction, enrolments=enrolments, cookies=_cookies(people)
    )


def platform_tick(clock: ControlledClock) -> None:
    """The platform runs: the chronograph ticks, the outbox delivers what it emitted."""
    chronograph_tick(clock=clock)
    deliver_events(clock)


def platform_live_until(clock: ControlledClock, moment: datetime) -> None:
    """The platform stays up until `moment`: it beats every 20 s, as the room ticker does."""
    while clock.now < moment:
        clock.set(min(moment, clock.now + timedelta(seconds=20)))
        auction_heartbeat(clock.now)


def make_live_listing_world(clock: ControlledClock) -> AuctionWorld:
    """A land listing lot whose bidding opened: the platform set its auction up; three bidders
    enrolled and paid."""
    people = make_world(business_type="land")
    lot = first_lot(make_tender(people, procedure="listing", name="竞价室测试", estimate=START))
    clock.set(opens(lot) + timedelta(minutes=1))
    platform_tick(clock)
    enrolments = _enrol_paid(lot, people)
    lot.refresh_from_db()
    return AuctionWorld(
        people=people,
        lot=lot,
        auction=Auction.objects.get(lot=lot),
        enrolments=enrolments,
        cookies=_cookies(people),
    )


def auction_path(lot_id: int) -> str:
    return f"/ws/lots/{lot_id}/auction/"


# Frames a socket received while its test waited for something else, by socket.
_inbox: weakref.WeakKeyDictionary[WebsocketCommunicator, list[dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


async def act(socket: WebsocketCommunicator, message: dict[str, Any]) -> dict[str, Any]:
    """Send an action; the answer only the sender gets (ack or error). Events are kept."""
    await socket.send_json_to(message)
    while True:
        frame = json.loads(await socket.receive_from(timeout=10))
        if frame["type"] in ("ack", "error") and frame.get("action") == message["type"]:
            return frame
        if frame["type"] != "tick":
            _inbox.setdefault(socket, []).append(frame)


async def next_frame(socket: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    """The next frame of `kind` (kept or new), skipping ticks."""
    kept = _inbox.get(socket, [])
    for index, frame in enumerate(kept):
        if frame["type"] == kind:
            return kept.pop(index)
    while True:
        frame = json.loads(await socket.receive_from(timeout=10))
        if frame["type"] == kind:
            return frame
        if frame["type"] != "tick":
            _inbox.setdefault(socket, []).append(frame)
