"""Live auctions for the bid path's tests: a land listing lot with its auction row, bidders
enrolled with their deposits confirmed, and a bid or declaration posted as the page posts it.

The auction row is written here as the set-up (auclose's) writes it; the bids go through the URLs.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse

from bidding.models import Enrolment
from bidding.models.auctions import Auction, AuctionBid
from bidding.models.deposits import BankTransfer
from bidding.models.rooms import RoomEvent
from bidding.services.deposits import deposit_account_open
from tests.deposits import bank_pay
from tests.enrolments import enrol
from tests.sealed_bids import bidder_client
from tests.tenders import World, first_lot, make_tender, make_world
from trading.clock import get_clock
from trading.models import LedgerEntry, Lot, User

START = Decimal("1000000.00")
STEP = Decimal("10000.00")


@dataclass
class AuctionLot:
    """A lot with a running auction and its enrolled bidders (deposits confirmed unless told)."""

    world: World
    lot: Lot
    auction: Auction
    enrolments: list[Enrolment]
    clients: list[Client]
    # What the sale left behind before the step under test (auction_traces).
    traces: tuple[int, int, int] = (0, 0, 0)


def auction_row(
    lot: Lot,
    *,
    phase: str = "listing",
    opens_at: datetime | None = None,
    ends_at: datetime | None = None,
    start: Decimal = START,
    step: Decimal = STEP,
    whole_multiples: bool = False,
    direction: str = "up",
    floor: Decimal | None = None,
    declaration_window: timedelta = timedelta(minutes=10),
) -> Auction:
    """The lot's auction as the set-up writes it: listing (or timed) from now on."""
    now = get_clock()()
    opens_at = opens_at or now
    ends_at = ends_at or opens_at + (
        timedelta(days=10) if phase == "listing" else timedelta(minutes=4)
    )
    auction, _created = Auction.objects.update_or_create(
        lot=lot,
        defaults={
            "kind": "listing" if phase == "listing" else "auction",
            "direction": direction,
            "start_price": start,
            "step": step,
            "whole_multiples": whole_multiples,
            "floor": floor,
            "countdown_seconds": 240,
            "declaration_window_seconds": int(declaration_window.total_seconds()),
            "phase": phase,
            "opens_at": opens_at,
            "ends_at": ends_at,
        },
    )
    return auction


def deposit_confirm(enrolment: Enrolment) -> None:
    """The bidder pays its deposit in full through the (local) bank."""
    account = deposit_account_open(enrolment=enrolment, now=get_clock()())
    bank_pay(account.number, str(enrolment.lot.deposit_amount))


def auction_lot(*, paid: int = 3, **auction: Any) -> AuctionLot:
    """A land listing lot, its three bidders enrolled, the first `paid` of them with deposits."""
    world = make_world(business_type="land")
    lot = first_lot(make_tender(world, procedure="listing"))
    enrolments = [enrol(lot, bidder) for bidder in world.bidders]
    for enrolment in enrolments[:paid]:
        deposit_confirm(enrolment)
    return AuctionLot(
        world=world,
        lot=lot,
        auction=auction_row(lot, **auction),
        enrolments=enrolments,
        clients=[bidder_client(user) for user in world.bidder_users],
    )


def new_key() -> str:
    return secrets.token_hex(16)


def bid_json(client: Client, lot: Lot, amount: object, key: str | None = None) -> Any:
    """A bid as the page's script posts it (fetch, JSON)."""
    body = {"amount": amount, "idempotency_key": key if key is not None else new_key()}
    return client.post(
        reverse("auction_bid", args=[lot.pk]), json.dumps(body), content_type="application/json"
    )


def declare_json(client: Client, lot: Lot) -> Any:
    return client.post(
        reverse("auction_declare", args=[lot.pk]),
        "{}",
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


def auction_traces(lot: Lot) -> tuple[int, int, int]:
    """What an accepted bid leaves behind: bids, the room's events, the ledger's bid entries."""
    return (
        AuctionBid.objects.filter(auction__lot=lot).count(),
        RoomEvent.objects.filter(room__key=f"auction:{lot.pk}").count(),
        LedgerEntry.objects.filter(action__startswith="auction.").count(),
    )


def bulk_bidders(lot: Lot, count: int, enrolled_by: User) -> list[Enrolment]:
    """`count` more bidders enrolled in `lot` with deposits confirmed, written in bulk (fast)."""
    from bidding.models import EnrolmentMember
    from bidding.models.deposits import DepositAccount
    from tests.factories import make_organisation

    now = get_clock()()
    first = Enrolment.objects.filter(lot=lot).count()
    organisations = [make_organisation("bidder") for _ in range(count)]
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                lot=lot,
                lead=organisation,
                bidder_number=f"R{first + n + 1:04d}",
                enrolled_at=now,
                enrolled_by=enrolled_by,
            )
            for n, organisation in enumerate(organisations)
        ]
    )
    EnrolmentMember.objects.bulk_create(
        [
            EnrolmentMember(enrolment=e, lot=lot, organisation=e.lead, is_lead=True)
            for e in enrolments
        ]
    )
    accounts = DepositAccount.objects.bulk_create(
        [
            DepositAccount(enrolment=e, number=f"RACE{lot.pk:06d}{n:06d}", opened_at=now)
            for n, e in enumerate(enrolments)
        ]
    )
    BankTransfer.objects.bulk_create(
        [
            BankTransfer(
                transfer_id=f"RACE{lot.pk}-{account.pk}",
                account=account,
                amount=lot.deposit_amount,
                payer_account="6217000012345678",
                received_at=now,
            )
            for account in accounts
        ]
    )
    return enrolments


def matrix_auction(world: Any) -> Auction:
    """The permission matrix's auction: on its first bidder's lot (made once, kept)."""
    from tests.deposits import matrix_enrolment

    lot = matrix_enrolment(world).lot
    existing = Auction.objects.filter(lot=lot).first()
    return existing or auction_row(lot)
