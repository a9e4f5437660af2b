"""Calendars past the official data: provisional years warned, years not entered refused, and the
State Council's notice read as the table's data (民法典 第201、203条; 国务院办公厅 节假日安排)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.holiday_notices import NOTICE_2023, NOTICE_2025, NOTICE_2026
from trading.domain.holiday_calendar import (
    NoticeParseError,
    calendar_seed_years,
    parse_holiday_notice,
    provisional_years_touched,
    reminder_due,
    schedule_months,
    years_awaiting_entry,
    years_beyond_table,
)
from trading.domain.timeline import (
    CALENDAR_NOT_ENTERED,
    SHANGHAI,
    Calendar,
    Rule,
    check_schedule,
)
from trading.services.rules import calendar_days_from_sources


def _table(years: range) -> Calendar:
    days = calendar_days_from_sources(years)
    return Calendar(
        holidays=frozenset(d.date for d in days if d.kind == "holiday"),
        workdays=frozenset(d.date for d in days if d.kind == "workday"),
        provisional_years=frozenset(d.date.year for d in days if d.provisional),
        last_year=max(years),
    )


# 2026 official (chinese_calendar), 2027 and 2028 provisional, nothing after.
TABLE = _table(range(2026, 2029))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


TWENTY_DAYS = Rule(
    key="engineering.documents_to_deadline",
    kind="period",
    from_point="documents_issued",
    to_point="bid_deadline",
    minimum=Decimal(20),
    maximum=None,
    unit="day",
    article="招标投标法 第24条",
    description="自招标文件开始发出之日起至投标人提交投标文件截止之日止，最短不得少于二十日",
)


@pytest.mark.parametrize(
    ("deadline", "provisional", "beyond"),
    [
        # 2026: the State Council's schedule (国办发明电〔2025〕7号) is in: silent.
        ("2026-12-21 09:30", [], []),
        # 2027: computed holidays only, no 调休 yet: accepted with a warning.
        ("2027-02-10 09:30", [2027], []),
        ("2028-06-01 09:30", [2028], []),
        # 00:00 of 1 January 2029 is 24:00 of 31 December 2028: still a day of the table.
        ("2029-01-01 00:00", [2028], []),
        # 2029 onwards: no row at all: refused.
        ("2029-01-01 00:01", [], [2029]),
        ("2029-10-01 09:30", [], [2029]),
    ],
    ids=["official", "provisional-2027", "provisional-2028", "midnight", "2029-first", "2029-oct"],
)
def test_a_deadline_is_silent_warned_or_refused_by_its_year(
    deadline: str, provisional: list[int], beyond: list[int]
) -> None:
    points = {"documents_issued": at("2026-12-01 09:00"), "bid_deadline": at(deadline)}

    assert provisional_years_touched(points, TABLE) == provisional
    assert years_beyond_table(points, TABLE) == beyond


def test_a_deadline_beyond_the_table_is_refused_naming_the_year_not_counted() -> None:
    """民法典 第203条 needs the year's rest days: a point in 2029 cannot be checked at all."""
    points = {"documents_issued": at("2026-12-01 09:00"), "bid_deadline": at("2029-10-01 09:30")}

    found = check_schedule(points, [TWENTY_DAYS], TABLE)

    assert [(v.rule_key, v.point) for v in found] == [(CALENDAR_NOT_ENTERED, "bid_deadline")]
    assert found[0].message.startswith("2029年的节假日安排尚未录入")


@pytest.mark.parametrize(
    ("deadline", "lawful"),
    [("2027-02-10 09:30", True), ("2026-12-20 09:30", False)],
    ids=["provisional-lawful", "official-too-early"],
)
def test_a_provisional_year_is_counted_not_refused(deadline: str, lawful: bool) -> None:
    """招标投标法 第24条 in a provisional year: counted on the computed holidays."""
    points = {"documents_issued": at("2026-12-01 09:00"), "bid_deadline": at(deadline)}

    assert (check_schedule(points, [TWENTY_DAYS], TABLE) == []) is lawful


def test_the_2027_spring_festival_is_provisional_without_make_up_workdays() -> None:
    """Until the notice for 2027 is entered, its Spring Festival is computed (除夕 to 初五)."""
    spring = [date(2027, 2, 5) + timedelta(days=n) for n in range(6)]

    assert all(not TABLE.is_working_day(day) for day in spring)
    assert all(TABLE.is_provisional(day) for day in spring)
    # The weekends around it stay rest days: no 调休 is known yet.
    assert not TABLE.is_working_day(date(2027, 2, 20))
    assert provisional_years_touched([at("2027-02-08 10:00")], TABLE) == [2027]


def test_a_period_ending_on_the_provisional_spring_festival_moves_past_it() -> None:
    """第203条 on a provisional year: 20 日 from 18 January 2027 end on 11 February."""
    points = {"documents_issued": at("2027-01-18 09:00"), "bid_deadline": at("2027-02-07 09:30")}

    found = check_schedule(points, [TWENTY_DAYS], TABLE)

    assert [str(v.earliest) for v in found] == ["2027-02-11 00:00:00+08:00"]


def test_a_calendar_without_a_table_refuses_nothing() -> None:
    assert years_beyond_table([at("2040-01-02 10:00")], Calendar()) == []


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)))
def test_every_day_is_either_counted_or_refused(day: date) -> None:
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI)
    refused = years_beyond_table([moment], TABLE)
    warned = provisional_years_touched([moment], TABLE)

    assert bool(refused) is (day.year > 2028)
    assert bool(warned) is (day.year in (2027, 2028))


