"""A supervisor suspends a lot in Chromium; the owner's and the desk's pages show it suspended;
the supervisor lifts its suspension and the lot runs again (实施条例 第62条; 管办分离)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.conftest import ControlledClock
from tests.factories import PASSWORD
from tests.tenders import first_lot, make_tender, make_world
from trading.models import Lot, User

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page: Page, base: str, user: User) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def _lot_page_shows_suspended(page: Page, base: str, user: User, lot: Lot) -> None:
    _log_in(page, base, user)
    page.goto(f"{base}/lots/{lot.pk}/")
    expect(page.locator(".lot-status-suspended").first).to_be_visible()


def test_a_supervisor_suspends_a_lot_and_lifts_the_suspension(
    page: Page, live_server: object, clock: ControlledClock
) -> None:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    base = str(live_server)
    supervision = f"{base}/supervision/lots/{lot.pk}/"

    _log_in(page, base, world.regulator)
    page.goto(supervision)
    page.fill("textarea[name=hold-reason]", "接举报，核查招标文件是否含有倾向性条款")
    page.get_by_role("button", name="暂停", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("#lot-status")).to_contain_text("已暂停")
    expect(page.locator(".holds")).to_contain_text("接举报，核查招标文件是否含有倾向性条款")
    screenshot(page, "supervision-hold")

    _lot_page_shows_suspended(page, base, world.owner_user, lot)
    _lot_page_shows_suspended(page, base, world.staff, lot)

    _log_in(page, base, world.regulator)
    page.goto(supervision)
    page.fill("textarea[name=lift-reason]", "核查完毕，招标文件无违法条款")
    page.get_by_role("button", name="解除本部门的暂停").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("#lot-status")).not_to_contain_text("已暂停")
    expect(page.get_by_text("该标段没有暂停。")).to_be_visible()
    lot.refresh_from_db()
    assert lot.suspended_at is None
