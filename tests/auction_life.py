"""Live auctions for tests: a lot whose bidding opened with bidders enrolled and deposits paid,
the platform running (the chronograph ticks, the heartbeat beats), bids through `bid_place`."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from bidding.models import Enrolment, OrganisationProfile
from bidding.services.auction_bids import BidAck, bid_place
from bidding.services.auction_outages import auction_heartbeat
from bidding.services.deposits import deposit_account_open
from tests.conftest import ControlledClock
from tests.deposits import BASIC_ACCOUNT, bank_pay
from tests.enrolments import enrol
from tests.notices import deliver_events
from tests.tenders import World, first_lot, make_tender, opens
from trading.chronograph import chronograph_tick
from trading.models import Lot

START = Decimal("1000000.00")


def tick(clock: ControlledClock) -> None:
    """The platform runs: the chronograph ticks, the outbox delivers what it emitted."""
    chronograph_tick(clock=clock)
    deliver_events(clock)


def live_until(clock: ControlledClock, moment: datetime) -> None:
    """The platform stays up until `moment`: it beats every 20 s, as the room ticker does."""
    while clock.now < moment:
        clock.set(min(moment, clock.now + timedelta(seconds=20)))
        auction_heartbeat(clock.now)


def bidding_lot(world: World, clock: ControlledClock, procedure: str, bidders: int) -> Lot:
    """A published lot whose bidding opened, `bidders` enrolled with their deposits paid."""
    tender = make_tender(world, procedure=procedure, estimate=START)
    lot = first_lot(tender)
    clock.set(opens(lot) + timedelta(minutes=1))
    tick(clock)
    for organisation in world.bidders[:bidders]:
        OrganisationProfile.objects.update_or_create(
            organisation=organisation, defaults={"basic_account_number": BASIC_ACCOUNT}
        )
        enrolment = enrol(lot, organisation)
        account = deposit_account_open(enrolment=enrolment, now=clock.now)
        bank_pay(account.number, str(lot.deposit_amount))
    lot.refresh_from_db()
    return lot


def enrolments(lot: Lot) -> list[Enrolment]:
    return list(Enrolment.objects.filter(lot=lot).order_by("bidder_number"))


def bid(lot: Lot, enrolment: Enrolment, amount: str) -> BidAck:
    return bid_place(
        lot_id=lot.pk,
        enrolment=enrolment,
        amount=amount,
        idempotency_key=secrets.token_hex(8),
        actor=enrolment.enrolled_by,
    )
