"""A stored complaint document cannot change or disappear, whatever writes to the database
(DESIGN.md invariant 7); one still waiting for its render can be retried."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from notices.complaint_delivery import complaint_document_render_and_store
from notices.complaint_triggers import FROZEN_COLUMNS, IMMUTABLE_ERROR
from notices.models import ComplaintDocument
from tests.conftest import ControlledClock
from tests.notices import deliver_events, fake_complaint_render
from tests.tenders import first_lot, make_tender, make_world
from trading.services.complaints import complaint_accept, complaint_file
from trading.services.objections import objection_answer, objection_raise

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.CHRONOGRAPH_POKE = False


@pytest.fixture
def drafted(clock: ControlledClock) -> ComplaintDocument:
    """An accepted complaint's 受理通知书, drafted from its event and not yet rendered."""
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world, name="投诉文书不可改"))
    clock.advance(days=1)
    objection = objection_raise(
        lot=lot, stage="documents", text="资格条件排斥", actor=world.bidder_users[0]
    )
    objection_answer(objection=objection, answer="合法", actor=world.owner_user)
    complaint = complaint_file(
        lot=lot, objection=objection, grounds="答复不成立", actor=world.bidder_users[0]
    )
    complaint_accept(complaint=complaint, actor=world.regulator)
    deliver_events(clock)
    return ComplaintDocument.objects.get()


@pytest.fixture
def stored(drafted: ComplaintDocument, clock: ControlledClock) -> ComplaintDocument:
    document = complaint_document_render_and_store(
        drafted.pk, render=fake_complaint_render, clock=clock
    )
    assert document is not None and document.stored_at is not None
    return document


def refused(change: Any) -> None:
    with pytest.raises(DatabaseError, match=IMMUTABLE_ERROR), transaction.atomic():
        change()


@pytest.mark.parametrize(
    "changes",
    [
        {"pdf_sha256": "0" * 64},
        {"pdf": "complaints/other.pdf"},
        {"issuer": "另一个机关"},
        {"data": {"title": "篡改"}},
        {"document_html": "<p>篡改</p>"},
        {"kind": "complaint_decision"},
        {"verification_code": "0000-0000-0000"},
        {"stored_at": None},
    ],
)
def test_what_a_stored_document_says_cannot_be_updated(
    stored: ComplaintDocument, changes: dict[str, Any]
) -> None:
    refused(lambda: ComplaintDocument.objects.filter(pk=stored.pk).update(**changes))
    assert ComplaintDocument.objects.get(pk=stored.pk).pdf_sha256 == stored.pdf_sha256


def test_a_stored_document_cannot_be_deleted(stored: ComplaintDocument) -> None:
    refused(lambda: ComplaintDocument.objects.filter(pk=stored.pk).delete())
    assert ComplaintDocument.objects.filter(pk=stored.pk).exists()


def test_a_document_waiting_for_its_render_can_still_be_retried(
    drafted: ComplaintDocument,
) -> None:
    ComplaintDocument.objects.filter(pk=drafted.pk).update(render_attempts=3, render_error="x")
    assert ComplaintDocument.objects.get(pk=drafted.pk).render_attempts == 3


# Columns left writable once stored: only the render bookkeeping. Every column is in exactly one
# list, so a new column is frozen or not on purpose.
NOT_FROZEN = {"id", "render_at", "render_attempts", "render_error"}


def test_every_column_is_frozen_or_deliberately_not() -> None:
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, ComplaintDocument._meta.db_table
            )
        }
    assert columns == set(FROZEN_COLUMNS) | NOT_FROZEN
    assert not set(FROZEN_COLUMNS) & NOT_FROZEN


@pytest.mark.django_db(transaction=True)
def test_flush_empties_stored_documents_and_puts_their_guard_back(
    stored: ComplaintDocument, clock: ControlledClock
) -> None:
    """`manage.py flush` (and the harness after a transactional test) lifts the guard, empties
    the table, and installs the guard again."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)

    assert not ComplaintDocument.objects.exists()
    assert _trigger_names(), "the guard is back"


def _trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall() if "complaint_document" in row[0]}
