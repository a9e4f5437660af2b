"""An auction's life through the chronograph: set up when the lot opens, listing bids, the
declarations, timed bidding, the close, the result in trading and its notices (issue 13)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bidding.models import Enrolment, RoomEvent
from bidding.models.auctions import Auction, AuctionBid, AuctionDeclaration, PlatformOutage
from bidding.services.auction_reserve import auction_reserve_confirm, auction_reserve_propose
from bidding.services.auctions import room_key_auction
from notices.models import Notice, NoticeKind
from notices.rendering import notice_html, render_notice
from tests.auction_life import START, bid, bidding_lot, enrolments, live_until, tick
from tests.conftest import ControlledClock
from tests.notices import deliver_events
from tests.tenders import (
    World,
    closes,
    first_lot,
    make_tender,
    make_world,
    open_publicity,
    opens,
    publicity_end,
)
from trading.chronograph import chronograph_tick
from trading.models import LedgerEntry, Lot
from trading.models.tenders import Candidate
from trading.services.awards import award_confirm
from trading.services.lots import lot_terminate
from trading.services.outcomes import lot_record_auction_result

pytestmark = pytest.mark.django_db


def declare(lot: Lot, enrolment: Enrolment, clock: ControlledClock) -> None:
    # The declaration service is aubid's (declaration_place); the row is what it writes.
    AuctionDeclaration.objects.create(
        auction=Auction.objects.get(lot=lot), enrolment=enrolment, declared_at=clock.now
    )


def room_kinds(lot: Lot) -> list[str]:
    return list(
        RoomEvent.objects.filter(room__key=room_key_auction(lot.pk))
        .order_by("seq")
        .values_list("kind", flat=True)
    )


def closed_event(lot: Lot) -> dict[str, object]:
    event = RoomEvent.objects.get(room__key=room_key_auction(lot.pk), kind="closed")
    return dict(event.payload)


def test_a_land_listing_runs_from_opening_to_its_deadline(clock: ControlledClock) -> None:
    world = make_world(business_type="land")
    lot = bidding_lot(world, clock, "listing", bidders=0)
    auction = Auction.objects.get(lot=lot)
    assert (auction.kind, auction.phase, auction.direction) == ("listing", "listing", "up")
    assert auction.start_price == START and auction.ends_at == closes(lot)
    # The lot names no increment: 1% of the start; the declaration window is 10 minutes.
    assert lot.increment == 0 and auction.step == Decimal("10000")
    assert auction.declaration_window_seconds == 600
    assert LedgerEntry.objects.filter(action="auction.started").count() == 1
    tick(clock)  # a repeated delivery or tick sets up nothing twice
    assert Auction.objects.filter(lot=lot).count() == 1


@pytest.mark.parametrize("business_type", ["land", "mining"])
def test_listing_two_declarants_timed_bidding_sold_to_the_last_bidder(
    clock: ControlledClock, business_type: str
) -> None:
    world = make_world(business_type=business_type)
    lot = bidding_lot(world, clock, "listing", bidders=3)
    first, second, third = enrolments(lot)
    step = Auction.objects.get(lot=lot).step
    assert bid(lot, first, str(START)).accepted
    assert bid(lot, second, str(START + step)).accepted
    assert bid(lot, third, str(START + 2 * step)).accepted
    # The window before the close: the first two still want to bid (要求报价).
    clock.set(closes(lot) - timedelta(minutes=5))
    declare(lot, first, clock)
    declare(lot, second, clock)
    clock.set(closes(lot) + timedelta(seconds=1))
    tick(clock)
    lot.refresh_from_db()
    auction = Auction.objects.get(lot=lot)
    # 39号令 第20条: two declarants go on to timed bidding from the listing's highest price.
    assert lot.status == "auction" and auction.phase == "timed"
    assert auction.price == START + 2 * step and auction.ends_at == clock.now + timedelta(
        seconds=240
    )
    assert room_kinds(lot)[-2:] == ["listing_closed", "timed_started"]
    # Only the declarants bid on: the third, who did not declare, is refused.
    assert bid(lot, third, str(START + 3 * step)).code == "not_declared"
    live_until(clock, clock.now + timedelta(seconds=100))
    assert bid(lot, first, str(START + 3 * step)).accepted
    live_until(clock, clock.now + timedelta(seconds=200))
    assert bid(lot, second, str(START + 4 * step)).accepted
    ends = Auction.objects.get(lot=lot).ends_at
    assert ends == clock.now + timedelta(seconds=240)  # each bid restarts the countdown
    live_until(clock, ends - timedelta(seconds=1))
    tick(clock)
    assert Auction.objects.get(lot=lot).phase == "timed"  # not yet
    live_until(clock, ends + timedelta(seconds=1))
    tick(clock)

    lot.refresh_from_db()
    auction = Auction.objects.get(lot=lot)
    assert auction.phase == "closed" and auction.sold is True and auction.closed_at == clock.now
    assert lot.status == "publicity"
    candidate = Candidate.objects.get(lot=lot, rank=1)
    assert candidate.organisation == second.lead and candidate.price == START + 4 * step
    assert closed_event(lot) == {
        "sold": True,
        "winner": second.bidder_number,
        "price": str(START + 4 * step),
        "reserve": None,
        "bids": 5,
    }
    assert LedgerEntry.objects.filter(action="auction.closed").count() == 1
    # The result notice (成交公告) is drafted for the desk, as for any sale, and the 成交确认书
    # at once (39号令 第21条), both telling how the auction ran.
    deal = Notice.objects.get(lot=lot, kind=NoticeKind.DEAL)
    confirmation = Notice.objects.get(lot=lot, kind=NoticeKind.DEAL_CONFIRMATION)
    assert deal.data["auction"]["bids"] == 5
    html = notice_html(confirmation)
    for shown in (
        second.lead.name,
        "1,040,000.00",
        "有效报价次数",
        "未设底价",
        second.bidder_number,
        "网上挂牌（期满限时竞价）",
    ):
        assert shown in html, shown
    pdf = render_notice(confirmation)
    assert pdf.content.startswith(b"%PDF")
    # A bid after the close is refused; nothing changes.
    assert bid(lot, first, str(START + 6 * step)).code == "closed"
    assert AuctionBid.objects.filter(auction=auction).count() == 5


def test_one_declarant_buys_at_the_listing_price(clock: ControlledClock) -> None:
    world = make_world(business_type="land")
    lot = bidding_lot(world, clock, "listing", bidders=2)
    first, second = enrolments(lot)
    step = Auction.objects.get(lot=lot).step
    assert bid(lot, first, str(START)).accepted
    assert bid(lot, second, str(START + step)).accepted
    clock.set(closes(lot) - timedelta(minutes=1))
    declare(lot, second, clock)
    clock.set(closes(lot) + timedelta(seconds=1))
    tick(clock)
    lot.refresh_from_db()
    assert lot.status == "publicity"
    assert Candidate.objects.get(lot=lot).organisation == second.lead
    assert closed_event(lot)["price"] == str(START + step)
    assert "timed_started" not in room_kinds(lot)
    # The 成交确认书 went out at the hammer; the award after the publicity adds no second one.
    lot = open_publicity(lot)
    clock.set(publicity_end(lot) + timedelta(minutes=1))
    tick(clock)
    lot.refresh_from_db()
    award_confirm(lot=lot, candidate=lot.candidates.get(rank=1), actor=world.owner_user)
    deliver_events(clock)
    lot.refresh_from_db()
    assert lot.status == "awarded"
    assert Notice.objects.filter(lot=lot, kind=NoticeKind.DEAL_CONFIRMATION).count() == 1


@pytest.mark.parametrize("business_type", ["land", "mining"])
def test_a_listing_without_bids_is_unsold(clock: ControlledClock, business_type: str) -> None:
    # A land listing waits at its close (listing family); a mining listing goes to the auction.
    world = make_world(business_type=business_type)
    lot = bidding_lot(world, clock, "listing", bidders=2)
    clock.set(closes(lot) + timedelta(seconds=1))
    tick(clock)
    lot.refresh_from_db()
    assert lot.status == "failed"  # 流拍
    assert closed_event(lot) == {
        "sold": False,
        "winner": None,
        "price": None,
        "reserve": None,
        "bids": 0,
    }
    assert not Candidate.objects.filter(lot=lot).exists()
    assert Notice.objects.filter(lot=lot, kind=NoticeKind.FAILURE).exists()


def test_an_auction_starts_its_countdown_at_the_deadline(clock: ControlledClock) -> None:
    world = make_world(business_type="land")
    lot = bidding_lot(world, clock, "auction", bidders=2)
    assert not Auction.objects.filter(lot=lot).exists()  # 拍卖: nothing before the deadline
    clock.set(closes(lot) + timedelta(seconds=1))
    tick(clock)
    auction = Auction.objects.get(lot=lot)
    assert (auction.kind, auction.phase) == ("auction", "timed")
    assert auction.ends_at == clock.now + timedelta(seconds=240)
    first, _second = enrolments(lot)
    assert bid(lot, first, str(START)).accepted
    live_until(clock, auction.ends_at + timedelta(seconds=1))
    tick(clock)
    lot.refresh_from_db()
    assert lot.status == "publicity"
    assert Candidate.objects.get(lot=lot).organisation == first.lead


def test_a_reverse_auction_buys_from_the_lowest_bidder(clock: ControlledClock) -> None:
    world = make_world(business_type="procurement")
    lot = bidding_lot(world, clock, "reverse-auction", bidders=2)
    clock.set(closes(lot) + timedelta(seconds=1))
    tick(clock)
    auction = Auction.objects.get(lot=lot)
    assert (auction.kind, auction.direction) == ("reverse", "down")
    first, second = enrolments(lot)
    step = auction.step
    # Above the budget: refused as not reaching the start (a reverse auction's start is a ceiling).
    assert bid(lot, first, str(START + step)).code == "below_start"
    assert bid(lot, first, str(START)).accepted
    assert bid(lot, second, str(START - step)).accepted
    assert bid(lot, first, str(START - step)).code == "outbid"
    assert bid(lot, first, str(START - 2 * step)).accepted
    live_until(clock, Auction.objects.get(lot=lot).ends_at + timedelta(seconds=1))
    tick(clock)
    lot.refresh_from_db()
    candidate = Candidate.objects.get(lot=lot)
    assert lot.status in ("publicity", "awarded")
    assert candidate.organisation == first.lead and candidate.price == START - 2 * step


def test_a_bid_after_the_end_is_refused_though_no_close_ran(clock: ControlledClock) -> None:
    world = make_world(business_type="land")
    lot = bidding_lot(world, clock, "auction", bidders=2)
    clock.set(closes(lot) + timedelta(seconds=1))
    tick(clock)
    first, second = enrolments(lot)
    assert bid(lot, first, str(START)).accepted
    ends = Auction.objects.get(lot=lot).ends_at
    # No worker is alive: the clock only moves past the end. The bid path's own check refuses.
    clock.set(ends)
    ack = bid(lot, second, str(START + Auction.objects.get(lot=lot).step))
    assert not ack.accepted and ack.code == "closed" and "已结束" in ack.message
    assert AuctionBid.objects.filter(auction__lot=lot).count() == 1
    assert Auction.objects.get(lot=lot).phase == "timed"  # nothing closed it yet


def test_an_outage_during_the_countdown_suspends_instead_of_closing(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="land")
    lot = bidding_lot(world, clock, "auction", bidders=2)
    clock.set(closes(lot) + timedelta(seconds=1))
    tick(clock)
    first, second = enrolments(lot)
    assert bid(lot, first, str(START)).accepted
    ends = Auction.objects.get(lot=lot).ends_at
    live_until(clock, ends - timedelta(seconds=100))
    # The platform goes down: no beat for 3 minutes while the clock moves past the end.
    clock.set(ends + timedelta(seconds=80))
    tick(clock)
    auction = Auction.objects.get(lot=lot)
    lot.refresh_from_db()
    outage = PlatformOutage.objects.order_by("-started_at").first()
    assert outage is not None and outage.ended_at == clock.now
    assert outage.started_at == ends - timedelta(seconds=100)
    assert auction.closed_at is None and lot.status == "auction"  # suspended, not closed
    resumes_at = clock.now + timedelta(seconds=300)
    assert auction.opens_at == resumes_at and auction.ends_at == resumes_at + timedelta(seconds=240)
    suspended = RoomEvent.objects.get(room__key=room_key_auction(lot.pk), kind="suspended")
    assert suspended.payload["resumes_at"] == timezone.localtime(resumes_at).isoformat()
    assert suspended.payload["reason"]
    assert LedgerEntry.objects.filter(action="auction.suspended").count() == 1
    # Before the announced time no bid is taken; from it, with a fresh countdown.
    live_until(clock, resumes_at - timedelta(seconds=1))
    step = auction.step
    assert bid(lot, second, str(START + step)).code == "not_started"
    live_until(clock, resumes_at + timedelta(seconds=10))
    assert bid(lot, second, str(START + step)).accepted
    ends = Auction.objects.get(lot=lot).ends_at
    assert ends == clock.now + timedelta(seconds=240)
    live_until(clock, ends + timedelta(seconds=1))
    tick(clock)
    lot.refresh_from_db()
    assert lot.status == "publicity"
    assert Candidate.objects.get(lot=lot).organisation == second.lead


def test_a_lot_that_moves_on_without_the_close_stops_its_auction(clock: ControlledClock) -> None:
    world = make_world(business_type="land")
    lot = bidding_lot(world, clock, "auction", bidders=2)
    clock.set(closes(lot) + timedelta(seconds=1))
    tick(clock)
    first, second = enrolments(lot)
    assert bid(lot, first, str(START)).accepted
    # Staff may not type the result of an auction the platform runs, nor stop it that way.
    with pytest.raises(ValidationError) as refused:
        lot_record_auction_result(lot=lot, sold=False, actor=world.staff)
    assert refused.value.code == "run_by_platform"
    assert Auction.objects.get(lot=lot).phase == "timed"
    # The owner terminates the lot (实施条例 第31条): it moves on, the room takes no more bids.
    lot_terminate(lot=lot, reason="规划调整，终止出让。", actor=world.owner_user)
    deliver_events(clock)
    auction = Auction.objects.get(lot=lot)
    assert auction.phase == "closed" and auction.closed_at == clock.now
    assert bid(lot, second, str(START + auction.step)).code == "closed"
    assert LedgerEntry.objects.filter(action="auction.stopped").count() == 1


def test_the_desk_cannot_type_the_result_of_an_auction_the_platform_runs(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="land")
    lot = bidding_lot(world, clock, "auction", bidders=2)
    clock.set(closes(lot) + timedelta(seconds=1))
    tick(clock)
    client = Client()
    client.force_login(world.staff)
    page = client.get(reverse("lot_detail", args=[lot.pk])).content.decode()
    assert reverse("lot_deal", args=[lot.pk]) not in page  # no result form is offered
    answer = client.post(
        reverse("lot_deal", args=[lot.pk]),
        {"sold": "0"},  # 流拍, typed by hand while the bidding runs
        follow=True,
    )
    assert "本标段的网上竞价由平台进行" in answer.content.decode()
    lot.refresh_from_db()
    assert lot.status == "auction" and not Candidate.objects.filter(lot=lot).exists()
    assert Auction.objects.get(lot=lot).phase == "timed"


def test_a_listing_set_up_after_its_close_is_not_held(clock: ControlledClock) -> None:
    world = make_world(business_type="land")
    lot = first_lot(make_tender(world, procedure="listing", estimate=START))
    # The platform was down from before the opening to after the close: nothing to hold.
    clock.set(opens(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    clock.set(closes(lot) + timedelta(minutes=1))
    tick(clock)
    lot.refresh_from_db()
    assert lot.status == "listing_closed" and not Auction.objects.filter(lot=lot).exists()


def _reserve(world: World, lot: Lot, amount: str) -> None:
    # 底价: a collective decision of two of the desk's staff, sealed until the close.
    auction_reserve_propose(lot, amount, world.staff)
    auction_reserve_confirm(lot, amount, world.staff2)


def test_one_declarant_below_the_reserve_is_unsold_and_the_reserve_revealed(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="land")
    lot = bidding_lot(world, clock, "listing", bidders=2)
    first, _second = enrolments(lot)
    _reserve(world, lot, "1200000.00")
    assert Auction.objects.get(lot=lot).reserve is None  # sealed
    assert bid(lot, first, str(START)).accepted
    clock.set(closes(lot) - timedelta(minutes=1))
    declare(lot, first, clock)
    clock.set(closes(lot) + timedelta(seconds=1))
    tick(clock)
    lot.refresh_from_db()
    # 39号令 第20条: the one bid is below the reserve: 流拍.
    assert lot.status == "failed" and not Candidate.objects.filter(lot=lot).exists()
    assert closed_event(lot) == {
        "sold": False,
        "winner": None,
        "price": None,
        "reserve": "1200000.00",
        "bids": 1,
    }
    failure = Notice.objects.get(lot=lot, kind=NoticeKind.FAILURE)
    assert failure.data["auction"]["reserve"] == "1200000.00"
    assert "1,200,000.00" in notice_html(failure)


def test_timed_bidding_that_reaches_the_reserve_sells(clock: ControlledClock) -> None:
    world = make_world(business_type="land")
    lot = bidding_lot(world, clock, "auction", bidders=2)
    clock.set(closes(lot) + timedelta(seconds=1))
    tick(clock)
    _reserve(world, lot, "1010000.00")
    first, second = enrolments(lot)
    step = Auction.objects.get(lot=lot).step
    assert bid(lot, first, str(START)).accepted
    assert bid(lot, second, str(START + step)).accepted
    live_until(clock, Auction.objects.get(lot=lot).ends_at + timedelta(seconds=1))
    tick(clock)
    lot.refresh_from_db()
    assert lot.status == "publicity"
    assert closed_event(lot)["reserve"] == "1010000.00"
    assert Auction.objects.get(lot=lot).reserve == Decimal("1010000.00")
    confirmation = Notice.objects.get(lot=lot, kind=NoticeKind.DEAL_CONFIRMATION)
    assert "1,010,000.00" in notice_html(confirmation)
