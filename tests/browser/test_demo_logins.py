"""Each demo account logs in through Chromium and sees the navigation of its role."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from trading.services.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

ALL_LABELS = {
    "工作台",
    "交易科室",
    "中心管理",
    "主体核验",
    "监管台",
    "我的项目",
    "我的投标",
    "主体与证照",
    "评标任务",
    "消息",
    "平台管理",
}

# 管办分离: what each role's navigation offers, and by implication everything it must not.
EXPECTED = [
    ("admin", {"平台管理"}),
    # The center's administrator holds no desk: its console, the registrations, and the admin
    # site for the rule rows and the holiday table.
    ("center_admin", {"工作台", "中心管理", "主体核验", "消息", "平台管理"}),
    ("staff_haikou", {"工作台", "交易科室", "主体核验", "消息"}),
    ("staff_sanya", {"工作台", "交易科室", "主体核验", "消息"}),
    ("staff_land", {"工作台", "交易科室", "主体核验", "消息"}),
    ("reg_housing", {"监管台", "消息"}),
    ("reg_finance", {"监管台", "消息"}),
    ("reg_land", {"监管台", "消息"}),
    ("owner_school", {"我的项目", "消息"}),
    ("owner_land", {"我的项目", "消息"}),
    ("agency", {"我的项目", "消息"}),
    ("bidder1", {"我的投标", "主体与证照", "消息"}),
    ("bidder2", {"我的投标", "主体与证照", "消息"}),
    ("bidder3", {"我的投标", "主体与证照", "消息"}),
    ("bidder_new", {"我的投标", "主体与证照", "消息"}),
    ("expert1", {"评标任务", "消息"}),
    ("expert2", {"评标任务", "消息"}),
]


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def _nav_labels(page: Page) -> set[str]:
    texts = page.locator("nav.site-nav a").all_inner_texts()
    # The inbox link carries its unread badge: keep the label only.
    return {text.split("\n")[0].strip().rstrip("0123456789 ").strip() for text in texts}


def test_every_demo_account_sees_the_navigation_of_its_role(
    page: Page, live_server: object, demo: dict[str, int]
) -> None:
    base = str(live_server)
    for username, expected in EXPECTED:
        _log_in(page, base, username)
        expect(page.locator("nav.site-nav")).to_be_visible()
        labels = _nav_labels(page) & ALL_LABELS
        assert labels == expected, f"{username}: {labels}"
        screenshot(page, f"login-{username}")
        page.click("form[action='/accounts/logout/'] button[type=submit]")
        expect(page.locator("nav.site-nav")).to_contain_text("登录")


def test_the_public_home_page_shows_8_regions_and_9_business_types(
    page: Page, live_server: object, demo: dict[str, int]
) -> None:
    page.goto(str(live_server) + "/")
    body = page.locator("main")
    for name in ("海口市", "三亚市", "儋州市", "琼海市", "文昌市", "万宁市", "五指山市", "东方市"):
        expect(body).to_contain_text(name)
    for name in ("工程建设项目招标投标", "政府采购", "矿业权出让", "碳排放权交易", "其他交易"):
        expect(body).to_contain_text(name)
    screenshot(page, "home")


def test_the_unverified_bidder_is_told_it_must_wait(
    page: Page, live_server: object, demo: dict[str, int]
) -> None:
    _log_in(page, str(live_server), "bidder_new")
    expect(page.locator("main")).to_contain_text("核验")
    screenshot(page, "bidder-unverified")


def test_switching_to_english_translates_the_navigation(
    page: Page, live_server: object, demo: dict[str, int]
) -> None:
    _log_in(page, str(live_server), "bidder1")
    page.click("form.language-switch button[value=en]")
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.site-nav")).to_contain_text("My bids")
    expect(page.locator("nav.site-nav")).to_contain_text("Messages")
    screenshot(page, "bidder-english")
