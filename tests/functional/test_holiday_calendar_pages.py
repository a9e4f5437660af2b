"""Calendars past the official data, as people meet them on their pages (民法典 第201、203条; the
State Council's yearly 节假日安排): a provisional year is warned about, a year not in the table is
refused, and the center's administrator enters a year from the notice."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from notices.models import Notice, NoticeKind, NoticeStatus
from tests.conftest import ControlledClock
from tests.factories import make_user
from tests.holiday_notices import NOTICE_2026
from tests.notices import deliver_events
from tests.tenders import (
    World,
    closes,
    first_lot,
    make_tender,
    make_world,
    pdf_file,
    publicity_end,
    record_outcome,
)
from trading.chronograph import chronograph_tick
from trading.domain.timeline import SHANGHAI
from trading.models import Award, CalendarDay, LedgerEntry, Lot, Tender, User
from trading.selectors.rules import calendar_load
from trading.selectors.timeline import tender_rulebook

pytestmark = pytest.mark.django_db

PROVISIONAL_2027 = "2027年节假日安排尚未由国务院公布"
NOT_ENTERED_2028 = "2028年的节假日安排尚未录入"

# A schedule in the notice's format for 2027 (its weekdays are 2027's): the admin's test input.
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
国办发明电〔2026〕9号
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至12日（周五）放假调休，共8天。2月20日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假，共1天。
六、中秋节：9月15日（周三）放假，共1天。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from notices import tasks

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(tasks.notice_render, "apply_async", lambda *a, **k: None)


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world()


@pytest.fixture
def center_admin(world: World) -> User:
    assert world.staff.organisation is not None
    return make_user(world.staff.organisation, first_name="中心管理员", is_organisation_admin=True)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def drop_year(year: int) -> None:
    """The table as it stands when nobody seeded or entered `year`."""
    CalendarDay.objects.filter(date__year__gte=year).delete()


def in_2026(world: World, **kwargs: Any) -> Tender:
    """Documents now (30 November 2026), deadline 28 December 2026: all in an official year."""
    return make_tender(
        world, opens_at=at("2026-12-01 09:00"), closes_at=at("2026-12-28 09:30"), **kwargs
    )


# --- a provisional year: accepted, with a warning naming it ---------------------------------


def test_the_owner_sees_a_deadline_in_2027_counted_on_provisional_holidays(world: World) -> None:
    draft = make_tender(world, closes_at=at("2027-02-10 09:30"), submit=False)

    detail = signed_in(world.owner_user).get(reverse("tender_detail", args=[draft.pk]))
    edit = signed_in(world.owner_user).get(reverse("tender_edit", args=[draft.pk]))

    for page in (detail, edit):
        assert page.status_code == 200
        assert PROVISIONAL_2027 in page.content.decode()


def test_the_desk_reviewing_the_tender_sees_the_provisional_year(world: World) -> None:
    pending = make_tender(world, closes_at=at("2027-02-10 09:30"), publish=False)

    page = signed_in(world.staff).get(reverse("tender_detail", args=[pending.pk]))

    assert PROVISIONAL_2027 in page.content.decode()
    assert 'id="calendar-warnings"' in page.content.decode()


def test_the_notice_review_page_names_the_provisional_year(
    world: World, clock: ControlledClock
) -> None:
    make_tender(world, closes_at=at("2027-02-10 09:30"))
    deliver_events(clock)
    notice = Notice.objects.get(kind=NoticeKind.ANNOUNCEMENT)

    page = signed_in(world.staff).get(reverse("notice_edit", args=[notice.pk]))

    assert PROVISIONAL_2027 in page.content.decode()


def test_a_schedule_within_the_official_year_is_silent(world: World) -> None:
    tender = in_2026(world, submit=False)

    page = signed_in(world.owner_user).get(reverse("tender_detail", args=[tender.pk]))

    assert page.status_code == 200
    assert 'id="calendar-warnings"' not in page.content.decode()


# --- a year the table does not hold: refused, nothing changed ---------------------------------


def _lot_post(lot: Lot, **changes: str) -> dict[str, str]:
    data = {
        "name": lot.name,
        "estimate": str(lot.estimate),
        "deposit_amount": str(lot.deposit_amount),
        "increment": "0",
        "scope": "",
        "duration_days": "",
        "opens_at": lot.opens_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M"),  # type: ignore[union-attr]
        "closes_at": lot.closes_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M"),  # type: ignore[union-attr]
    }
    return data | changes


def test_a_lot_deadline_in_a_year_not_entered_is_refused_and_nothing_changes(
    world: World,
) -> None:
    """民法典 第203条 cannot be applied without the year's rest days: the owner is told why."""
    tender = make_tender(world, submit=False)
    lot = first_lot(tender)
    before = lot.closes_at
    drop_year(2028)

    page = signed_in(world.owner_user).post(
        reverse("lot_edit", args=[lot.pk]), _lot_post(lot, closes_at="2028-03-01T09:30")
    )

    assert page.status_code == 200
    assert NOT_ENTERED_2028 in page.content.decode()
    lot.refresh_from_db()
    assert lot.closes_at == before


