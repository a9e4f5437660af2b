"""A notice's text on its pages: staff read the document before approving it, the public after."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from notices.models import Notice, NoticeKind, NoticeStatus
from notices.preview import document_body, notice_publication_plan
from notices.rendering import render_notice
from notices.tasks import notice_render_and_publish
from tests.conftest import ControlledClock
from tests.notices import deliver_events, fake_render
from tests.tenders import (
    World,
    closes,
    first_lot,
    make_tender,
    make_world,
    publicity_end,
    record_outcome,
)
from trading.chronograph import chronograph_tick
from trading.models import Notification
from trading.services.awards import award_confirm

pytestmark = pytest.mark.django_db

DOCUMENT = re.compile(r'<section class="document[^"]*"[^>]*>(.*?)</section>', re.DOTALL)


@pytest.fixture(autouse=True)
def _quiet(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from notices import tasks

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(tasks.notice_render, "apply_async", lambda *a, **k: None)


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def draft(world: World, clock: ControlledClock) -> Notice:
    make_tender(world, name="儋州市道路工程")
    deliver_events(clock)
    return Notice.objects.get(kind=NoticeKind.ANNOUNCEMENT)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown_document(html: str) -> str:
    found = DOCUMENT.search(html)
    assert found is not None, "no document on the page"
    return found.group(1).strip()


def approve_and_publish(world: World, notice: Notice, clock: ControlledClock, render: Any) -> None:
    approved = signed_in(world.staff).post(reverse("notice_approve", args=[notice.pk]))
    assert approved.status_code == 302
    notice_render_and_publish(notice.pk, render=render, clock=clock)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED


def test_staff_read_the_document_the_pdf_is_rendered_from_before_approving(
    world: World, draft: Notice, clock: ControlledClock
) -> None:
    page = signed_in(world.staff).get(reverse("notice_edit", args=[draft.pk])).content.decode()
    preview = shown_document(page)

    # The tender's figures are in the document, not only its title.
    assert "项目概况" in preview
    assert draft.verification_code in preview
    approve_and_publish(world, draft, clock, render_notice)
    # Exactly what WeasyPrint was given, frozen with the PDF.
    assert preview == document_body(draft.document_html)


def test_staff_see_where_the_notice_will_be_published_and_who_is_told(
    world: World, draft: Notice
) -> None:
    page = signed_in(world.staff).get(reverse("notice_edit", args=[draft.pk])).content.decode()

    assert reverse("portal_notice_detail", args=[draft.pk]) in page
    assert reverse("notice_feed", args=[world.region.code, world.business_type.code]) in page
    assert reverse("ocds_release_package", args=[draft.tender.code]) in page
    assert "不单独通知任何单位" in page


def test_an_edited_title_shows_in_the_preview(world: World, draft: Notice) -> None:
    client = signed_in(world.staff)
    client.post(
        reverse("notice_edit", args=[draft.pk]), {"title": "儋州市道路工程招标公告（重发）"}
    )

    page = client.get(reverse("notice_edit", args=[draft.pk])).content.decode()

    assert "儋州市道路工程招标公告（重发）" in shown_document(page)


def test_the_public_read_the_notice_as_html_with_the_pdf_as_its_original(
    world: World, draft: Notice, clock: ControlledClock
) -> None:
    approve_and_publish(world, draft, clock, fake_render)

    page = Client().get(reverse("portal_notice_detail", args=[draft.pk])).content.decode()

    document = shown_document(page)
    assert "项目概况" in document
    assert '<th scope="row">' in document
    # One <h1> on the page (its title); the document's own heading sits under it.
    assert page.count("<h1") == 1
    assert "<h2>" in document
    assert reverse("verify_pdf", args=[draft.verification_code]) in page
    assert "原件（PDF）" in page


def test_the_public_page_shows_the_text_frozen_at_publication(
    world: World, draft: Notice, clock: ControlledClock, settings: Any
) -> None:
    settings.SITE_URL = "https://old.example.cn"
    approve_and_publish(world, draft, clock, fake_render)
    settings.SITE_URL = "https://new.example.cn"

    page = Client().get(reverse("portal_notice_detail", args=[draft.pk])).content.decode()

    document = shown_document(page)
    assert "https://old.example.cn/verify/" in document
    assert "new.example.cn" not in document


def test_a_notice_published_before_its_html_was_kept_points_to_the_pdf(
    world: World, draft: Notice, clock: ControlledClock
) -> None:
    def without_html(notice: Notice) -> Any:
        rendered = fake_render(notice)
        return type(rendered)(rendered.content, rendered.sha256, rendered.template_version)

    approve_and_publish(world, draft, clock, without_html)

    page = Client().get(reverse("portal_notice_detail", args=[draft.pk])).content.decode()

    assert DOCUMENT.search(page) is None
    assert "请阅读 PDF 原件" in page


def test_a_title_with_markup_is_shown_as_text_in_the_preview_and_on_the_portal(
    world: World, draft: Notice, clock: ControlledClock
) -> None:
    title = '<script>alert("x")</script>道路工程'
    client = signed_in(world.staff)
    client.post(reverse("notice_edit", args=[draft.pk]), {"title": title})

    preview = client.get(reverse("notice_edit", args=[draft.pk])).content.decode()
    approve_and_publish(world, draft, clock, fake_render)
    public = Client().get(reverse("portal_notice_detail", args=[draft.pk])).content.decode()

    for page in (preview, public):
        document = shown_document(page)
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;道路工程" in document
        assert "<script>alert" not in page


def test_the_plan_of_an_award_letter_names_everyone_its_publication_notifies(
    world: World, clock: ControlledClock
) -> None:
    lot = first_lot(make_tender(world, name="儋州市道路工程"))
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot = record_outcome(world, lot)
    clock.set(publicity_end(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    winner = lot.candidates.get(rank=1)
    award_confirm(lot=lot, candidate=winner, actor=world.owner_user)
    deliver_events(clock)
    letter = Notice.objects.get(kind=NoticeKind.AWARD_LETTER, lot=lot)

    plan = notice_publication_plan(letter)
    page = signed_in(world.staff).get(reverse("notice_edit", args=[letter.pk])).content.decode()
    for recipient in plan.recipients:
        assert escape(recipient.who) in page

    before = set(Notification.objects.values_list("pk", flat=True))
    approve_and_publish(world, letter, clock, fake_render)
    deliver_events(clock)
    told = (
        Notification.objects.exclude(pk__in=before)
        .values_list("recipient__organisation__name", flat=True)
        .distinct()
    )
    named = {name for recipient in plan.recipients for name in recipient.who.split("、")}
    assert set(told) == named
    assert winner.organisation.name in named
    assert sum(r.accounts for r in plan.recipients) == (
        Notification.objects.exclude(pk__in=before).values("recipient").distinct().count()
    )


@pytest.mark.parametrize("kind", NoticeKind.values)
def test_every_kind_previews_with_the_text_its_pdf_prints(
    kind: str, clock: ControlledClock
) -> None:
    from tests.functional.test_rendering import case_for
    from tests.functional.test_rendering import draft as draft_of

    case = case_for(kind, clock)
    notice = draft_of(case, kind)

    page = signed_in(case.world.staff).get(reverse("notice_edit", args=[notice.pk]))

    text = re.sub(r"<[^>]+>|\s+", "", shown_document(page.content.decode()))
    expected = [notice.title, notice.verification_code, notice.issuer, *case.expected]
    assert [needle for needle in expected if re.sub(r"\s+", "", escape(needle)) not in text] == []
