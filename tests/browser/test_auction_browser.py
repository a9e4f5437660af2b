"""A live auction in Chromium on a live daphne (issue 13, "Done when"): two bidders bid
through the listing, declare (要求报价), bid on in timed bidding (限时竞价) until the countdown
runs out, and the parcel is sold, while the land regulator watches the same room read-only.

The lot is `make run`'s auction demonstration. The server's clock is frozen and moved by the
test; the chronograph's tick (the listing close, the countdown's end) runs off Playwright's loop.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from bidding.demo import demo_vault_seed
from bidding.models import Enrolment
from bidding.models.auctions import Auction, AuctionBid
from bidding.services.auction_outages import auction_heartbeat
from bidding.services.demo_auction import auction_demo_lot, auction_demo_seed
from tests.browser.conftest import screenshot
from tests.browser.seats import signed_in_context
from tests.conftest import ControlledClock
from tests.notices import deliver_events
from tests.rooms import off_the_loop, room_daphne
from trading.chronograph import chronograph_tick
from trading.domain.lifecycle import LotStatus
from trading.models import Lot, User

WIDER_THAN_THE_SCREEN = """
    Array.from(document.querySelectorAll("body *"))
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
        .filter((e) => !e.closest(".table-scroll"))
        .map((e) => e.tagName + "#" + e.id + "." + e.className)
"""
TWO_MINUTES = re.compile(r"^(02:00|01:59)$")

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(240)]


def _open(browser: Browser, base: str, username: str, room: str, violations: list[str]) -> Page:
    user = User.objects.get(username=username)
    page = signed_in_context(browser, base, user, violations).new_page()
    page.set_default_timeout(15_000)
    page.goto(room)
    expect(page.locator("#auction-connection")).to_have_text("已连接")
    return page


def _bid(page: Page, amount: str) -> None:
    """Type an amount and press Enter, as a bidder does (the box keeps what was typed)."""
    page.fill("#bid-amount", amount)
    expect(page.locator("#bid-submit")).to_be_enabled()
    page.press("#bid-amount", "Enter")


def _tick(clock: ControlledClock) -> None:
    """What celery beat does every few seconds: the chronograph's tick, the outbox delivered."""

    def work() -> None:
        chronograph_tick(clock=clock)
        deliver_events(clock)

    off_the_loop(work)


def _live_until(clock: ControlledClock, moment: datetime) -> None:
    """The platform stays up until `moment`, beating every 20 s (no outage to suspend for)."""
    while clock.now < moment:
        clock.set(min(moment, clock.now + timedelta(seconds=20)))
        off_the_loop(lambda: auction_heartbeat(clock.now))


