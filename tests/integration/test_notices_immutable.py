"""A published notice cannot change or disappear, whatever writes to the database (invariant 7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from notices.db_triggers import IMMUTABLE_ERROR
from notices.models import Notice, NoticeKind, NoticeStatus
from notices.services import notice_approve
from notices.tasks import notice_render_and_publish
from tests.conftest import ControlledClock
from tests.notices import deliver_events, fake_render
from tests.tenders import make_tender, make_world

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CHRONOGRAPH_POKE = False


@pytest.fixture
def notice(clock: ControlledClock, monkeypatch: pytest.MonkeyPatch) -> Notice:
    from notices import tasks

    monkeypatch.setattr(tasks.notice_render, "apply_async", lambda *a, **k: None)
    world = make_world()
    make_tender(world, name="三亚市监理服务")
    deliver_events(clock)
    draft = Notice.objects.get(kind=NoticeKind.ANNOUNCEMENT)
    notice_approve(notice=draft, actor=world.staff)
    notice_render_and_publish(draft.pk, render=fake_render, clock=clock)
    draft.refresh_from_db()
    assert draft.status == NoticeStatus.PUBLISHED
    return draft


def refused(change: Any) -> None:
    with pytest.raises(DatabaseError, match=IMMUTABLE_ERROR), transaction.atomic():
        change()


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "篡改的标题"},
        {"body": "篡改的正文"},
        {"data": {"tender_code": "X"}},
        {"pdf_sha256": "0" * 64},
        {"kind": NoticeKind.RESULT},
        {"publication_seq": 99},
        {"verification_code": "0000-0000-0000"},
        {"status": NoticeStatus.DRAFT},
    ],
)
def test_what_a_published_notice_says_cannot_be_updated(
    notice: Notice, changes: dict[str, Any]
) -> None:
    refused(lambda: Notice.objects.filter(pk=notice.pk).update(**changes))
    assert Notice.objects.get(pk=notice.pk).title == notice.title


def test_its_tender_cannot_be_swapped(notice: Notice) -> None:
    other = make_tender(make_world(business_type="procurement"), name="另一个项目")
    refused(lambda: Notice.objects.filter(pk=notice.pk).update(tender=other))


def test_raw_sql_is_refused_too(notice: Notice) -> None:
    def change() -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE notices_notice SET title = %s WHERE id = %s", ["改", notice.pk])

    refused(change)


def test_a_published_notice_cannot_be_deleted(notice: Notice) -> None:
    refused(lambda: Notice.objects.filter(pk=notice.pk).delete())
    assert Notice.objects.filter(pk=notice.pk).exists()


def test_a_published_notice_can_be_withdrawn_and_then_neither_changed_nor_deleted(
    notice: Notice,
) -> None:
    Notice.objects.filter(pk=notice.pk).update(status=NoticeStatus.WITHDRAWN)

    refused(lambda: Notice.objects.filter(pk=notice.pk).update(title="改"))
    refused(lambda: Notice.objects.filter(pk=notice.pk).delete())


def test_drafts_stay_editable_and_deletable(clock: ControlledClock) -> None:
    world = make_world()
    make_tender(world)
    deliver_events(clock)
    draft = Notice.objects.get(kind=NoticeKind.ANNOUNCEMENT)

    Notice.objects.filter(pk=draft.pk).update(title="修改后的标题", body="正文")
    Notice.objects.filter(pk=draft.pk).delete()

    assert not Notice.objects.filter(pk=draft.pk).exists()
