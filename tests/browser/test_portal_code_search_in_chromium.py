"""A visitor copies the start of the tender code a portal row prints into the search box and finds
that tender's notices, and only those."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.conftest import ControlledClock
from tests.portal_data import publish_row
from tests.tenders import make_tender, make_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_typing_the_start_of_a_tender_code_in_the_portal_search_finds_its_notice(
    page: Page, live_server: Any, clock: ControlledClock
) -> None:
    world = make_world()
    roads = make_tender(world, name="海口市道路改造工程")
    school = make_tender(world, name="三亚市学校教学楼工程")
    publish_row(roads, title="海口市道路改造工程招标公告")
    clock.advance(minutes=5)
    publish_row(school, title="三亚市学校教学楼工程招标公告")

    page.goto(f"{live_server}/notices/")
    row = page.locator("table.portal-list tbody tr").filter(has_text="海口市道路改造工程招标公告")
    printed = row.locator(".code").inner_text().strip()
    assert printed == roads.code

    # The project part of the code (its first 17 characters), the last three (the tender's
    # number within the project) left off, as a person copies a cut-off row.
    page.get_by_label("关键词").fill(printed[:17])
    page.get_by_role("button", name="查询").click()

    results = page.locator("table.portal-list tbody tr")
    expect(page.locator("table.portal-list caption")).to_contain_text("搜索结果")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("海口市道路改造工程招标公告")
    expect(results.first.locator(".code")).to_have_text(roads.code)
    screenshot(page, "portal-code-search")
