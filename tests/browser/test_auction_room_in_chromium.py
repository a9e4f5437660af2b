"""The auction room in Chromium on a live daphne: two bidders bid from the page (the minimum
filled in, a step button), the public watches price, leader and chart without signing in, one
bidder on a phone screen; the desk suspends with a reason and the bid box closes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from bidding.models.auctions import AuctionBid
from tests.auction_rooms import make_auction_world
from tests.browser.conftest import screenshot
from tests.browser.seats import signed_in_context
from tests.conftest import ControlledClock
from tests.rooms import room_daphne

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]


def test_two_bidders_bid_from_the_page_while_the_public_watches(
    browser: Browser, clock: ControlledClock, tmp_path: Path, settings: Any
) -> None:
    world = make_auction_world()
    people = world.people
    violations: list[str] = []
    with room_daphne(tmp_path) as port:
        base = f"http://localhost:{port}"
        room = f"{base}/bidding/lots/{world.lot.pk}/auction/"
        public = browser.new_context(locale="zh-CN").new_page()
        public.set_default_timeout(15_000)
        public.goto(room)
        expect(public.locator("#auction-connection")).to_have_text("已连接")
        expect(public.locator("#auction-phase")).to_have_text("挂牌中")
        expect(public.locator("#auction-price")).to_have_text("尚无报价")
        # The server's clock is frozen an hour before the listing closes.
        expect(public.locator("#auction-countdown")).to_have_text(
            re.compile(r"^(01:00:00|59:5\d)$")
        )
        expect(public.locator("#bid-amount")).to_have_count(0)

        first = signed_in_context(browser, base, people.bidder_users[0], violations).new_page()
        first.set_default_timeout(15_000)
        first.goto(room)
        expect(first.locator("#bid-amount")).to_have_value("1000000.00")
        expect(first.locator("#bid-submit")).to_be_enabled()
        first.locator("#bid-submit").click()
        expect(first.locator("#auction-message")).to_contain_text("报价成功")
        expect(public.locator("#auction-price")).to_have_text("1,000,000.00")
        expect(public.locator("#auction-leader")).to_have_text("B001")
        expect(first.locator("#auction-leader")).to_have_text("B001 （我）")
        expect(first.locator("#bid-1")).to_have_class("mine")
        # The leader does not bid against itself: its button waits for the next rival bid.
        expect(first.locator("#bid-submit")).to_be_disabled()

        phone = signed_in_context(browser, base, people.bidder_users[1], violations)
        second = phone.new_page()
        second.set_viewport_size({"width": 390, "height": 844})
        second.set_default_timeout(15_000)
        second.goto(room)
        expect(second.locator("#bid-amount")).to_have_value("1010000.00")
        second.locator("[data-steps='2']").click()
        expect(second.locator("#bid-amount")).to_have_value("1020000.00")
        second.locator("#bid-submit").click()
        expect(public.locator("#auction-price")).to_have_text("1,020,000.00")
        expect(public.locator("#auction-leader")).to_have_text("B002")
        expect(public.locator("#auction-history tbody tr")).to_have_count(2)
        expect(public.locator("#auction-chart circle")).to_have_count(2)
        expect(first.locator("#bid-submit")).to_be_enabled()
        expect(first.locator("#bid-amount")).to_have_value("1030000.00")
        # One column on a phone: the bid box sits below the board, as wide as the screen.
        board = second.locator(".auction-board").bounding_box()
        box = second.locator("#bid-actions").bounding_box()
        assert board is not None and box is not None
        assert box["y"] >= board["y"] + board["height"] - 1 and box["width"] <= 390
        screenshot(second, "auction-room-phone")

        desk = signed_in_context(browser, base, people.staff, violations).new_page()
        desk.set_default_timeout(15_000)
        desk.goto(room)
        expect(desk.locator("#auction-connection")).to_have_text("已连接")
        desk.locator("#suspend-reason").fill("网络故障")
        desk.locator("#suspend-submit").click()
        expect(public.locator("#auction-phase")).to_have_text("中止")
        expect(first.locator("#auction-message")).to_contain_text("网络故障")
        expect(first.locator("#bid-submit")).to_be_disabled()
        screenshot(public, "auction-room-public")
        assert not any(o.name in public.content() for o in people.bidders)
    assert [bid.amount for bid in AuctionBid.objects.order_by("seq")] == [
        1000000,
        1020000,
    ]
    assert not violations, violations