@pytest.mark.parametrize(
    ("today", "years"),
    [
        (date(2026, 12, 5), range(2025, 2029)),
        (date(2027, 1, 1), range(2026, 2030)),
        (date(2028, 2, 29), range(2027, 2031)),
    ],
)
def test_the_embedded_table_keeps_years_through_today_plus_two(today: date, years: range) -> None:
    assert calendar_seed_years(today) == years
    assert max(calendar_seed_years(today)) == (today + timedelta(days=731)).year


@pytest.mark.parametrize(
    ("today", "official", "awaiting"),
    [
        (date(2026, 10, 31), {2026}, []),
        (date(2026, 11, 1), {2026}, [2027]),
        (date(2026, 12, 5), {2026, 2027}, []),
        (date(2027, 1, 4), {2026}, [2027]),
        (date(2027, 6, 1), {2027}, []),
    ],
    ids=["before-november", "from-1-november", "entered", "new-year-still-missing", "summer"],
)
def test_the_center_is_reminded_from_1_november_until_the_next_year_is_entered(
    today: date, official: set[int], awaiting: list[int]
) -> None:
    assert years_awaiting_entry(today, official) == awaiting


def test_a_reminder_goes_out_at_most_once_a_week() -> None:
    now = at("2026-11-05 09:00")

    assert reminder_due(None, now)
    assert not reminder_due(now - timedelta(days=6, hours=23), now)
    assert reminder_due(now - timedelta(days=7), now)


# --- the State Council's notice -------------------------------------------------------------


def _official(year: int) -> tuple[set[date], set[date]]:
    holidays = {d for d in chinese_calendar.holidays if d.year == year}
    workdays = {d for d in chinese_calendar.workdays if d.year == year}
    return holidays, workdays


@pytest.mark.parametrize(
    ("text", "year", "number"),
    [(NOTICE_2026, 2026, "国办发明电〔2025〕7号"), (NOTICE_2025, 2025, "国办发明电〔2024〕12号")],
    ids=["2026", "2025"],
)
def test_the_notice_gives_exactly_the_official_holidays_and_make_up_workdays(
    text: str, year: int, number: str
) -> None:
    schedule = parse_holiday_notice(text, year)

    assert (set(schedule.holidays), set(schedule.workdays)) == _official(year)
    assert schedule.document == number


def test_the_2026_notice_names_each_day() -> None:
    schedule = parse_holiday_notice(NOTICE_2026, 2026)

    assert schedule.holidays[date(2026, 2, 15)] == "春节"
    assert schedule.workdays[date(2026, 2, 28)] == "春节调休"
    assert schedule.workdays[date(2026, 9, 20)] == "国庆节调休"


def test_a_new_year_beginning_on_31_december_keeps_that_day_in_its_own_year() -> None:
    """国办发明电〔2022〕16号: 元旦 2022年12月31日至2023年1月2日."""
    schedule = parse_holiday_notice(NOTICE_2023, 2023)
    holidays, workdays = _official(2023)
    # 30 and 31 December 2023 belong to the notice for 2024.
    holidays -= {date(2023, 12, 30), date(2023, 12, 31)}

    assert {d for d in schedule.holidays if d.year == 2023} == holidays
    assert set(schedule.workdays) == workdays
    assert schedule.outside == (date(2022, 12, 31),)


@pytest.mark.parametrize(
    ("text", "year", "code"),
    [
        ("", 2027, "no_items"),
        ("明年放假安排另行通知。", 2027, "no_items"),
        (NOTICE_2026, 2027, "wrong_year"),
        # The weekdays a notice names tell its year even without its title.
        (NOTICE_2026.split("如下。")[1], 2027, "weekday"),
        ("一、元旦：1月1日（周四）至3日（周六）放假调休，共4天。", 2026, "count"),
        ("一、元旦：2月30日放假，共1天。", 2026, "bad_date"),
        ("一、元旦：1月1日（周四）至3日（周六）放假。1月2日（周五）上班。", 2026, "both"),
        ("一、说明：各单位按规定执行。", 2026, "no_holidays"),
    ],
    ids=["empty", "no-items", "wrong-year", "weekday", "count", "bad-date", "both", "no-dates"],
)
def test_text_that_is_not_a_schedule_is_refused_with_its_reason(
    text: str, year: int, code: str
) -> None:
    with pytest.raises(NoticeParseError) as refused:
        parse_holiday_notice(text, year)

    assert refused.value.code == code


def test_the_preview_is_twelve_months_with_holidays_and_make_up_days_marked() -> None:
    months = schedule_months(parse_holiday_notice(NOTICE_2026, 2026))
    february = months[1]
    cells = {cell.day: cell for week in february.weeks for cell in week if cell.day}

    assert len(months) == 12
    assert (february.holidays, february.workdays) == (9, 2)
    assert cells[date(2026, 2, 15)].kind == "holiday"
    assert cells[date(2026, 2, 14)].kind == "workday"
    assert cells[date(2026, 2, 7)].kind == "rest"
    assert cells[date(2026, 2, 2)].kind == ""
    # Monday first: February 2026 starts on a Sunday, six padding cells before it.
    assert [cell.day for cell in february.weeks[0]][:6] == [None] * 6
