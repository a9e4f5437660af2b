"""In Chromium: a bidder pays its deposit through the demo bank and sees it confirmed, with the
sub-account number it paid into."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bidding.models import DepositAccount
from tests.browser.conftest import screenshot
from tests.conftest import ControlledClock
from tests.deposits import BASIC_ACCOUNT, enrol
from tests.factories import PASSWORD
from tests.tenders import first_lot, make_tender, make_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_bidder_pays_through_the_demo_bank_and_sees_the_deposit_confirmed(
    page: Page, live_server: object, clock: ControlledClock, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    base = str(live_server)
    world = make_world(business_type="engineering")
    user = world.bidder_users[0]
    enrolment = enrol(first_lot(make_tender(world)), world.bidders[0], user)

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("domcontentloaded")

    page.goto(f"{base}/bidding/enrolments/{enrolment.pk}/deposit/")
    expect(page.locator("#deposit-state")).to_have_text("未足额到账")
    number = DepositAccount.objects.get(enrolment=enrolment).number
    expect(page.locator("#deposit-account")).to_have_text(number)

    page.get_by_role("link", name="演示银行转账").click()
    expect(page.locator("#id_payer_account")).to_have_value(BASIC_ACCOUNT)
    page.fill("#id_amount", "20000.001")
    page.get_by_role("button", name="转账").click()
    expect(page.locator("#amount_error")).to_contain_text("两位小数")

    page.fill("#id_amount", "20000.00")
    page.get_by_role("button", name="转账").click()
    expect(page.locator("#deposit-state")).to_have_text("已足额到账")
    expect(page.locator(".messages")).to_contain_text("到账通知已送达平台")
    screenshot(page, "deposit-demo-bank")
