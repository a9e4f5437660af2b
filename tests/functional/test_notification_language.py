"""A notification reads in its reader's language: the inbox renders the stored message for each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.tenders import make_tender, make_world
from trading.models import Notification, OutboundMessage, User
from trading.services.notifications import notification_send
from trading.translatable import Message, Word

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

ENGLISH_CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.mo"


@pytest.fixture(autouse=True)
def english_catalogue(settings: Any, tmp_path: Path) -> None:
    if not ENGLISH_CATALOGUE.exists():
        pytest.fail(f"{ENGLISH_CATALOGUE} is missing: run `make` (it compiles the catalogues)")
    settings.CHRONOGRAPH_POKE = False
    settings.MESSAGE_GATEWAY = "trading.messaging.LocalGateway"
    settings.MESSAGE_LOG_FILE = tmp_path / "messages.jsonl"


def _inbox(client: Client, user: User, language: str) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("inbox"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_tender_submitted_for_review_reads_in_english_and_in_chinese(
    client: Client, clock: ControlledClock
) -> None:
    world = make_world()
    tender = make_tender(world, submit=False, publish=False)
    client.force_login(world.owner_user)
    assert client.post(reverse("tender_submit", args=[tender.pk])).status_code == 302

    english = _inbox(client, world.staff, "en")
    chinese = _inbox(Client(), world.staff2, "zh-hans")

    assert f"Awaiting review: {tender.code} {tender.name}" in english
    assert "Please review the notice, documents and schedule of this tender" in english
    assert "待审核：" not in english
    assert "请审核该招标项目" not in english
    assert f"待审核：{tender.code} {tender.name}" in chinese
    assert "请审核该招标项目的公告、文件和时间安排后发布。" in chinese
    assert "Awaiting review" not in chinese


def test_a_vocabulary_word_in_a_message_is_translated_when_read(
    client: Client, clock: ControlledClock
) -> None:
    world = make_world()
    notification_send(
        recipients=[world.owner_user],
        kind="award.letter_issued",
        title=Message(
            "%(letter)s已发出，请签订合同：%(code)s", letter=Word("中标通知书"), code="L-7"
        ),
    )

    assert "The Award letter has been issued, please sign the contract: L-7" in _inbox(
        client, world.owner_user, "en"
    )
    assert "中标通知书已发出，请签订合同：L-7" in _inbox(client, world.owner_user, "zh-hans")


def test_a_row_written_before_messages_had_keys_shows_its_stored_text(
    client: Client, clock: ControlledClock
) -> None:
    world = make_world()
    Notification.objects.create(
        recipient=world.owner_user,
        kind="old",
        title="旧通知标题",
        body="旧正文",
        created_at=clock.now,
    )

    english = _inbox(client, world.owner_user, "en")

    assert "旧通知标题" in english
    assert "旧正文" in english


def test_e_mail_and_sms_go_out_in_the_language_the_person_chose_and_the_row_keeps_chinese(
    client: Client, clock: ControlledClock
) -> None:
    world = make_world()
    reader, chinese_reader = world.staff, world.staff2
    reader.email, reader.phone = "staff@example.com", "13800000009"
    reader.save(update_fields=["email", "phone"])
    chinese_reader.email = "staff2@example.com"
    chinese_reader.save(update_fields=["email"])
    client.force_login(reader)
    switched = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert switched.status_code == 302
    reader.refresh_from_db()
    assert reader.language == "en"

    notification_send(
        recipients=[reader, chinese_reader],
        kind="tender.submitted",
        title=Message("待审核：%(code)s %(name)s", code="C-1", name="海口市政道路"),
        body=Message("请审核该招标项目的公告、文件和时间安排后发布。"),
        channels=("inbox", "email", "sms"),
    )

    email = OutboundMessage.objects.get(to="staff@example.com")
    assert email.subject == "Awaiting review: C-1 海口市政道路"
    assert "Please review the notice, documents and schedule" in email.body
    assert "Awaiting review: C-1 海口市政道路" in OutboundMessage.objects.get(to="13800000009").body
    assert (
        OutboundMessage.objects.get(to="staff2@example.com").subject == "待审核：C-1 海口市政道路"
    )
    row = Notification.objects.get(recipient=reader)
    assert (row.title, row.title_key) == ("待审核：C-1 海口市政道路", "待审核：%(code)s %(name)s")


def test_an_anonymous_language_switch_still_works_and_remembers_nothing(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_a_timeline_point_and_the_pdf_hint_read_in_english_on_the_owner_s_pages(
    client: Client, clock: ControlledClock
) -> None:
    world = make_world()
    tender = make_tender(world, submit=False, publish=False)
    client.force_login(world.owner_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    form = client.get(reverse("document_upload", args=[tender.pk])).content.decode()
    rules = client.get(reverse("portal_rules")).content.decode()

    assert "PDF, at most" in form
    assert "PDF 格式" not in form
    assert "Notice published at" in rules


def test_a_notice_drafted_while_an_english_reader_acts_is_still_titled_in_chinese(
    clock: ControlledClock,
) -> None:
    from django.utils import translation

    from notices.services import notice_draft

    world = make_world()
    tender = make_tender(world, submit=False, publish=False)

    with translation.override("en"):
        notice = notice_draft(kind="announcement", tender=tender)

    assert notice.title == f"{tender.name}招标公告"


def test_a_report_filed_by_an_english_reader_is_titled_in_chinese_on_the_record(
    clock: ControlledClock,
) -> None:
    from datetime import timedelta

    from django.utils import translation

    from tests.tenders import closes, first_lot, record_outcome
    from trading.chronograph import chronograph_tick
    from trading.models import TenderDocument

    world = make_world()
    lot = first_lot(make_tender(world))
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)

    with translation.override("en"):
        record_outcome(world, lot, publish=False)

    report = TenderDocument.objects.get(tender=lot.tender, kind="evaluation_report")
    assert report.title == f"评标报告 {lot.code}"
