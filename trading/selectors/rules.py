"""The rule table and the holiday calendar, as the pure objects of `trading.domain.timeline`."""

from __future__ import annotations

from datetime import date

from trading.domain.timeline import Calendar, Rule
from trading.models import CalendarDay, TimelineRule
from trading.models.rules import DayKind


def calendar_load() -> Calendar:
    """The whole holiday table in one query (a few hundred rows over the seeded years)."""
    holidays: set[date] = set()
    workdays: set[date] = set()
    provisional_years: set[int] = set()
    for day, kind, provisional in CalendarDay.objects.values_list("date", "kind", "provisional"):
        (workdays if kind == DayKind.WORKDAY else holidays).add(day)
        if provisional:
            provisional_years.add(day.year)
    years = {day.year for day in holidays | workdays}
    return Calendar(
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        provisional_years=frozenset(provisional_years),
        # An empty table (a bare test database) counts Monday to Friday and refuses nothing.
        last_year=max(years) if years else None,
    )


def rules_load() -> list[Rule]:
    """Every rule row, every version and region: `rules_in_force` picks the ones that apply."""
    rows = TimelineRule.objects.select_related("business_type", "region").order_by(
        "key", "effective_from", "id"
    )
    return [
        Rule(
            key=row.key,
            kind=row.kind,
            from_point=row.from_point,
            to_point=row.to_point,
            minimum=row.minimum,
            maximum=row.maximum,
            unit=row.unit,
            article=row.article,
            description=row.description,
            business_type=row.business_type.code if row.business_type else None,
            procedure_codes=tuple(row.procedure_codes or ()),
            region=row.region.code if row.region else None,
            effective_from=row.effective_from,
            effective_to=row.effective_to,
            local=row.local,
            counted_back=row.counted_back,
        )
        for row in rows
    ]
