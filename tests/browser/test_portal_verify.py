"""The public finds a result in Chinese, the winner downloads its award letter, anyone verifies it.

The data comes the way it does in production: a tender runs to its award through the trading
services, the notices receivers draft the result notice and the 中标通知书, desk staff approve
them, and the render task publishes them with the real WeasyPrint renderer (called directly: no
Celery worker runs in tests). Then Chromium: search the portal for a two-character word, open the
result, sign in as the winning bidder, download the letter from 我的文件, and check it on the
verification page by upload, by code, and as a copy with one byte changed.
"""

from __future__ import annotations

from datetime import timedelta
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
from tests.tenders import (
    World,
    closes,
    first_lot,
    make_tender,
    make_world,
    opens,
    publicity_end,
    record_outcome,
)
from trading.chronograph import chronograph_tick
from trading.models import Lot
from trading.services.awards import award_confirm

pytestmark = pytest.mark.django_db(transaction=True)

TENDER_NAME = "海口市滨海大道道路改造工程"
SEARCH_WORD = "道路"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    # The live server runs in this process: it serves the PDFs the publisher stores here.
    settings.MEDIA_ROOT = tmp_path / "media"


def awarded_lot(clock: ControlledClock) -> tuple[World, Lot]:
    """A lot run from publication to its award, each step at its lawful time."""
    world = make_world()
    lot = first_lot(make_tender(world, name=TENDER_NAME))
    for moment in (opens(lot), closes(lot)):
        clock.set(moment + timedelta(minutes=1))
        chronograph_tick(clock=clock)
    lot = record_outcome(world, lot)
    clock.set(publicity_end(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    award_confirm(lot=lot, candidate=lot.candidates.get(rank=1), actor=world.owner_user)
    lot.refresh_from_db()
    return world, lot


def publish(notice: Notice, world: World, clock: ControlledClock) -> Notice:
    """Desk staff approve; the render task (run here, not in Celery) renders and publishes."""
    notice_approve(notice=notice, actor=world.staff, clock=clock)
    published = notice_render_and_publish(notice.pk, clock=clock)
    assert published is not None and published.status == NoticeStatus.PUBLISHED, (
        published and published.render_error
    )
    return published


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def test_the_public_finds_a_result_in_chinese_and_the_winner_verifies_its_award_letter(
    page: Page,
    live_server: Any,
    clock: ControlledClock,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    base = str(live_server)
    world, lot = awarded_lot(clock)
    with queued_renders(monkeypatch):
        deliver_events(clock)
        result = Notice.objects.get(lot=lot, kind=NoticeKind.RESULT)
        letter = Notice.objects.get(lot=lot, kind=NoticeKind.AWARD_LETTER)
        assert letter.addressee_id == world.bidders[0].pk
        clock.advance(minutes=5)
        result = publish(result, world, clock)
        letter = publish(letter, world, clock)
    winner = world.bidder_users[0]

    # The public searches the portal from the home page for a two-character word.
    page.goto(f"{base}/")
    page.fill("#portal-q", SEARCH_WORD)
    screenshot(page, "portal-01-home-search")
    page.locator("form.portal-search").get_by_role("button", name="搜索").click()
    expect(page.locator("table.portal-list")).to_be_visible()
    expect(page.locator("table.portal-list caption")).to_contain_text("搜索结果")
    expect(page.get_by_role("link", name=result.title)).to_be_visible()
    screenshot(page, "portal-02-search-results")

    # It opens the result announcement: the tender, the lot, the code and hash of the original.
    page.get_by_role("link", name=result.title).click()
    expect(page.locator("h1")).to_have_text(result.title)
    expect(page.locator("article.notice")).to_contain_text(TENDER_NAME)
    expect(page.locator("article.notice")).to_contain_text(lot.code)
    # The code shows in the text (by the QR code) and next to the original's hash.
    expect(page.locator("dd.code", has_text=result.verification_code)).to_be_visible()
    expect(page.get_by_text(result.pdf_sha256)).to_be_visible()
    screenshot(page, "portal-03-result-notice")

    # The winner signs in and finds the letter addressed to it under 我的文件.
    log_in(page, base, winner.username)
    page.goto(f"{base}/my/documents/")
    row = page.locator("tbody tr").filter(has_text="中标通知书")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(letter.verification_code)
    screenshot(page, "portal-04-my-documents")
    with page.expect_download() as download_info:
        row.get_by_role("link", name="PDF").click()
    downloaded = tmp_path / "中标通知书.pdf"
    download_info.value.save_as(downloaded)
    content = downloaded.read_bytes()
    assert content.startswith(b"%PDF-")
    with letter.pdf.open("rb") as stream:
        assert content == stream.read()

    # Anyone verifies the downloaded file by uploading it: genuine, with its tender and lot.
    page.goto(f"{base}/verify/")
    page.set_input_files("#verify-document", str(downloaded))
    page.get_by_role("button", name="上传并核验").click()
    verdict = page.locator("#verdict-title")
    expect(verdict).to_have_text("✓ 真实有效")
    expect(page.get_by_role("status")).to_contain_text("完全一致")
    facts = page.locator("section.card dl.facts")
    expect(facts).to_contain_text(TENDER_NAME)
    expect(facts).to_contain_text(lot.code)
    expect(facts).to_contain_text(letter.pdf_sha256)
    expect(facts).to_contain_text("SHA256")
    screenshot(page, "portal-05-verified-by-upload")

    # ... or by the code printed on it, typed as a person would (lower case, spaces).
    code = facts.locator("dd.code").first.inner_text()
    assert code == letter.verification_code
    page.fill("#verify-code", code.lower().replace("-", " "))
    page.get_by_role("button", name="核验", exact=True).click()
    expect(verdict).to_have_text("✓ 真实有效")
    expect(page.get_by_role("status")).to_contain_text("验证码有效")
    expect(facts).to_contain_text(lot.code)
    screenshot(page, "portal-06-verified-by-code")

    # A copy with one byte changed is not the original.
    forged = bytearray(content)
    forged[len(forged) // 2] ^= 0x01
    forgery = tmp_path / "中标通知书-改.pdf"
    forgery.write_bytes(bytes(forged))
    page.set_input_files("#verify-document", str(forgery))
    page.get_by_role("button", name="上传并核验").click()
    expect(verdict).to_have_text("✗ 未通过核验")
    expect(page.get_by_role("status")).to_contain_text("不是本平台发布的原件")
    expect(page.locator("section.card dl.facts")).to_have_count(0)
    screenshot(page, "portal-07-forgery-refused")
