"""An owner drafts a tender in Chromium, staff publish it, and the lot page follows the chronograph.

The first publication is refused: the deadline is too early, and the refusal names the article
next to the field. The owner moves the deadline, staff publish, the database clock passes the
lot's opening time, a chronograph tick moves the lot, and the page shows it without a reload.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.conftest import ControlledClock
from trading.chronograph import chronograph_tick
from trading.models import Lot
from trading.services.demo import DEMO_PASSWORD
from trading.services.rules import calendar_seed, timeline_rules_seed

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# The clock fixture stands at 2026-11-30 12:00 Asia/Shanghai.
DOCUMENTS_ISSUED = "2026-11-30T13:00"
OPENS = "2026-11-30T14:00"
TOO_EARLY = "2026-12-10T09:00"  # 10 days: 招标投标法 第24条 asks for 20
LAWFUL = "2027-01-05T09:30"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def log_out(page: Page) -> None:
    page.click("form[action='/accounts/logout/'] button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def test_owner_drafts_staff_publish_after_a_refusal_and_the_lot_follows_the_chronograph(
    page: Page,
    live_server: object,
    demo: dict[str, int],
    clock: ControlledClock,
    tmp_path: Path,
) -> None:
    timeline_rules_seed()
    calendar_seed(range(2026, 2028))
    base = str(live_server)
    documents = tmp_path / "招标文件.pdf"
    documents.write_bytes(PDF)

    # The owner registers a project, a tender and a lot whose deadline is too early.
    log_in(page, base, "owner_school")
    page.locator("nav.site-nav").get_by_role("link", name="我的项目").click()
    page.get_by_role("link", name="登记项目").click()
    page.fill("#id_name", "海口市第二中学图书馆新建工程")
    page.select_option("#id_region", label="海口市")
    page.select_option("#id_business_type", label="工程建设项目招标投标")
    page.check("#id_state_funded")
    page.get_by_role("button", name="登记并继续").click()
    expect(page.locator("h1")).to_contain_text("创建招标项目")
    page.fill("#id_name", "第二中学图书馆施工")
    page.select_option("#id_procedure", label="公开招标（资格后审）")
    page.fill("#id_documents_issued_at", DOCUMENTS_ISSUED)
    page.get_by_role("button", name="创建并添加标段").click()
    expect(page.locator("h1")).to_contain_text("添加标段")
    page.fill("#id_name", "施工一标段")
    page.fill("#id_estimate", "8800000.00")
    page.fill("#id_deposit_amount", "160000.00")
    page.fill("#id_opens_at", OPENS)
    page.fill("#id_closes_at", TOO_EARLY)
    screenshot(page, "tender-flow-01-lot-form")
    page.get_by_role("button", name="保存标段").click()
    expect(page.locator(".message-success")).to_contain_text("已添加标段")
    # The pre-check already tells the owner; the owner submits anyway.
    expect(page.locator(".violation").first).to_contain_text("招标投标法 第24条")
    page.get_by_role("link", name="上传招标文件（PDF）").click()
    page.fill("#id_title", "第二中学图书馆施工招标文件")
    page.set_input_files("#id_file", str(documents))
    page.get_by_role("button", name="上传").click()
    expect(page.locator(".message-success")).to_contain_text("招标文件已上传")
    page.get_by_role("button", name="提交交易中心审核").click()
    expect(page.locator("#tender-status")).to_have_text("待审核")
    screenshot(page, "tender-flow-02-submitted")
    log_out(page)

    # Staff of the desk try to publish: refused, the violation shown next to the deadline.
    log_in(page, base, "staff_haikou")
    page.locator("nav.site-nav").get_by_role("link", name="交易科室").click()
    page.get_by_role("link", name="第二中学图书馆施工").first.click()
    page.get_by_role("button", name="审核通过并发布").click()
    lot_card = page.locator("[id^=lot-]").filter(has_text="施工一标段")
    deadline = lot_card.locator("tr", has_text="投标截止（开标）时间")
    expect(deadline.locator(".violation")).to_contain_text("招标投标法 第24条")
    expect(page.locator("#violations")).to_contain_text("不予发布")
    expect(page.locator("#tender-status")).to_have_text("待审核")
    screenshot(page, "tender-flow-03-publication-refused")
    page.fill("#id_reason", "投标截止时间距招标文件发出不足20日，请顺延。")
    page.get_by_role("button", name="退回修改").click()
    expect(page.locator(".message-success")).to_contain_text("已退回招标人修改")
    log_out(page)

    # The owner moves the deadline and submits again.
    log_in(page, base, "owner_school")
    page.locator("nav.site-nav").get_by_role("link", name="我的项目").click()
    page.get_by_role("link", name="第二中学图书馆施工").first.click()
    page.get_by_role("link", name="修改标段").click()
    expect(page.locator("#field-closes_at .violation")).to_contain_text("招标投标法 第24条")
    screenshot(page, "tender-flow-04-fixing-the-deadline")
    page.fill("#id_closes_at", LAWFUL)
    page.get_by_role("button", name="保存标段").click()
    expect(page.locator(".violation")).to_have_count(0)
    page.get_by_role("button", name="提交交易中心审核").click()
    expect(page.locator("#tender-status")).to_have_text("待审核")
    log_out(page)

    # Staff publish; the lot page shows it published, with its timeline and ledger.
    log_in(page, base, "staff_haikou")
    page.locator("nav.site-nav").get_by_role("link", name="交易科室").click()
    page.get_by_role("link", name="第二中学图书馆施工").first.click()
    page.get_by_role("button", name="审核通过并发布").click()
    expect(page.locator(".message-success")).to_contain_text("已发布")
    expect(page.locator("#tender-status")).to_have_text("已发布")
    page.get_by_role("link", name="施工一标段").click()
    expect(page.locator(".lot-status-now")).to_contain_text("已公告")
    expect(page.locator(".timeline")).to_contain_text("招标投标法 第24条")
    expect(page.locator(".ledger")).to_contain_text("审核发布")
    screenshot(page, "tender-flow-05-lot-published")

    # Time passes the opening of bidding; the chronograph moves the lot; the page follows.
    lot = Lot.objects.get(name="施工一标段", tender__name="第二中学图书馆施工")
    assert lot.opens_at is not None
    clock.set(lot.opens_at + timedelta(minutes=1))
    assert chronograph_tick() >= 1
    expect(page.locator(".lot-status-now")).to_contain_text("投标中", timeout=12_000)
    expect(page.locator(".changed")).to_contain_text("投标中")
    expect(page.locator(".ledger")).to_contain_text("开始投标")
    screenshot(page, "tender-flow-06-lot-bidding-by-the-chronograph")


def test_the_demo_consoles_show_every_state_and_the_training_tenders_move(
    page: Page, live_server: object, demo: dict[str, int], clock: ControlledClock, settings: object
) -> None:
    from trading.services.demo_tenders import demo_tenders_seed

    settings.DEMO = True  # type: ignore[attr-defined]
    demo_tenders_seed()
    base = str(live_server)

    log_in(page, base, "owner_school")
    page.locator("nav.site-nav").get_by_role("link", name="我的项目").click()
    screenshot(page, "consoles-01-owner")
    expect(page.locator(".todos")).to_contain_text("提交交易中心审核")
    expect(page.locator("main")).to_contain_text("公示至")
    page.get_by_role("link", name="培训演示项目").click()
    expect(page.locator("main")).to_contain_text("培训演示")
    page.get_by_role("link", name="施工标段").first.click()
    expect(page.locator(".lot-status-now")).to_contain_text("已公告")
    clock.set(clock.now + timedelta(minutes=2))
    chronograph_tick()
    expect(page.locator(".lot-status-now")).to_contain_text("投标中", timeout=12_000)
    screenshot(page, "consoles-02-training-lot")
    log_out(page)

    log_in(page, base, "staff_sanya")
    page.locator("nav.site-nav").get_by_role("link", name="交易科室").click()
    expect(page.locator("main")).to_contain_text("流标/流拍")
    screenshot(page, "consoles-03-staff")
    page.select_option("#id_status", label="公示")
    page.get_by_role("button", name="筛选").click()
    screenshot(page, "consoles-04-staff-filtered")
