"""In Chromium, the bidder's whole way in (issue 11): a new bidder registers with its business
licence, staff verify it, it completes its profile and adds a certificate, enrols in an open lot,
pays its deposit through the demo bank and sees the deposit confirmed in its workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bidding.models import Enrolment
from tests.browser.conftest import screenshot
from tests.browser.test_tender_flow import log_in, log_out
from tests.conftest import ControlledClock
from tests.tenders import first_lot, make_tender, make_world
from trading.domain import uscc
from trading.services.demo import demo_licence_pdf

pytestmark = pytest.mark.django_db(transaction=True)

BODY = "91460100MA5T00077"
CODE = BODY + uscc.check_character(BODY)
NAME = "海口椰林建设工程有限公司"
PASSWORD = "Ye-Lin-2026-Haikou!"


def _sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "yelin")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def test_a_new_bidder_registers_enrols_and_pays_its_deposit_through_the_demo_bank(
    page: Page,
    live_server: object,
    demo: dict[str, int],
    clock: ControlledClock,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    base = str(live_server)
    lot = first_lot(make_tender(make_world(business_type="engineering"), name="椰林路改造工程"))
    licence = tmp_path / "licence.pdf"
    licence.write_bytes(demo_licence_pdf(CODE))
    certificate = tmp_path / "certificate.pdf"
    certificate.write_bytes(demo_licence_pdf("D246000077"))

    # Registration, with the business licence.
    page.goto(f"{base}/accounts/register/")
    page.fill("#id_name", NAME)
    page.select_option("#id_kind", value="bidder")
    page.fill("#id_uscc", CODE)
    page.fill("#id_contact_phone", "0898-66660077")
    page.set_input_files("#id_licence", str(licence))
    page.fill("#id_username", "yelin")
    page.fill("#id_email", "bid@yelin.example")
    page.fill("#id_phone", "13907560077")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_again", PASSWORD)
    page.get_by_role("button", name="提交注册").click()
    expect(page.locator("body")).to_contain_text("注册成功")
    log_out(page)

    # The desk verifies it.
    log_in(page, base, "staff_haikou")
    page.locator("nav.site-nav").get_by_role("link", name="主体核验").click()
    page.get_by_role("button", name=f"核验“{NAME}”").click()
    expect(page.locator("body")).to_contain_text(f"已核验主体“{NAME}”。")
    log_out(page)

    # The bidder completes its profile and keeps a certificate in its vault.
    _sign_in(page, base)
    page.locator("#vault-summary").get_by_role("link", name="主体信息").click()
    page.fill("#id_legal_representative", "林椰")
    page.fill("#id_basic_account_bank", "中国工商银行海口分行")
    page.fill("#id_basic_account_name", NAME)
    page.fill("#id_basic_account_number", "2201 0200 0900 0777 888")
    page.fill("#id_contact_name", "林小椰")
    page.fill("#id_contact_phone", "0898-66660078")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#profile-state")).to_contain_text("主体信息完整")
    page.get_by_role("link", name="证照库").first.click()
    page.get_by_role("link", name="添加证书").click()
    page.select_option("#id_kind", value="qualification")
    page.fill("#id_name", "建筑工程施工总承包资质")
    page.fill("#id_number", "D246000077")
    page.fill("#id_grade", "建筑工程施工总承包贰级")
    page.fill("#id_issuer", "海南省住房和城乡建设厅")
    page.fill("#id_issued_on", "2024-03-01")
    page.fill("#id_expires_on", "2029-03-01")
    page.set_input_files("#id_file", str(certificate))
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#vault")).to_contain_text("D246000077")

    # It finds the open lot on its workspace and enrols alone.
    page.locator("nav.site-nav").get_by_role("link", name="我的投标").click()
    page.locator(f"#tender-{lot.tender_id}").get_by_role("link", name="报名").click()
    page.get_by_role("button", name="确认报名").click()
    expect(page.locator(".messages")).to_contain_text("报名成功")
    enrolment = Enrolment.objects.get(lot=lot)

    # Its workspace lists the lot with what to do next: the deposit is not there yet.
    page.locator("nav.site-nav").get_by_role("link", name="我的报名").click()
    row = page.locator(f"#enrolment-{enrolment.pk}")
    expect(row).to_contain_text(enrolment.bidder_number)
    expect(row).to_contain_text("缴纳投标保证金")
    expect(row.locator("td.deposit")).to_contain_text("未足额到账")
    screenshot(page, "bidder-workspace-before-deposit")

    # The demo bank: the transfer from the basic account the profile names.
    row.locator("td.deposit").get_by_role("link").first.click()
    page.get_by_role("link", name="演示银行转账").click()
    expect(page.locator("#id_payer_account")).to_have_value("2201020009000777888")
    page.fill("#id_amount", str(lot.deposit_amount))
    page.get_by_role("button", name="转账").click()
    expect(page.locator(".messages")).to_contain_text("到账通知已送达平台")
    expect(page.locator("#deposit-state")).to_have_text("已足额到账")

    # Back on its workspace: confirmed, and nothing left to pay.
    page.locator("nav.site-nav").get_by_role("link", name="我的报名").click()
    row = page.locator(f"#enrolment-{enrolment.pk}")
    expect(row.locator("td.deposit")).to_contain_text("已足额到账")
    expect(row.locator("td.next")).not_to_contain_text("缴纳投标保证金")
    expect(row.locator("td.next")).to_contain_text("递交投标文件")
    screenshot(page, "bidder-workspace-deposit-confirmed")
