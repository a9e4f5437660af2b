"""The holiday table past the official data: provisional years, years not entered, and the State
Council's notice read as data (DESIGN.md §7).

Pure: no Django, no clock. Working days follow the State Council's yearly schedule (国务院办公厅
关于部分节假日安排的通知), published late each year for the next, with its make-up working days
(调休). Until a year's notice is entered its holidays are computed and *provisional*; a year the
table does not hold at all cannot be counted in law (民法典 第203条 needs its rest days).
"""

from __future__ import annotations

import calendar as month_calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from trading.domain.timeline import CALENDAR_NOT_ENTERED, Calendar, Violation, legal_day

# --- what a schedule touches -----------------------------------------------------------------


def _moments(points: Mapping[str, datetime] | Iterable[datetime]) -> list[datetime]:
    values = points.values() if isinstance(points, Mapping) else points
    return [moment for moment in values if moment is not None]


def provisional_years_touched(
    points: Mapping[str, datetime] | Iterable[datetime], calendar: Calendar
) -> list[int]:
    """The provisional years (holidays computed, no 调休 known) in which a point falls, sorted."""
    return sorted(
        {
            legal_day(moment).year
            for moment in _moments(points)
            if calendar.is_provisional(legal_day(moment)) and calendar.entered(legal_day(moment))
        }
    )


def years_beyond_table(
    points: Mapping[str, datetime] | Iterable[datetime], calendar: Calendar
) -> list[int]:
    """The years after the holiday table in which a point falls, sorted: none can be counted."""
    return sorted(
        {
            legal_day(moment).year
            for moment in _moments(points)
            if not calendar.entered(legal_day(moment))
        }
    )


def is_calendar_refusal(violation: Violation) -> bool:
    """A violation that says the point's year is not in the holiday table (not a rule broken)."""
    return violation.rule_key == CALENDAR_NOT_ENTERED


def calendar_seed_years(today: date) -> range:
    """The years the embedded platform keeps in its table: last year through today + 2 years.

    The horizon of a schedule is about two years, so every lawful point has a row, provisional
    until the State Council's notice for its year is entered.
    """
    return range(today.year - 1, today.year + 3)


# The State Council publishes the next year's schedule in the autumn; from 1 November the center
# is reminded to enter it.
REMINDER_FROM = (11, 1)
REMINDER_EVERY = timedelta(days=7)


def years_awaiting_entry(today: date, official_years: Iterable[int]) -> list[int]:
    """The years whose official schedule the center must still enter: the current year, and from
    1 November the next one, unless entered."""
    official = set(official_years)
    wanted = [today.year]
    if (today.month, today.day) >= REMINDER_FROM:
        wanted.append(today.year + 1)
    return [year for year in wanted if year not in official]


def reminder_due(last_sent: datetime | None, now: datetime) -> bool:
    """A reminder goes out at most once a week to each administrator (no daily spam)."""
    return last_sent is None or now - last_sent >= REMINDER_EVERY


# --- the State Council's notice --------------------------------------------------------------


class NoticeParseError(ValueError):
    """The pasted text is not a schedule the platform can read; `code` and `params` say why."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class HolidaySchedule:
    """One year's official schedule: the days off and the make-up working days (调休), named."""

    year: int
    holidays: Mapping[date, str]
    workdays: Mapping[date, str]
    document: str = ""
    # Days of a neighbouring year the notice names (元旦 may begin on 31 December).
    outside: tuple[date, ...] = field(default=())


_ITEM = re.compile(r"([一二三四五六七八九十]+)、\s*([^：:。\n]{1,30})[：:]")
_DATE = re.compile(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*)?(?P<d>\d{1,2})\s*日"
    r"(?:\s*[（(](?P<note>[^）)]*)[）)])?"
)
_RANGE_WORD = re.compile(r"^\s*(?:至|到|—|\uff0d|-|~|\uff5e)\s*")
_COUNT = re.compile(r"(?:共|放假)\s*(\d{1,2})\s*天")
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_YEAR_NAMED = re.compile(r"(\d{4})\s*年\s*(?:部分节假日|元旦)")
_DOCUMENT = re.compile(r"国办发明电\s*[〔\[【（(]\s*(\d{4})\s*[〕\]】）)]\s*(\d{1,3})\s*号")
_SENTENCE = re.compile(r"[。；;\n]")


def document_number(text: str) -> str:
    """The notice's number, e.g. 国办发明电〔2025〕7号, written with tortoise-shell brackets."""
    found = _DOCUMENT.search(text)
    return f"国办发明电〔{found.group(1)}〕{found.group(2)}号" if found else ""


@dataclass
class _Token:
    day: date
    end: int  # where the token ends in its sentence
    start: int
    explicit_year: bool


