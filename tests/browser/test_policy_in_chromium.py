"""Pages work in Chromium under the Content-Security-Policy (the `page` fixture fails on any
violation Chromium reports): the portal, the verification page, the login, and the admin.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from trading.services.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_public_pages_and_the_admin_run_without_a_policy_violation(
    page: Page, live_server: object, demo: dict[str, int]
) -> None:
    base = str(live_server)
    for path in ("/", "/notices/", "/verify/", "/verify/?code=ABCD-EFGH", "/accounts/login/"):
        response = page.goto(base + path)
        assert response is not None
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        expect(page.locator("main")).to_be_visible()

    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(base + "/admin/trading/region/")
    expect(page.locator("#result_list")).to_be_visible()
    page.goto(base + "/admin/trading/region/add/")
    expect(page.locator("#region_form")).to_be_visible()
