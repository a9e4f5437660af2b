"""Seeding of the legal rule table and the holiday calendar (DESIGN.md §7, DOMAIN.md).

Both tables are data the platform administrator edits, so seeding only creates what is missing and
never overwrites a row: a corrected national number is entered as a new version (a later
`effective_from`), a local variant as a region row. `make run` may call both on every start.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import chinese_calendar
import holidays as holidays_package
from django.db import transaction

from trading.models import BusinessType, CalendarDay, Procedure, TimelineRule
from trading.models.rules import DayKind
from trading.selectors.lights import lot_lights_stale_all
from trading.services.rule_rows import RULE_SEEDS
from trading.services.rule_rows.common import LOCAL_ARTICLE, LOCAL_LIMIT_ARTICLE

__all__ = [
    "LOCAL_ARTICLE",
    "LOCAL_LIMIT_ARTICLE",
    "RULE_SEEDS",
    "calendar_days_from_sources",
    "calendar_seed",
    "timeline_rules_seed",
]


@transaction.atomic
def timeline_rules_seed() -> int:
    """Create the missing national and local rule rows of DOMAIN.md; return how many are seeded.

    Rows are matched by key, business type (none: every type), effective date and (no) region,
    and never overwritten: the administrator's corrections win.
    """
    types = {bt.code: bt for bt in BusinessType.objects.all()}
    procedures = set(Procedure.objects.values_list("business_type__code", "code"))
    for rule in RULE_SEEDS:
        if rule.business_type is not None and rule.business_type not in types:
            raise ValueError(f"rule {rule.key}: unknown business type {rule.business_type!r}")
        unknown = [c for c in rule.procedure_codes if (rule.business_type, c) not in procedures]
        if unknown:
            raise ValueError(f"rule {rule.key}: unknown procedures {unknown}")
        TimelineRule.objects.get_or_create(
            key=rule.key,
            business_type=None if rule.business_type is None else types[rule.business_type],
            effective_from=rule.effective_from,
            region=None,
            defaults={
                "kind": rule.kind,
                "procedure_codes": list(rule.procedure_codes),
                "from_point": rule.from_point,
                "to_point": rule.to_point,
                "minimum": rule.minimum,
                "maximum": rule.maximum,
                "unit": rule.unit,
                "article": rule.article,
                "description": rule.description,
                "effective_to": rule.effective_to,
                "local": rule.local,
                "counted_back": rule.counted_back,
            },
        )
    return TimelineRule.objects.filter(
        region__isnull=True, key__in=[r.key for r in RULE_SEEDS]
    ).count()


@dataclass(frozen=True)
class CalendarDaySeed:
    date: date
    kind: str
    name: str
    provisional: bool
    source: str


CHINESE_CALENDAR_SOURCE = "chinese_calendar 1.11"
PROVISIONAL_SOURCE = "holidays (provisional)"
# The years whose State Council schedule the installed chinese_calendar carries.
CHINESE_CALENDAR_YEARS = frozenset(d.year for d in chinese_calendar.holidays)


def _chinese_name(english: str) -> str:
    try:
        return str(chinese_calendar.Holiday(english).chinese)
    except ValueError:
        return english


def calendar_days_from_sources(years: Iterable[int]) -> list[CalendarDaySeed]:
    """Holidays and make-up workdays: the official schedule where known, computed ones after."""
    days: list[CalendarDaySeed] = []
    for year in years:
        if year in CHINESE_CALENDAR_YEARS:
            for day, english in sorted(chinese_calendar.holidays.items()):
                if day.year == year:
                    days.append(
                        CalendarDaySeed(
                            day,
                            DayKind.HOLIDAY,
                            _chinese_name(english),
                            False,
                            CHINESE_CALENDAR_SOURCE,
                        )
                    )
            for day, english in sorted(chinese_calendar.workdays.items()):
                if day.year == year:
                    days.append(
                        CalendarDaySeed(
                            day,
                            DayKind.WORKDAY,
                            f"{_chinese_name(english)}调休",
                            False,
                            CHINESE_CALENDAR_SOURCE,
                        )
                    )
        else:
            # Computed statutory holidays only: the make-up workdays are unknown until the State
            # Council publishes the schedule, late in the year before.
            computed = holidays_package.China(years=year, language="zh_CN")
            for day, name in sorted(computed.items()):
                days.append(
                    CalendarDaySeed(day, DayKind.HOLIDAY, str(name), True, PROVISIONAL_SOURCE)
                )
    return days


@transaction.atomic
def calendar_seed(years: range) -> int:
    """Seed the holiday table for `years`; return how many days of those years it holds.

    A year's provisional rows give way to official ones once a source carries the year; a year
    for which the administrator has entered the official schedule gets no provisional rows.
    """
    seeds = calendar_days_from_sources(years)
    official = set(
        CalendarDay.objects.filter(date__year__in=list(years), provisional=False).values_list(
            "date__year", flat=True
        )
    )
    for year in years:
        if year in CHINESE_CALENDAR_YEARS:
            CalendarDay.objects.filter(date__year=year, provisional=True).delete()
    existing = set(
        CalendarDay.objects.filter(date__year__in=list(years)).values_list("date", flat=True)
    )
    CalendarDay.objects.bulk_create(
        CalendarDay(
            date=seed.date,
            kind=seed.kind,
            name=seed.name[:60],
            provisional=seed.provisional,
            source=seed.source,
        )
        for seed in seeds
        if seed.date not in existing and not (seed.provisional and seed.date.year in official)
    )
    # Every period is counted on this calendar: each lot's stored colour is recomputed.
    lot_lights_stale_all()
    return CalendarDay.objects.filter(date__year__in=list(years)).count()
