"""The rule table and the holiday calendar, as the pure objects of `trading.domain.timeline`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q

from trading.domain.timeline import Calendar, Rule, format_bound
from trading.models import BusinessType, CalendarDay, Procedure, TimelineRule
from trading.models.rules import DayKind
from trading.selectors.point_words import point_label

# Inside `rules_snapshot`: the rule table and the calendar already read, by loader.
_SNAPSHOT: ContextVar[dict[Any, Any] | None] = ContextVar("rules_snapshot", default=None)


@contextmanager
def rules_snapshot() -> Iterator[None]:
    """Read the rule table and the calendar once for a list of many lots (a console page
    computing every lot's lights), not once per lot. Nested, it keeps the outer one's reads."""
    if _SNAPSHOT.get() is not None:
        yield
        return
    token = _SNAPSHOT.set({})
    try:
        yield
    finally:
        _SNAPSHOT.reset(token)


def snapshot_memo[T](key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """`compute()` once per key inside `rules_snapshot` (the rules in force for a business type,
    procedure, region and day, shared by every lot of the page); every time outside it."""
    memo = _SNAPSHOT.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def calendar_load() -> Calendar:
    """The whole holiday table in one query (a few hundred rows over the seeded years)."""
    memo = _SNAPSHOT.get()
    if memo is not None:
        if "calendar" not in memo:
            memo["calendar"] = _calendar_read()
        return memo["calendar"]
    return _calendar_read()


def _calendar_read() -> Calendar:
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
    memo = _SNAPSHOT.get()
    if memo is not None:
        if "rules" not in memo:
            memo["rules"] = _rules_read()
        return list(memo["rules"])
    return _rules_read()


def _rules_read() -> list[Rule]:
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


@dataclass(frozen=True)
class RuleRow:
    """One rule row in force, as the public rule page shows it."""

    key: str
    business_type: str
    business_type_name: str
    procedures: tuple[str, ...]
    region_name: str
    from_label: str
    to_label: str
    description: str
    minimum: str
    maximum: str
    article: str
    local: bool
    effective_from: date


def rule_list_in_force(*, on: date, business_type: str | None = None) -> list[RuleRow]:
    """Every rule row in force on `on` (each key's latest version), for one business type and
    the rows that govern every type, or for all types: the public rule page (DESIGN.md §7)."""
    rows = TimelineRule.objects.select_related("business_type", "region").filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=on), effective_from__lte=on
    )
    if business_type is not None:
        rows = rows.filter(Q(business_type__code=business_type) | Q(business_type__isnull=True))
    latest: dict[tuple[str, str | None, str | None], TimelineRule] = {}
    for row in rows.order_by("effective_from", "id"):
        bt = row.business_type.code if row.business_type else None
        latest[(row.key, bt, row.region.code if row.region else None)] = row
    names = {
        (procedure.business_type.code, procedure.code): procedure.display_name
        for procedure in Procedure.objects.select_related("business_type")
    }
    found = []
    for row in latest.values():
        bt = row.business_type.code if row.business_type else ""
        rule = Rule(
            key=row.key,
            kind=row.kind,
            from_point=row.from_point,
            to_point=row.to_point,
            minimum=row.minimum,
            maximum=row.maximum,
            unit=row.unit,
            article=row.article,
            description=row.description,
        )
        found.append(
            RuleRow(
                key=row.key,
                business_type=bt,
                business_type_name=str(row.business_type.display_name) if row.business_type else "",
                procedures=tuple(
                    str(names.get((bt, code), code)) for code in row.procedure_codes or ()
                ),
                region_name=str(row.region.display_name) if row.region else "",
                from_label=point_label(row.from_point),
                to_label=point_label(row.to_point),
                description=row.description,
                minimum=format_bound(rule, row.minimum),
                maximum=format_bound(rule, row.maximum),
                article=row.article,
                local=row.local,
                effective_from=row.effective_from,
            )
        )
    # Every type's rows first, then by business type's number, then by key.
    order = dict(BusinessType.objects.values_list("code", "number"))
    found.sort(key=lambda r: (order.get(r.business_type, 0), r.key, r.region_name))
    return found
