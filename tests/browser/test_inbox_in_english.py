"""In Chromium: a message written once reads in Chinese, then in English after the reader switches
the site's language; the choice is kept on the account for e-mail and SMS."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext_noop
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_tender_flow import log_in
from tests.conftest import ControlledClock
from trading.models import User
from trading.services.notifications import notification_send
from trading.translatable import Message, Word

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_inbox_reads_in_the_language_the_reader_switches_to(
    page: Page, live_server: object, demo: dict[str, int], clock: ControlledClock
) -> None:
    base = str(live_server)
    staff = User.objects.get(username="staff_haikou")
    owner = User.objects.get(username="owner_school")
    notification_send(
        recipients=[staff],
        kind="tender.submitted",
        title=Message(
            gettext_noop("待审核：%(code)s %(name)s"),
            code="46010020260000009001",
            name="第二中学图书馆施工",
        ),
        body=Message(gettext_noop("请审核该招标项目的公告、文件和时间安排后发布。")),
        url="/workspace/desks/review/",
    )
    notification_send(
        recipients=[staff],
        kind="award.letter_issued",
        title=Message(
            gettext_noop("%(letter)s已发出，请签订合同：%(code)s"),
            letter=Word("中标通知书"),
            code="46010020260000009001001",
        ),
    )

    log_in(page, base, "staff_haikou")
    page.goto(f"{base}/inbox/")
    titles = page.locator(".notification-title")
    expect(titles.first).to_contain_text("中标通知书已发出，请签订合同：46010020260000009001001")
    expect(titles.nth(1)).to_contain_text("待审核：46010020260000009001 第二中学图书馆施工")

    page.locator("form.language-switch button[lang=en]").click()
    page.wait_for_load_state("domcontentloaded")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(titles.first).to_contain_text(
        "The Award letter has been issued, please sign the contract: 46010020260000009001001"
    )
    expect(titles.nth(1)).to_contain_text(
        "Awaiting review: 46010020260000009001 第二中学图书馆施工"
    )
    expect(page.locator(".notification-body").first).to_contain_text(
        "Please review the notice, documents and schedule of this tender, then publish it."
    )
    expect(page.locator("main")).not_to_contain_text("待审核")
    expect(page.locator("main")).not_to_contain_text("请签订合同")
    screenshot(page, "inbox-in-english")
    staff.refresh_from_db()
    owner.refresh_from_db()
    assert (staff.language, owner.language) == ("en", "")
