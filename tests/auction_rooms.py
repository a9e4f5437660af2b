"""Helpers of the auction room's tests: a land listing lot with its auction row and three
enrolled bidders whose deposits arrived, and the seats signed in to it."""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from channels.testing import WebsocketCommunicator

from bidding.models import Enrolment
from bidding.models.auctions import Auction
from bidding.services.deposits import deposit_account_open
from tests.deposits import bank_pay, enrol
from tests.factories import make_organisation, make_user
from tests.rooms import session_cookie
from tests.tenders import World, first_lot, make_tender, make_world
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


def make_auction_world(
    *,
    listing_for: timedelta = timedelta(hours=1),
    declaration_window: timedelta = timedelta(minutes=10),
    countdown_seconds: int = 240,
) -> AuctionWorld:
    """A published land listing lot in its listing period, three bidders enrolled and paid."""
    people = make_world(business_type="land")
    lot = first_lot(make_tender(people, name="竞价室测试"))
    now = get_clock()()
    enrolments = []
    for organisation, user in zip(people.bidders, people.bidder_users, strict=True):
        enrolment = enrol(lot, organisation, user)
        account = deposit_account_open(enrolment=enrolment, now=now)
        bank_pay(account.number, str(lot.deposit_amount))
        enrolments.append(enrolment)
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
    cookies = {seat: session_cookie(user) for seat, user in users.items()}
    return AuctionWorld(
        people=people, lot=lot, auction=auction, enrolments=enrolments, cookies=cookies
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


def matrix_auction(world: Any) -> Auction:
    """The matrix's published lot given a live auction (its first bidder enrolled), made once."""
    from tests.deposits import matrix_enrolment

    lot_id = matrix_enrolment(world).lot_id
    now = get_clock()()
    auction, _created = Auction.objects.get_or_create(
        lot_id=lot_id,
        defaults={
            "kind": "auction",
            "start_price": START,
            "step": STEP,
            "phase": "timed",
            "opens_at": now,
            "ends_at": now + timedelta(minutes=4),
        },
    )
    return auction