def test_two_bidders_bid_live_through_listing_and_timed_bidding_to_a_sale(
    browser: Browser, clock: ControlledClock, demo: dict[str, int], tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    # Off Playwright's loop: the seeding's bids publish to the room after their commit.
    off_the_loop(lambda: demo_vault_seed(tenders=False))
    off_the_loop(auction_demo_seed)
    lot = auction_demo_lot(clock.now)
    assert lot is not None and lot.closes_at is not None
    violations: list[str] = []
    with room_daphne(tmp_path, media=settings.MEDIA_ROOT) as port:
        base = f"http://localhost:{port}"
        room = f"{base}/bidding/lots/{lot.pk}/auction/"
        first = _open(browser, base, "bidder1", room, violations)
        second = _open(browser, base, "bidder2", room, violations)
        regulator = _open(browser, base, "reg_land", room, violations)
        # Anyone may watch without signing in, on a phone: price and countdown, no bid box.
        public = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
        watcher = public.new_page()
        watcher.goto(room)
        expect(watcher.locator("#auction-connection")).to_have_text("已连接")
        expect(watcher.locator("#bid-amount")).to_have_count(0)
        pages = (first, second, regulator, watcher)
        for page in pages:
            expect(page.locator("#auction-phase")).to_have_text("挂牌中")
            expect(page.locator("#auction-price")).to_have_text("12,100,000.00")
        # On a phone the board fits the screen's width in either language (English labels are
        # longer): nothing scrolls sideways but the bids' table inside its own box.
        english = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
        phone = english.new_page()
        phone.goto(room)
        expect(phone.locator("#auction-price")).to_have_text("12,100,000.00")
        for narrow in (watcher, phone):
            assert narrow.evaluate("document.documentElement.scrollWidth") <= 390
        english.close()
        # The frozen server clock says ten minutes to the listing close (less the milliseconds
        # this computer's clock moved since the last tick).
        expect(first.locator("#auction-countdown")).to_have_text(re.compile(r"^(10:00|09:59)$"))
        # The bid box offers the least acceptable bid: the current price plus one step.
        expect(first.locator("#bid-amount")).to_have_value("12200000.00")
        expect(first.locator("#bid-submit")).to_be_enabled()
        first.click("#bid-submit")
        expect(first.locator("#auction-message")).to_contain_text("第 3 号报价")
        for page in pages:
            expect(page.locator("#auction-price")).to_have_text("12,200,000.00")
        # The leader may not raise its own bid; a raise short of a step is refused with the
        # reason, and nothing changes.
        expect(first.locator("#bid-submit")).to_be_disabled()
        _bid(second, "12250000.00")
        expect(second.locator("#auction-message")).to_contain_text("幅度")
        expect(regulator.locator("#auction-price")).to_have_text("12,200,000.00")

        # Both declare (要求报价) in the window; at the listing close timed bidding starts.
        for page in (first, second):
            expect(page.locator("#declare-submit")).to_be_enabled()
            page.click("#declare-submit")
            expect(page.locator("#auction-message")).to_contain_text("要求报价")
        _live_until(clock, lot.closes_at)
        _tick(clock)
        for page in pages:
            expect(page.locator("#auction-phase")).to_have_text("限时竞价中")
        # A two-minute countdown from the close, as the server's ticks tell it.
        expect(regulator.locator("#auction-countdown")).to_have_text(TWO_MINUTES)

        _live_until(clock, clock.now + timedelta(seconds=30))
        _bid(second, "12300000.00")
        expect(first.locator("#auction-price")).to_have_text("12,300,000.00")
        expect(first.locator("#auction-leader")).to_contain_text(_number(lot, "bidder2"))
        _live_until(clock, clock.now + timedelta(seconds=30))
        _bid(first, "12500000.00")
        for page in pages:
            expect(page.locator("#auction-price")).to_have_text("12,500,000.00")
        # Each bid restarts the countdown; the history lists every bid by bidder number only.
        expect(regulator.locator("#auction-countdown")).to_have_text(TWO_MINUTES)
        history = regulator.locator("#auction-history tbody tr")
        expect(history).to_have_count(5)
        expect(history.first).to_contain_text("12,500,000.00")
        expect(regulator.locator("#auction-room")).not_to_contain_text("海南建工")
        # The countdown runs out with no new bid: the leader buys.
        _live_until(clock, clock.now + timedelta(seconds=121))
        _tick(clock)
        for page in pages:
            expect(page.locator("#auction-phase")).to_have_text("已结束")
        expect(regulator.locator("#auction-message")).to_contain_text("12,500,000.00 元成交")
        # Nothing on the phone reaches past the screen's edge (wide tables scroll in their box).
        offenders = watcher.evaluate(WIDER_THAN_THE_SCREEN)
        assert not offenders, offenders
        screenshot(watcher, "auction-room-phone")
        screenshot(regulator, "auction-room-regulator")
        screenshot(first, "auction-room-winner")

    auction = Auction.objects.get(lot_id=lot.pk)
    winner = User.objects.get(username="bidder1")
    assert auction.sold and auction.price == Decimal("12500000.00")
    assert auction.leader is not None and auction.leader.lead_id == winner.organisation_id
    assert AuctionBid.objects.filter(auction=auction).count() == 5
    assert Lot.objects.get(pk=lot.pk).status == LotStatus.PUBLICITY
    assert not violations, violations


def _number(lot: Lot, username: str) -> str:
    user = User.objects.get(username=username)
    enrolment = Enrolment.objects.get(lot=lot, lead=user.organisation, withdrawn_at__isnull=True)
    return enrolment.bidder_number
