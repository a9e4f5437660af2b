"""In Chromium: a new bidder completes its profile (its basic account in its own name) and adds
a certificate to its vault; the staff checking its registration read both."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_tender_flow import log_in, log_out
from trading.services.demo import demo_licence_pdf

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_bidder_completes_its_profile_and_vault_and_staff_read_them(
    page: Page, live_server: object, demo: dict[str, int], tmp_path: Path
) -> None:
    base = str(live_server)
    scan = tmp_path / "licence.pdf"
    scan.write_bytes(demo_licence_pdf("JZ2024000011"))

    log_in(page, base, "bidder_new")
    expect(page.locator("#vault-summary")).to_contain_text("主体信息不完整")
    page.locator("#vault-summary").get_by_role("link", name="主体信息").click()
    page.fill("#id_legal_representative", "吴椰风")
    page.fill("#id_basic_account_bank", "中国农业银行文昌支行")
    page.fill("#id_basic_account_name", "吴椰风")
    page.fill("#id_basic_account_number", "2201 0210 0900 0555 666")
    page.fill("#id_contact_name", "吴小妹")
    page.fill("#id_contact_phone", "0898-63331111")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#field-basic_account_name")).to_contain_text(
        "基本存款账户户名必须与主体名称“文昌椰风科技有限公司”一致。"
    )
    page.fill("#id_basic_account_name", "文昌椰风科技有限公司")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#profile-state")).to_contain_text("主体信息完整")

    page.get_by_role("link", name="证照库").first.click()
    page.get_by_role("link", name="添加证书").click()
    page.select_option("#id_kind", value="licence")
    page.fill("#id_name", "安全生产许可证")
    page.fill("#id_number", "JZ2024000011")
    page.fill("#id_issuer", "海南省住房和城乡建设厅")
    page.fill("#id_issued_on", "2024-03-01")
    page.fill("#id_expires_on", "2026-12-20")
    page.set_input_files("#id_file", str(scan))
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#vault")).to_contain_text("JZ2024000011")
    expect(page.locator("#vault")).to_contain_text("即将到期")
    screenshot(page, "certificate-vault")
    log_out(page)

    log_in(page, base, "staff_haikou")
    page.locator("nav.site-nav").get_by_role("link", name="主体核验").click()
    row = page.locator("#awaiting tr", has_text="文昌椰风科技有限公司")
    row.get_by_role("link", name="主体信息与证照库").click()
    expect(page.locator("#profile-facts")).to_contain_text("2201021009000555666")
    expect(page.locator("#vault")).to_contain_text("JZ2024000011")
    expect(page.locator("#vault")).not_to_contain_text("停用")
