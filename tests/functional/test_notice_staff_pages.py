"""Desk staff's notice pages and the public feeds: who sees what, and what the forms do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from notices.models import Notice, NoticeKind, NoticeStatus
from notices.services import notice_approve, notice_correct, notice_render_failed
from notices.tasks import notice_render_and_publish
from tests.conftest import ControlledClock
from tests.notices import deliver_events, fake_render
from tests.tenders import World, make_tender, make_world
from trading.models import LedgerEntry

pytestmark = pytest.mark.django_db


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


def test_desk_staff_see_the_draft_in_their_queue(world: World, draft: Notice) -> None:
    page = signed_in(world.staff).get(reverse("notice_queue"))

    assert page.status_code == 200
    assert draft.title in page.content.decode()


@pytest.mark.parametrize("who", ["other_desk_staff", "owner_user", "regulator"])
def test_no_one_else_opens_the_draft(world: World, draft: Notice, who: str) -> None:
    client = signed_in(getattr(world, who))

    assert client.get(reverse("notice_edit", args=[draft.pk])).status_code in (403, 404)
    assert client.post(reverse("notice_approve", args=[draft.pk])).status_code in (403, 404)
    draft.refresh_from_db()
    assert draft.status == NoticeStatus.DRAFT


def test_staff_edit_then_approve_for_a_set_time(
    world: World, draft: Notice, clock: ControlledClock
) -> None:
    client = signed_in(world.staff)

    saved = client.post(
        reverse("notice_edit", args=[draft.pk]), {"title": "儋州市道路工程招标公告（第二次）"}
    )
    assert saved.status_code == 302
    approved = client.post(
        reverse("notice_approve", args=[draft.pk]), {"publish_at": "2026-11-30T18:00"}
    )

    assert approved.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "儋州市道路工程招标公告（第二次）"
    assert draft.status == NoticeStatus.SCHEDULED
    assert draft.publish_at is not None and draft.publish_at.isoformat() == (
        "2026-11-30T10:00:00+00:00"
    )


def refused_next_to_the_field(page: Any, draft: Notice, *expected: str) -> str:
    """The page again, the error on the time field, the draft unapproved and nothing logged."""
    assert page.status_code == 200
    [error] = page.context["approve_form"].errors["publish_at"]
    for text in expected:
        assert text in error
    assert escape(error) in page.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.publish_at, draft.approved_by_id) == (
        NoticeStatus.DRAFT,
        None,
        None,
    )
    assert not LedgerEntry.objects.filter(
        action="notice.approved", object_id=str(draft.pk)
    ).exists()
    return str(error)


@pytest.mark.parametrize("publish_at", ["9999-12-31T23:59", "2026-12-01T09:00"])
def test_a_time_after_the_legal_limit_is_refused_naming_the_limit_and_its_rule(
    world: World, draft: Notice, publish_at: str
) -> None:
    page = signed_in(world.staff).post(
        reverse("notice_approve", args=[draft.pk]), {"publish_at": publish_at}
    )

    # An announcement is due the day its tender is published: the law (招标投标法 第16条) sets
    # no period, so the refusal names the platform's own rule row.
    refused_next_to_the_field(
        page, draft, "2026-11-30 24:00", "本平台规则（法律未规定期限）：交易公告于审核发布当日发布"
    )


def test_the_legal_limit_message_is_translated(world: World, draft: Notice) -> None:
    client = signed_in(world.staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.post(
        reverse("notice_approve", args=[draft.pk]), {"publish_at": "9999-12-31T23:59"}
    )

    refused_next_to_the_field(page, draft, "later than this notice's legal limit, 2026-11-30 24:00")


def test_a_time_in_the_year_1_is_refused_as_past(world: World, draft: Notice) -> None:
    page = signed_in(world.staff).post(
        reverse("notice_approve", args=[draft.pk]), {"publish_at": "0001-01-01T00:00"}
    )

    refused_next_to_the_field(page, draft, "发布时间不能早于当前时间。")


@pytest.fixture
def correction(world: World, draft: Notice, clock: ControlledClock) -> Notice:
    """A correction: no legal limit of its own, so only the horizon bounds its time."""
    notice_approve(notice=draft, actor=world.staff)
    notice_render_and_publish(draft.pk, render=fake_render, clock=clock)
    corrected = notice_correct(notice=draft, title="更正公告", body="", actor=world.staff)
    assert corrected.due_at is None
    return corrected


@pytest.mark.parametrize(
    ("horizon", "publish_at", "latest"),
    [
        (730, "9999-12-31T23:59", "2028-11-29 12:00"),
        (730, "2028-11-29T12:01", "2028-11-29 12:00"),
        (30, "2026-12-30T12:01", "2026-12-30 12:00"),
    ],
)
def test_a_time_beyond_the_horizon_is_refused(
    world: World, correction: Notice, settings: Any, horizon: int, publish_at: str, latest: str
) -> None:
    settings.SCHEDULE_HORIZON_DAYS = horizon

    page = signed_in(world.staff).post(
        reverse("notice_approve", args=[correction.pk]), {"publish_at": publish_at}
    )

    refused_next_to_the_field(page, correction, latest, f"最多提前 {horizon} 天")


def test_a_time_at_the_horizon_is_accepted(world: World, correction: Notice) -> None:
    approved = signed_in(world.staff).post(
        reverse("notice_approve", args=[correction.pk]), {"publish_at": "2028-11-29T12:00"}
    )

    assert approved.status_code == 302
    correction.refresh_from_db()
    assert correction.status == NoticeStatus.SCHEDULED


def test_an_empty_title_is_refused_with_a_message(world: World, draft: Notice) -> None:
    page = signed_in(world.staff).post(reverse("notice_edit", args=[draft.pk]), {"title": " "})

    assert page.status_code == 200
    draft.refresh_from_db()
    assert draft.title != ""


def test_a_failed_render_shows_its_error_and_a_retry_button(
    world: World, draft: Notice, clock: ControlledClock
) -> None:
    notice_approve(notice=draft, actor=world.staff)
    notice_render_failed(notice=draft, error="OSError: 字体文件不存在", clock=clock)
    client = signed_in(world.staff)

    page = client.get(reverse("notice_queue")).content.decode()
    assert "字体文件不存在" in page
    assert reverse("notice_retry", args=[draft.pk]) in page
    assert client.post(reverse("notice_retry", args=[draft.pk])).status_code == 302


def test_the_atom_feed_lists_published_real_notices_of_its_region_and_type(
    world: World, draft: Notice, clock: ControlledClock
) -> None:
    notice_approve(notice=draft, actor=world.staff)
    notice_render_and_publish(draft.pk, render=fake_render, clock=clock)
    make_tender(world, name="培训演示项目", training=True)
    deliver_events(clock)
    training = Notice.objects.get(training=True)
    notice_approve(notice=training, actor=world.staff)
    notice_render_and_publish(training.pk, render=fake_render, clock=clock)

    feed = Client().get(f"/feeds/{world.region.code}/{world.business_type.code}.atom")

    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert draft.title in body
    assert "培训演示项目" not in body
    other = Client().get(f"/feeds/{world.region.code}/procurement.atom").content.decode()
    assert draft.title not in other
    assert Client().get("/feeds/999999/engineering.atom").status_code == 404


def test_the_change_feed_lists_the_publication_with_its_hash(
    world: World, draft: Notice, clock: ControlledClock
) -> None:
    notice_approve(notice=draft, actor=world.staff)
    notice_render_and_publish(draft.pk, render=fake_render, clock=clock)
    draft.refresh_from_db()

    body = Client().get("/api/notices/changes", {"after": 0}).json()

    [item] = body["items"]
    assert (item["seq"], item["id"], item["sha256"]) == (1, draft.pk, draft.pdf_sha256)
    assert item["url"].endswith(f"/notices/{draft.pk}/")
    assert body["next_after"] == 1
    assert Client().get("/api/notices/changes", {"after": 1}).json()["items"] == []
