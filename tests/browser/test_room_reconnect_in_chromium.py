"""The live rooms in Chromium when their server goes away and comes back: the pages say so,
reconnect on their own — waiting longer each try (exponential backoff with jitter, capped at
8 s), afresh after a connection that held — catch up on the bid made meanwhile, and a bid typed
while the server was down goes once the page is back, taken once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from bidding.models.auctions import AuctionBid
from bidding.services.auction_bids import bid_place
from tests.auction_bidders import new_key
from tests.auction_rooms import make_auction_world
from tests.browser.seats import signed_in_context
from tests.conftest import ControlledClock
from tests.live_daphne import free_port
from tests.rooms import make_room_world, off_the_loop, room_daphne

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

RECONNECTING = "连接中断，正在重新连接…"
# The page's jitter draws its top value here, so each wait is the schedule's bound; and the page
# notes when it opens a socket ("try"), when one opens and when one closes (its own clock, ms).
TRACED = """
Math.random = function () { return 0.999999; };
(function () {
  var Native = window.WebSocket;
  window.__sockets = [];
  function note(kind) { window.__sockets.push([kind, performance.now()]); }
  function Traced(url, protocols) {
    var socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    note("try");
    socket.addEventListener("open", function () { note("open"); });
    socket.addEventListener("close", function () { note("close"); });
    return socket;
  }
  Traced.prototype = Native.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (k) { Traced[k] = Native[k]; });
  window.WebSocket = Traced;
})();
"""


def test_pages_reconnect_catch_up_and_send_the_bid_typed_meanwhile(
    browser: Browser, clock: ControlledClock, tmp_path: Path, settings: Any
) -> None:
    world = make_auction_world()
    people = world.people
    violations: list[str] = []
    port = free_port()
    base = f"http://localhost:{port}"
    room = f"{base}/bidding/lots/{world.lot.pk}/auction/"
    with room_daphne(tmp_path, port=port):
        public = browser.new_context(locale="zh-CN").new_page()
        first = signed_in_context(browser, base, people.bidder_users[0], violations).new_page()
        second = signed_in_context(browser, base, people.bidder_users[1], violations).new_page()
        pages = (public, first, second)
        for page in pages:
            page.set_default_timeout(20_000)
            page.goto(room)
            expect(page.locator("#auction-connection")).to_have_text("已连接")
        first.locator("#bid-submit").click()
        expect(first.locator("#auction-message")).to_contain_text("报价成功")
        for page in pages:
            expect(page.locator("#auction-price")).to_have_text("1,000,000.00")
    # The server is gone: every page says so and keeps trying.
    for page in pages:
        expect(page.locator("#auction-connection")).to_have_text(RECONNECTING)
    # The second bidder bids two steps up meanwhile: the bid waits in the page.
    second.locator("[data-steps='2']").click()
    expect(second.locator("#bid-amount")).to_have_value("1020000.00")
    second.locator("#bid-submit").click()
    expect(second.locator("#bid-submit")).to_be_disabled()
    # The third bids one step up elsewhere (its office's other computer) while no page can hear.
    missed = off_the_loop(
        lambda: bid_place(
            lot_id=world.lot.pk,
            enrolment=world.enrolments[2],
            amount="1010000.00",
            idempotency_key=new_key(),
            actor=people.bidder_users[2],
        )
    )
    assert missed.accepted and missed.seq == 2
    with room_daphne(tmp_path, port=port):
        # Back on their own (the next try comes within the cap, 8 s): the missed bid arrives by
        # resync, then the waiting bid is taken.
        expect(second.locator("#auction-message")).to_contain_text("报价成功", timeout=30_000)
        for page in pages:
            # Each page tries on its own schedule: one may still be waiting out its backoff
            # (up to the 8 s cap) after another's bid was taken. `expect` waits 5 s by default,
            # whatever the page's own timeout says.
            expect(page.locator("#auction-connection")).to_have_text("已连接", timeout=30_000)
            expect(page.locator("#auction-price")).to_have_text("1,020,000.00")
            expect(page.locator("#auction-history tbody tr")).to_have_count(3)
        expect(public.locator("#auction-leader")).to_have_text("B002")
    bids = AuctionBid.objects.filter(auction__lot=world.lot).order_by("seq")
    assert [(bid.seq, f"{bid.amount:.2f}") for bid in bids] == [
        (1, "1000000.00"),
        (2, "1010000.00"),
        (3, "1020000.00"),
    ]
    assert not violations, violations


@pytest.mark.parametrize("kind", ["auction", "opening"])
def test_a_page_waits_longer_each_time_then_starts_again_after_a_stable_connection(
    browser: Browser, clock: ControlledClock, tmp_path: Path, kind: str
) -> None:
    port = free_port()
    base = f"http://localhost:{port}"
    violations: list[str] = []
    if kind == "auction":
        lot_id = make_auction_world().lot.pk
        context = browser.new_context(locale="zh-CN")  # the public watches
        status = "#auction-connection"
    else:
        room = make_room_world()
        lot_id = room.lot.pk
        context = signed_in_context(browser, base, room.people.owner_user, violations)
        status = "#room-connection"
    context.add_init_script(TRACED)
    page = context.new_page()
    page.set_default_timeout(20_000)
    connection = page.locator(status)

    def tries_after_the_drop() -> list[float]:
        """When the page tried again, in seconds after its last open connection closed."""
        seen: list[tuple[str, float]] = page.evaluate("window.__sockets")
        opened = max(n for n, (what, _at) in enumerate(seen) if what == "open")
        dropped_at = next(at for what, at in seen[opened:] if what == "close")
        return [(at - dropped_at) / 1000 for what, at in seen[opened:] if what == "try"]

    with room_daphne(tmp_path, port=port):
        page.goto(f"{base}/bidding/lots/{lot_id}/{kind}/")
        expect(connection).to_have_text("已连接")
        page.wait_for_timeout(5_500)  # long enough to count as a connection that held
    expect(connection).to_have_text(RECONNECTING)
    page.wait_for_timeout(9_000)
    # 0.5 s, then the wait doubles: tries 0.5, 1.5, 3.5, 7.5 s after the drop (refused at once).
    tries = tries_after_the_drop()
    assert len(tries) == 4, tries
    for at, expected in zip(tries, [0.5, 1.5, 3.5, 7.5], strict=True):
        assert expected - 0.05 <= at <= expected + 0.4, tries
    with room_daphne(tmp_path, port=port):
        # The next try comes at most 8 s after the last one (the cap); then it holds a while.
        expect(connection).to_have_text("已连接", timeout=30_000)
        page.wait_for_timeout(5_500)
    expect(connection).to_have_text(RECONNECTING)
    page.wait_for_timeout(1_500)
    # A connection that held resets the schedule: the first try after half a second again, not
    # after the cap's 8 s.
    tries = tries_after_the_drop()
    assert tries and 0.45 <= tries[0] <= 0.9, tries
    context.close()
    assert not violations, violations
