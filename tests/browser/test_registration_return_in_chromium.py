"""In Chromium: a registration with its licence is returned by the center's administrator with a
reason, the applicant reads it, uploads a new licence and resubmits, and staff verify it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_tender_flow import log_in, log_out
from trading.domain import uscc
from trading.models import Organisation
from trading.services.demo import demo_licence_pdf

pytestmark = pytest.mark.django_db(transaction=True)

BODY = "91469005MA5T00002"
CODE = BODY + uscc.check_character(BODY)


def test_a_returned_registration_is_corrected_and_verified(
    page: Page, live_server: object, demo: dict[str, int], tmp_path: Path
) -> None:
    base = str(live_server)
    licence = tmp_path / "licence.pdf"
    licence.write_bytes(demo_licence_pdf(CODE))

    page.goto(f"{base}/accounts/register/")
    page.fill("#id_name", "文昌海浪贸易有限公司")
    page.select_option("#id_kind", value="bidder")
    page.fill("#id_uscc", CODE)
    page.fill("#id_contact_phone", "0898-6333000")
    page.set_input_files("#id_licence", str(licence))
    page.fill("#id_username", "hailang")
    page.fill("#id_email", "bid@hailang.example")
    page.fill("#id_phone", "13907560001")
    page.fill("#id_password", "Qiong-Hai-2026!")
    page.fill("#id_password_again", "Qiong-Hai-2026!")
    page.get_by_role("button", name="提交注册").click()
    expect(page.locator("body")).to_contain_text("注册成功")
    log_out(page)

    log_in(page, base, "center_admin")
    page.locator("nav.site-nav").get_by_role("link", name="主体核验").click()
    row = page.locator("#awaiting tr", has_text="文昌海浪贸易有限公司")
    expect(row.get_by_role("link", name="查看营业执照")).to_be_visible()
    row.locator("textarea").fill("联系电话少一位，请核对。")
    row.get_by_role("button", name="退回“文昌海浪贸易有限公司”补正").click()
    expect(page.locator("#answered")).to_contain_text("联系电话少一位，请核对。")
    screenshot(page, "registration-returned")
    page.locator("nav.site-nav").get_by_role("link", name="中心管理").click()
    expect(page.locator("#desks")).to_contain_text("王海 (海口工程·政采)")
    screenshot(page, "center-console")
    log_out(page)

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "hailang")
    page.fill("input[name=password]", "Qiong-Hai-2026!")
    page.click("form[action='/accounts/login/'] button[type=submit]")
    expect(page.locator("main")).to_contain_text("联系电话少一位，请核对。")
    page.get_by_role("link", name="查看本主体登记").click()
    page.fill("#id_contact_phone", "0898-63330000")
    page.set_input_files("#id_licence", str(licence))
    page.get_by_role("button", name="重新提交核验").click()
    expect(page.locator("#verification-state")).to_contain_text("等待交易中心核验")
    log_out(page)

    log_in(page, base, "staff_haikou")
    page.locator("nav.site-nav").get_by_role("link", name="主体核验").click()
    page.get_by_role("button", name="核验“文昌海浪贸易有限公司”").click()
    expect(page.locator("body")).to_contain_text("已核验主体“文昌海浪贸易有限公司”。")
    assert Organisation.objects.get(uscc=CODE).contact_phone == "0898-63330000"
