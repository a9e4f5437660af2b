"""A published notice cannot change or disappear, whatever writes to the database (invariant 7)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, models, transaction

from notices.db_triggers import FROZEN_COLUMNS, IMMUTABLE_ERROR
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
    return _published(clock, monkeypatch)


def _published(clock: ControlledClock, monkeypatch: pytest.MonkeyPatch) -> Notice:
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


# Columns the trigger leaves writable once a notice is published. Every column of the table is in
# exactly one list, so a new column, or one taken off FROZEN_COLUMNS, is a decision made on purpose.
NOT_FROZEN = {
    "id",
    "status",  # its own rule: published → withdrawn only
    "region_id",
    "business_type_id",
    "industry_id",
    "training",
    "source_event_id",
    "due_at",
    "publish_at",
    # The demo's or a training notice's intended moment, read once when it is published; what
    # the public relies on is published_at, which is frozen.
    "story_published_at",
    "approved_by_id",
    "created_at",
    "render_attempts",
    "render_error",
    "search_terms",
}
COLUMNS = {field.column: field for field in Notice._meta.concrete_fields}


def test_every_column_is_either_frozen_or_deliberately_writable() -> None:
    assert set(FROZEN_COLUMNS).isdisjoint(NOT_FROZEN)
    assert set(FROZEN_COLUMNS) | NOT_FROZEN == set(COLUMNS)


def _other_value(notice: Notice, field: models.Field[Any, Any]) -> Any:
    """A value of the column's own type, different from the notice's (and valid for its FK)."""
    current = getattr(notice, field.attname)
    if field.is_relation:
        model: Any = field.related_model
        other = model.objects.exclude(pk=current).order_by("pk").first()
        assert other is not None, f"no other {model.__name__} to point {field.column} at"
        return other.pk
    if field.choices:
        return next(value for value, _label in field.choices if value != current)
    if isinstance(field, models.JSONField):
        return {**current, "tampered": True}
    if isinstance(field, models.DateTimeField):
        return current + timedelta(seconds=1)
    if isinstance(field, models.IntegerField):
        return current + 1_000_000
    text = str(current or "")
    return (text[:-1] + ("0" if text[-1:] != "0" else "1")) if text else "tampered"


def _sql_value(field: models.Field[Any, Any], value: Any) -> Any:
    return field.get_db_prep_save(value, connection)


@pytest.fixture
def other_rows(notice: Notice, clock: ControlledClock) -> None:
    """Something else for each foreign key of a notice to point at: another tender, lot, notice."""
    make_tender(make_world(business_type="procurement"), name="另一个项目")
    deliver_events(clock)


@pytest.mark.parametrize("column", FROZEN_COLUMNS)
def test_no_frozen_column_of_a_published_notice_can_be_updated(
    notice: Notice, other_rows: None, column: str
) -> None:
    field = COLUMNS[column]
    value = _other_value(notice, field)
    before = Notice.objects.filter(pk=notice.pk).values_list(column, flat=True).get()

    refused(lambda: Notice.objects.filter(pk=notice.pk).update(**{field.attname: value}))

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE notices_notice SET {column} = %s WHERE id = %s",  # noqa: S608
                [_sql_value(field, value), notice.pk],
            )

    refused(raw)
    assert Notice.objects.filter(pk=notice.pk).values_list(column, flat=True).get() == before


@pytest.mark.parametrize("column", [c for c in FROZEN_COLUMNS if COLUMNS[c].null])
def test_no_nullable_frozen_column_can_be_emptied_or_filled(
    notice: Notice, other_rows: None, column: str
) -> None:
    field = COLUMNS[column]
    current = getattr(notice, field.attname)
    value = None if current is not None else _other_value(notice, field)
    refused(lambda: Notice.objects.filter(pk=notice.pk).update(**{field.attname: value}))


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


@pytest.mark.django_db(transaction=True)
def test_flush_empties_published_notices_and_puts_their_guard_back(
    clock: ControlledClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The harness (and `manage.py flush`) empties the database after transactional tests:
    the notices' guard is lifted for it like the ledger's, and is back in place afterwards."""
    from django.core.management import call_command

    _published(clock, monkeypatch)

    call_command("flush", interactive=False, verbosity=0)

    assert not Notice.objects.exists()
    clock.set(clock.now)  # the frozen clock is a row too: the flush emptied it
    again = _published(clock, monkeypatch)
    refused(lambda: Notice.objects.filter(pk=again.pk).delete())