def test_publication_is_refused_for_a_deadline_whose_year_left_the_table(world: World) -> None:
    pending = make_tender(world, closes_at=at("2027-02-10 09:30"), publish=False)
    drop_year(2027)

    page = signed_in(world.staff2).post(reverse("tender_publish", args=[pending.pk]))

    assert "2027年的节假日安排尚未录入" in page.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending_review"
    assert first_lot(pending).status == "draft"


def test_an_amendment_cannot_move_the_deadline_into_a_year_not_entered(world: World) -> None:
    """实施条例 第21条 moves a deadline; only into a year whose holidays are known."""
    tender = make_tender(world)
    lot = first_lot(tender)
    before = lot.closes_at
    drop_year(2028)

    page = signed_in(world.owner_user).post(
        reverse("tender_amend", args=[tender.pk]),
        {
            "title": "变更一",
            "document_file": pdf_file("amendment.pdf"),
            "affects_bids": "on",
            "new_closes_at": "2028-02-01T09:30",
        },
    )

    assert page.status_code == 400
    assert NOT_ENTERED_2028 in page.content.decode()
    lot.refresh_from_db()
    assert lot.closes_at == before
    assert not tender.documents.filter(kind="amendment").exists()


def test_a_publicity_the_platform_would_end_after_the_table_is_refused(world: World) -> None:
    """实施条例 第54条: a 3 日 publicity opened on 30 December 2027 would end in 2028."""
    tender = make_tender(world)
    drop_year(2028)
    book = tender_rulebook(tender)

    with pytest.raises(ValidationError) as refused:
        book.period_end(at("2027-12-30 10:00"), "publicity_start", "publicity_end")

    assert NOT_ENTERED_2028 in str(refused.value)
    # Within the table the same period is counted (and 2027 is provisional).
    assert book.period_end(at("2027-12-20 10:00"), "publicity_start", "publicity_end") == at(
        "2027-12-24 00:00"
    )


