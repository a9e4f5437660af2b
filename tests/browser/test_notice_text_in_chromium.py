"""Staff read a notice before approving it; the public read it on its page, the PDF its original.

The notice comes as in production: a published tender's announcement is drafted by the notices
receivers, desk staff approve it in the browser, and the render task (called here, no Celery worker
in tests) publishes it with the real WeasyPrint renderer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from notices.models import Notice, NoticeKind, NoticeStatus
from notices.services import notice_approve
from notices.tasks import notice_render_and_publish
from tests.browser.conftest import screenshot
from tests.conftest import ControlledClock
from tests.factories import PASSWORD
from tests.notices import deliver_events, queued_renders
from tests.tenders import World, make_tender, make_world

pytestmark = pytest.mark.django_db(transaction=True)

TENDER_NAME = "三亚市凤凰路排水管网改造工程"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world()


@pytest.fixture
def draft(world: World, clock: ControlledClock) -> Notice:
    make_tender(world, name=TENDER_NAME)
    deliver_events(clock)
    return Notice.objects.get(kind=NoticeKind.ANNOUNCEMENT)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def test_staff_read_the_notice_and_where_it_goes_before_approving_it(
    page: Page,
    live_server: Any,
    world: World,
    draft: Notice,
    clock: ControlledClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = str(live_server)
    log_in(page, base, world.staff.username)
    page.goto(f"{base}/workspace/notices/{draft.pk}/")

    document = page.get_by_role("region", name="公告全文", exact=True)
    expect(document).to_be_visible()
    expect(document.get_by_role("heading", name=draft.title)).to_be_visible()
    expect(document.get_by_role("table", name="项目概况")).to_be_visible()
    expect(document).to_contain_text(draft.verification_code)
    expect(page.get_by_text(f"/notices/{draft.pk}/")).to_be_visible()
    expect(page.get_by_text("不单独通知任何单位")).to_be_visible()
    # The preview comes before the button that approves it.
    preview_top = document.bounding_box()
    approve = page.get_by_role("button", name="审核通过")
    approve_top = approve.bounding_box()
    assert preview_top is not None and approve_top is not None
    assert preview_top["y"] < approve_top["y"]
    screenshot(page, "notice-preview-staff")

    with queued_renders(monkeypatch) as queued:
        approve.click()
        page.wait_for_load_state("domcontentloaded")
    assert queued == [draft.pk]
    draft.refresh_from_db()
    assert draft.status == NoticeStatus.SCHEDULED


def test_the_public_read_the_notice_on_its_page_with_the_pdf_as_the_original(
    page: Page,
    live_server: Any,
    world: World,
    draft: Notice,
    clock: ControlledClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with queued_renders(monkeypatch):
        notice_approve(notice=draft, actor=world.staff, clock=clock)
    published = notice_render_and_publish(draft.pk, clock=clock)
    assert published is not None and published.status == NoticeStatus.PUBLISHED
    base = str(live_server)

    page.goto(f"{base}/notices/{draft.pk}/")

    expect(page.get_by_role("heading", level=1)).to_have_text(draft.title)
    document = page.get_by_role("region", name="公告全文", exact=True)
    expect(document.get_by_role("table", name="项目概况")).to_be_visible()
    expect(document.get_by_role("rowheader").first).to_be_visible()
    expect(document).to_contain_text(TENDER_NAME)
    original = page.get_by_role("link", name="原件（PDF）", exact=True)
    expect(original).to_be_visible()
    response = page.request.get(f"{base}{original.get_attribute('href')}")
    assert response.ok and response.body().startswith(b"%PDF")
    screenshot(page, "notice-html-portal")

    # Printed, the page is the document: no site navigation, no search form.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(document).to_be_visible()