def _tokens(sentence: str, year: int) -> list[_Token]:
    found: list[_Token] = []
    month: int | None = None
    for match in _DATE.finditer(sentence):
        if match.group("m") is not None:
            month = int(match.group("m"))
        if month is None:
            raise NoticeParseError("no_month", text=match.group(0))
        the_year = int(match.group("y")) if match.group("y") else year
        try:
            day = date(the_year, month, int(match.group("d")))
        except ValueError:
            raise NoticeParseError("bad_date", text=match.group(0).strip()) from None
        note = match.group("note") or ""
        weekday = _WEEKDAY.search(note)
        if weekday and _WEEKDAYS[weekday.group(1)] != day.weekday():
            raise NoticeParseError("weekday", text=match.group(0).strip(), day=day, year=the_year)
        found.append(_Token(day, match.end(), match.start(), match.group("y") is not None))
    return found


def _holiday_days(sentence: str, tokens: list[_Token]) -> list[date]:
    days: list[date] = []
    index = 0
    while index < len(tokens):
        first = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is not None and _RANGE_WORD.match(sentence[first.end : following.start]):
            start, end = first.day, following.day
            if end < start and not (first.explicit_year or following.explicit_year):
                # 12月31日至1月2日 in a notice for the year of 1月2日.
                start = start.replace(year=start.year - 1)
            if end < start or (end - start).days > 31:
                raise NoticeParseError("bad_range", text=sentence.strip())
            days.extend(start + timedelta(days=n) for n in range((end - start).days + 1))
            index += 2
        else:
            days.append(first.day)
            index += 1
    count = _COUNT.search(sentence)
    if count and int(count.group(1)) != len(days):
        raise NoticeParseError(
            "count", text=sentence.strip(), stated=int(count.group(1)), found=len(days)
        )
    return days


def parse_holiday_notice(text: str, year: int) -> HolidaySchedule:
    """Read the State Council's notice of `year`'s holidays: each numbered item's 放假 days (a
    range 月日至日, or one day) and its 上班 days (调休), checked against the weekdays it names
    and the number of days it states."""
    text = (text or "").replace("\u3000", " ")
    named = _YEAR_NAMED.search(text)
    if named and int(named.group(1)) != year:
        raise NoticeParseError("wrong_year", named=int(named.group(1)), year=year)
    items = list(_ITEM.finditer(text))
    if not items:
        raise NoticeParseError("no_items")
    holidays: dict[date, str] = {}
    workdays: dict[date, str] = {}
    for position, item in enumerate(items):
        name = item.group(2).strip()
        body = text[item.end() : items[position + 1].start() if position + 1 < len(items) else None]
        for sentence in _SENTENCE.split(body):
            tokens = _tokens(sentence, year)
            if not tokens:
                continue
            if "上班" in sentence:
                for token in tokens:
                    workdays[token.day] = f"{name}调休"[:60]
            elif "放假" in sentence or "休息" in sentence:
                for day in _holiday_days(sentence, tokens):
                    holidays[day] = name[:60]
    if not holidays:
        raise NoticeParseError("no_holidays")
    both = sorted(set(holidays) & set(workdays))
    if both:
        raise NoticeParseError("both", day=both[0])
    outside = tuple(sorted(d for d in (*holidays, *workdays) if d.year != year))
    if any(abs(day.year - year) > 1 for day in outside):
        raise NoticeParseError("far_year", day=outside[0], year=year)
    if not any(day.year == year for day in holidays):
        raise NoticeParseError("no_holidays")
    return HolidaySchedule(
        year=year,
        holidays=dict(sorted(holidays.items())),
        workdays=dict(sorted(workdays.items())),
        document=document_number(text),
        outside=outside,
    )


# --- the preview -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DayCell:
    day: date | None  # None pads a week before the 1st or after the last day
    kind: str = ""  # "holiday", "workday" (调休), "rest" (a weekend), or "" (a working day)
    name: str = ""


@dataclass(frozen=True)
class MonthPreview:
    month: int
    weeks: list[list[DayCell]]
    holidays: int
    workdays: int


def schedule_months(schedule: HolidaySchedule) -> list[MonthPreview]:
    """The year as twelve month grids (Monday first), holidays and 调休 working days marked."""
    grid = month_calendar.Calendar(firstweekday=0)
    months = []
    for month in range(1, 13):
        weeks: list[list[DayCell]] = []
        for week in grid.monthdatescalendar(schedule.year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(DayCell(None))
                elif day in schedule.holidays:
                    row.append(DayCell(day, "holiday", schedule.holidays[day]))
                elif day in schedule.workdays:
                    row.append(DayCell(day, "workday", schedule.workdays[day]))
                else:
                    row.append(DayCell(day, "rest" if day.weekday() >= 5 else ""))
            weeks.append(row)
        months.append(
            MonthPreview(
                month=month,
                weeks=weeks,
                holidays=sum(
                    1 for d in schedule.holidays if d.month == month and d.year == schedule.year
                ),
                workdays=sum(
                    1 for d in schedule.workdays if d.month == month and d.year == schedule.year
                ),
            )
        )
    return months