def test_an_award_whose_written_report_would_fall_due_after_the_table_is_refused(
    world: World, clock: ControlledClock
) -> None:
    """法 第47条: the report is due 15 日 after the award; in a year not entered it cannot be
    counted, so the owner's confirmation is refused and the lot is not awarded."""
    lot = first_lot(make_tender(world))
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot = record_outcome(world, lot)
    clock.set(publicity_end(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    drop_year(2028)
    clock.set(at("2027-12-20 10:00"))
    candidate = lot.candidates.order_by("rank").first()
    assert candidate is not None

    page = signed_in(world.owner_user).post(
        reverse("award_confirm", args=[lot.pk]), {"candidate": candidate.pk}
    )

    assert NOT_ENTERED_2028 in " ".join(str(m) for m in get_messages(page.wsgi_request)) + (
        page.content.decode()
    )
    lot.refresh_from_db()
    assert lot.status == "publicity"
    assert not Award.objects.filter(lot=lot).exists()


def test_a_candidates_notice_whose_publicity_would_end_after_the_table_is_not_approved(
    world: World, clock: ControlledClock
) -> None:
    """实施条例 第54条 with 民法典 第203条: the desk cannot publish a publicity whose end cannot be
    counted; it is refused at approval, not left failing when the notice goes public."""
    lot = first_lot(make_tender(world))
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot = record_outcome(world, lot, publish=False)
    deliver_events(clock)
    notice = Notice.objects.get(lot=lot, kind=NoticeKind.CANDIDATES)
    drop_year(2028)
    clock.set(at("2027-12-30 10:00"))

    page = signed_in(world.staff).post(reverse("notice_approve", args=[notice.pk]), {})

    shown = " ".join(str(m) for m in get_messages(page.wsgi_request)) + page.content.decode()
    assert NOT_ENTERED_2028 in shown
    notice.refresh_from_db()
    lot.refresh_from_db()
    assert notice.status == NoticeStatus.DRAFT
    assert lot.publicity_starts_at is None


# --- the center's administrator enters a year ---------------------------------------------------


def test_the_administrator_pastes_previews_and_saves_a_year(
    world: World, center_admin: User
) -> None:
    client = signed_in(center_admin)
    url = reverse("calendar_year_enter", args=[2027])
    listing = client.get(reverse("calendar_years"))
    assert "暂定" in listing.content.decode()

    preview = client.post(url, {"text": NOTICE_2027, "action": "preview"})

    body = preview.content.decode()
    assert preview.status_code == 200
    assert 'id="calendar-preview"' in body
    assert 'class="day-holiday" data-date="2027-02-05"' in body
    assert 'class="day-workday" data-date="2027-02-20"' in body
    assert "国办发明电〔2026〕9号" in body
    # A preview writes nothing: 2027 is still provisional.
    assert calendar_load().is_provisional(date(2027, 2, 20))

    saved = client.post(url, {"text": NOTICE_2027, "action": "save"})

    assert saved.status_code == 302
    table = calendar_load()
    assert not table.is_provisional(date(2027, 2, 20))
    assert table.is_working_day(date(2027, 2, 20))
    assert not table.is_working_day(date(2027, 2, 12))
    # The computed 补假 the notice does not grant are gone.
    assert table.is_working_day(date(2027, 5, 6)) is True
    sources = set(CalendarDay.objects.filter(date__year=2027).values_list("source", flat=True))
    assert sources == {"国务院办公厅通知 国办发明电〔2026〕9号"}
    entry = LedgerEntry.objects.filter(action="calendar.year_entered").get()
    assert entry.payload["year"] == 2027


def test_after_the_year_is_entered_its_schedule_is_no_longer_provisional(
    world: World, center_admin: User
) -> None:
    draft = make_tender(world, closes_at=at("2027-02-10 09:30"), submit=False)
    signed_in(center_admin).post(
        reverse("calendar_year_enter", args=[2027]), {"text": NOTICE_2027, "action": "save"}
    )

    page = signed_in(world.owner_user).get(reverse("tender_detail", args=[draft.pk]))

    assert PROVISIONAL_2027 not in page.content.decode()


def test_the_2026_notice_entered_gives_the_same_table_as_the_official_data(
    world: World, center_admin: User
) -> None:
    before = set(CalendarDay.objects.filter(date__year=2026).values_list("date", "kind"))

    signed_in(center_admin).post(
        reverse("calendar_year_enter", args=[2026]), {"text": NOTICE_2026, "action": "save"}
    )

    after = set(CalendarDay.objects.filter(date__year=2026).values_list("date", "kind"))
    assert after == before
    assert CalendarDay.objects.filter(source="国务院办公厅通知 国办发明电〔2025〕7号").exists()


@pytest.mark.parametrize(
    ("text", "year", "message"),
    [
        ("明年的放假安排另行通知。", 2027, "未识别出通知的条目"),
        (NOTICE_2026, 2027, "粘贴的是2026年的通知"),
        (NOTICE_2027.replace("共8天", "共9天"), 2027, "写明共9天"),
        (NOTICE_2027, 2031, "不能跳过尚未录入的年份"),
    ],
    ids=["not-a-notice", "wrong-year", "count", "gap"],
)
def test_text_that_is_not_the_year_s_schedule_is_refused_and_nothing_saved(
    world: World, center_admin: User, text: str, year: int, message: str
) -> None:
    before = list(CalendarDay.objects.values_list("date", "kind", "provisional", "source"))
    client = signed_in(center_admin)

    for action in ("preview", "save"):
        page = client.post(
            reverse("calendar_year_enter", args=[year]), {"text": text, "action": action}
        )
        assert page.status_code == 400
        assert message in page.content.decode()

    assert list(CalendarDay.objects.values_list("date", "kind", "provisional", "source")) == before
    assert not LedgerEntry.objects.filter(action="calendar.year_entered").exists()


@pytest.mark.parametrize("who", ["staff", "owner_user", "regulator"])
def test_only_the_center_administrator_enters_a_year(world: World, who: str) -> None:
    client = signed_in(getattr(world, who))

    page = client.post(
        reverse("calendar_year_enter", args=[2027]), {"text": NOTICE_2027, "action": "save"}
    )

    assert page.status_code == 403
    assert calendar_load().is_provisional(date(2027, 2, 20))
