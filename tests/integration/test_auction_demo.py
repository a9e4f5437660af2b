"""`make run` has a training land lot that enters timed bidding within minutes of starting, which
one can join as the demo bidders (issue 13, "Done when").
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bidding.demo import demo_vault_seed
from bidding.models import Enrolment
from bidding.models.auctions import Auction, AuctionBid
from bidding.services.auction_bids import bid_place, declaration_place
from bidding.services.auction_outages import auction_heartbeat
from bidding.services.auction_reserve import auction_reserve_confirm, auction_reserve_propose
from bidding.services.demo_auction import (
    PROJECT,
    auction_demo_lines,
    auction_demo_lot,
    auction_demo_seed,
)
from tests.conftest import ControlledClock
from tests.notices import deliver_events
from trading.chronograph import chronograph_tick
from trading.domain.lifecycle import LotStatus
from trading.models import Lot, User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def tick(clock: ControlledClock) -> None:
    """What celery beat does every few seconds: the chronograph's tick, the outbox delivered."""
    chronograph_tick(clock=clock)
    deliver_events(clock)


def live_until(clock: ControlledClock, moment: datetime) -> None:
    """The platform stays up until `moment`, beating as its room ticker does (no outage)."""
    while clock.now < moment:
        clock.set(min(moment, clock.now + timedelta(seconds=20)))
        auction_heartbeat(clock.now)


def _enrolment(lot: Lot, username: str) -> Enrolment:
    user = User.objects.get(username=username)
    return Enrolment.objects.get(lot=lot, lead=user.organisation, withdrawn_at__isnull=True)


def test_make_run_arms_a_land_listing_the_demo_bidders_can_bid_in(
    demo: dict[str, int], clock: ControlledClock, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    # A Sunday morning: a listing of ten days ending on a rest day rolls to the next working
    # day (39号令 第18条 as the rule table counts it); the demo's must still end today.
    clock.set(datetime.fromisoformat("2026-12-06T09:22:00+08:00"))
    demo_vault_seed(tenders=False)
    assert auction_demo_seed() == {"auction_demo": 1}
    lot = auction_demo_lot(clock.now)
    assert lot is not None and lot.status == LotStatus.BIDDING
    assert lot.closes_at == clock.now + timedelta(minutes=10)
    assert auction_demo_seed() == {}  # a round still open: nothing new

    auction = Auction.objects.get(lot=lot)
    assert auction.phase == "listing" and auction.ends_at == lot.closes_at
    assert auction.price == Decimal("12100000.00")
    assert auction.leader_id == _enrolment(lot, "bidder2").pk
    assert list(AuctionBid.objects.filter(auction=auction).values_list("seq", "amount")) == [
        (1, Decimal("12000000.00")),
        (2, Decimal("12100000.00")),
    ]
    lines = "\n".join(auction_demo_lines(clock.now))
    assert f"/bidding/lots/{lot.pk}/auction/" in lines and "bidder1" in lines
    assert f"/bidding/lots/{lot.pk}/auction/reserve/" in lines
    # The two staff the lines name can set the sealed reserve (底价) together.
    auction_reserve_propose(lot, "12250000.00", User.objects.get(username="staff_land"))
    auction_reserve_confirm(lot, "12250000.00", User.objects.get(username="staff_sanya"))

    # Every demo bidder's deposit is confirmed: bidder3 (a bank guarantee) may bid at once.
    clock.advance(seconds=30)
    bidder3 = User.objects.get(username="bidder3")
    ack = bid_place(
        lot_id=lot.pk,
        enrolment=_enrolment(lot, "bidder3"),
        amount="12200000.00",
        idempotency_key="browser-1",
        actor=bidder3,
        clock=clock,
    )
    assert ack.accepted and ack.seq == 3, ack.message

    # The declaration window is open from start-up: bidder1 and bidder2 declare (要求报价).
    for username in ("bidder1", "bidder2"):
        declared = declaration_place(
            lot_id=lot.pk,
            enrolment=_enrolment(lot, username),
            actor=User.objects.get(username=username),
            clock=clock,
        )
        assert declared.accepted, declared.message

    # At the listing close the platform takes the two declarants to timed bidding by itself.
    assert lot.closes_at is not None
    live_until(clock, lot.closes_at)
    tick(clock)
    lot.refresh_from_db()
    auction.refresh_from_db()
    assert lot.status == LotStatus.AUCTION and auction.phase == "timed"
    assert auction.ends_at == clock.now + timedelta(minutes=2)
    live_until(clock, clock.now + timedelta(seconds=30))
    ack = bid_place(
        lot_id=lot.pk,
        enrolment=_enrolment(lot, "bidder1"),
        amount="12300000.00",
        idempotency_key="timed-1",
        actor=User.objects.get(username="bidder1"),
        clock=clock,
    )
    assert ack.accepted, ack.message
    live_until(clock, clock.now + timedelta(minutes=2))
    tick(clock)
    lot.refresh_from_db()
    auction.refresh_from_db()
    assert auction.phase == "closed" and auction.sold is True
    assert auction.price == Decimal("12300000.00") and lot.status == LotStatus.PUBLICITY
    assert auction.reserve == Decimal("12250000.00")  # revealed at the close, and reached

    # A start-up after the listing close arms a fresh round.
    assert auction_demo_seed() == {"auction_demo": 1}
    assert Lot.objects.filter(tender__project__name=PROJECT).count() == 2
