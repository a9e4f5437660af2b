"""A complaint's documents in Chromium: a citizen finds a procurement complaint's decision from the
tender's notice on the portal and downloads it; the complainant downloads its 受理通知书 from its
complaint page. The documents are rendered with the real WeasyPrint renderer (called directly: no
Celery worker runs in tests)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from notices.complaint_delivery import RENDER, complaint_document_render_and_store
from notices.models import ComplaintDocument, Notice, NoticeKind
from notices.services import notice_approve
from notices.tasks import notice_render_and_publish
from tests.browser.conftest import screenshot
from tests.browser.test_portal_verify import log_in
from tests.conftest import ControlledClock
from tests.notices import deliver_events, fake_render, queued_renders
from tests.tenders import first_lot, make_tender, make_world
from trading.chronograph import chronograph_tick, due_work_override
from trading.services.complaints import complaint_accept, complaint_decide, complaint_file
from trading.services.objections import objection_answer, objection_raise

pytestmark = pytest.mark.django_db(transaction=True)

TENDER_NAME = "海口市政务云服务采购项目"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    # The live server runs in this process: it serves the PDFs the render stores here.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CHRONOGRAPH_POKE = False


def test_a_citizen_finds_the_decision_and_the_complainant_its_acceptance(
    page: Page,
    live_server: Any,
    clock: ControlledClock,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from notices import tasks

    base = str(live_server)
    world = make_world(business_type="procurement")
    lot = first_lot(make_tender(world, name=TENDER_NAME))
    bidder = world.bidder_users[0]
    clock.advance(days=1)
    objection = objection_raise(
        lot=lot, stage="documents", text="技术参数指向特定品牌", actor=bidder
    )
    objection_answer(objection=objection, answer="参数合理", actor=world.owner_user)
    clock.set(objection.answer_due + timedelta(hours=1))
    complaint = complaint_file(lot=lot, objection=objection, grounds="答复不成立", actor=bidder)
    complaint_accept(complaint=complaint, actor=world.regulator)
    clock.advance(days=3)
    complaint_decide(
        complaint=complaint, upheld=False, reasons="技术参数有市场调研依据", actor=world.regulator
    )
    renders: list[int] = []
    monkeypatch.setattr(
        tasks.complaint_document_render, "apply_async", lambda args, **_: renders.append(args[0])
    )
    with queued_renders(monkeypatch):
        deliver_events(clock)
        announcement = Notice.objects.get(tender=lot.tender, kind=NoticeKind.ANNOUNCEMENT)
        notice_approve(notice=announcement, actor=world.staff, clock=clock)
        notice_render_and_publish(announcement.pk, render=fake_render, clock=clock)
    with due_work_override(RENDER):
        chronograph_tick(clock=clock)
    for document_id in renders:
        complaint_document_render_and_store(document_id, clock=clock)
    decision = ComplaintDocument.objects.get(kind="complaint_decision")
    assert decision.published_at is not None

    # A citizen reads the tender's announcement and follows it to the complaint decisions.
    page.goto(f"{base}/notices/{announcement.pk}/")
    page.get_by_role("link", name="本项目的投诉处理结果").click()
    row = page.locator("tbody tr").filter(has_text=lot.code)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(decision.issuer)
    screenshot(page, "complaint-01-portal-decisions")
    with page.expect_download() as download_info:
        row.get_by_role("link", name="投诉处理决定书（PDF）").click()
    downloaded = tmp_path / "决定书.pdf"
    download_info.value.save_as(downloaded)
    with decision.pdf.open("rb") as stream:
        assert downloaded.read_bytes() == stream.read()

    # The complainant signs in and downloads its 受理通知书 from its complaint page.
    log_in(page, base, bidder.username)
    page.goto(f"{base}/complaints/{complaint.pk}/")
    screenshot(page, "complaint-02-bidder-complaint-page")
    # The link opens the PDF in the browser (inline: a document still rendering shows a page
    # that says so instead); fetched here with the page's own session.
    link = page.get_by_role("link", name="投诉受理通知书（PDF）")
    href = link.get_attribute("href")
    assert href is not None
    response = page.request.get(f"{base}{href}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    accepted = ComplaintDocument.objects.get(kind="complaint_accepted")
    with accepted.pdf.open("rb") as stream:
        assert response.body() == stream.read()
