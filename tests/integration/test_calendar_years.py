"""The holiday table over time: `make run` keeps provisional years through today + 2 years, and
from 1 November the center's administrators are reminded until the next year is entered."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from config.celery import app
from tests.conftest import ControlledClock
from tests.factories import make_organisation, make_user
from trading.domain.holiday_calendar import calendar_seed_years
from trading.domain.timeline import SHANGHAI
from trading.models import CalendarDay, Notification, User
from trading.selectors.calendar import calendar_year_list
from trading.selectors.rules import calendar_load
from trading.services.rules import calendar_seed
from trading.tasks import calendar_reminders

pytestmark = pytest.mark.django_db

KIND = "calendar.year_missing"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_on_5_december_2026_the_table_holds_2026_official_and_two_provisional_years() -> None:
    calendar_seed(calendar_seed_years(date(2026, 12, 5)))

    years = {row.year: row.provisional for row in calendar_year_list()}
    table = calendar_load()

    assert years == {2025: False, 2026: False, 2027: True, 2028: True}
    assert table.last_year == 2028
    assert table.provisional_years == frozenset({2027, 2028})


def test_a_later_start_adds_the_next_provisional_year_and_keeps_what_was_entered() -> None:
    calendar_seed(calendar_seed_years(date(2026, 12, 5)))
    CalendarDay.objects.filter(date__year=2027).update(provisional=False, source="国务院办公厅通知")

    calendar_seed(calendar_seed_years(date(2027, 1, 4)))

    years = {row.year: row.provisional for row in calendar_year_list()}
    assert years[2027] is False
    assert years[2029] is True
    assert calendar_load().last_year == 2029


@pytest.fixture
def admins() -> list[User]:
    calendar_seed(calendar_seed_years(date(2026, 10, 1)))
    center = make_organisation("center")
    make_user(center, first_name="科室工作人员")
    return [
        make_user(center, first_name="中心管理员", is_organisation_admin=True),
        make_user(center, first_name="副管理员", is_organisation_admin=True),
    ]


def reminders(user: User) -> int:
    return Notification.objects.filter(recipient=user, kind=KIND).count()


def test_no_reminder_before_1_november(admins: list[User], clock: ControlledClock) -> None:
    clock.set(at("2026-10-31 09:00"))

    assert calendar_reminders() == 0
    assert not Notification.objects.filter(kind=KIND).exists()


def test_from_1_november_each_administrator_is_reminded_once_a_week_until_entered(
    admins: list[User], clock: ControlledClock
) -> None:
    clock.set(at("2026-11-01 09:00"))
    assert calendar_reminders() == 2
    notification = Notification.objects.filter(recipient=admins[0], kind=KIND).get()
    assert "2027" in notification.title
    assert notification.url == "/workspace/calendar/"

    # The beat runs daily, and again after a restart: no second reminder the same week.
    assert calendar_reminders() == 0
    clock.set(at("2026-11-07 09:00"))
    assert calendar_reminders() == 0
    clock.set(at("2026-11-08 09:00"))
    assert calendar_reminders() == 2
    assert [reminders(user) for user in admins] == [2, 2]

    # The notice for 2027 is entered: silence.
    CalendarDay.objects.filter(date__year=2027).update(provisional=False)
    clock.set(at("2026-11-20 09:00"))
    assert calendar_reminders() == 0


def test_desk_staff_are_not_reminded(admins: list[User], clock: ControlledClock) -> None:
    clock.set(at("2026-11-02 09:00"))
    calendar_reminders()

    recipients = set(Notification.objects.filter(kind=KIND).values_list("recipient", flat=True))
    assert recipients == {user.pk for user in admins}


def test_the_beat_runs_the_reminder_daily() -> None:
    entry = app.conf.beat_schedule["calendar-reminders"]

    assert entry["task"] == "trading.tasks.calendar_reminders"
    assert entry["schedule"].hour == {9}
