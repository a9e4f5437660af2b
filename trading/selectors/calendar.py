"""The holiday table as people read it: which years are official, provisional or missing, and the
warnings and refusals a schedule gets from it (DESIGN.md §7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from trading.domain.holiday_calendar import provisional_years_touched
from trading.domain.lifecycle import TERMINAL
from trading.models import CalendarDay, Lot, Tender
from trading.selectors.rules import calendar_load


def calendar_last_year() -> int | None:
    """The last year the holiday table holds (None for an empty table): one cheap query."""
    last = CalendarDay.objects.aggregate(last=Max("date"))["last"]
    return last.year if last is not None else None


def calendar_years_open(today: date) -> range:
    """The years an administrator may enter: from last year up to the one after the table, so
    no year is skipped."""
    last = calendar_last_year() or today.year
    return range(today.year - 1, max(last, today.year) + 2)


def calendar_not_entered_message(year: int) -> str:
    return _(
        "%(year)s年的节假日安排尚未录入，无法计算法定期限；请联系交易中心管理员录入国务院办公厅的通知。"
    ) % {"year": year}


def calendar_not_entered_error(year: int, field: str | None = None) -> ValidationError:
    """The refusal of a point (or a computed period end) in a year after the table."""
    message = calendar_not_entered_message(year)
    if field is None:
        return ValidationError(message, code="calendar_not_entered")
    return ValidationError({field: message}, code="calendar_not_entered")


def provisional_warning(year: int) -> str:
    return _(
        "%(year)s年节假日安排尚未由国务院公布，按暂定安排计算（法定节假日，暂无调休上班日）；"
        "公布并录入后，落在该年的期限可能变化。"
    ) % {"year": year}


@dataclass(frozen=True)
class CalendarYear:
    """One year of the table: official (the State Council's notice) or provisional, and its days."""

    year: int
    provisional: bool
    holidays: int
    workdays: int
    source: str
    first: object
    last: object


def calendar_year_list() -> list[CalendarYear]:
    """Every year in the table, oldest first."""
    rows = (
        CalendarDay.objects.annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(
            provisional_days=Count("pk", filter=Q(provisional=True)),
            holidays=Count("pk", filter=Q(kind="holiday")),
            workdays=Count("pk", filter=Q(kind="workday")),
            source=Max("source"),
            first=Min("date"),
            last=Max("date"),
        )
        .order_by("year")
    )
    return [
        CalendarYear(
            year=row["year"],
            provisional=row["provisional_days"] > 0,
            holidays=row["holidays"],
            workdays=row["workdays"],
            source=row["source"] or "",
            first=row["first"],
            last=row["last"],
        )
        for row in rows
    ]


def calendar_official_years() -> set[int]:
    """Years whose every row is the State Council's schedule (none provisional)."""
    return {row.year for row in calendar_year_list() if not row.provisional}


def _tender_moments(tender: Tender, lots: list[Lot]) -> list[datetime]:
    moments = [tender.announced_at, tender.documents_issued_at, tender.clarification_deadline]
    for lot in lots:
        if lot.status in TERMINAL:
            continue
        moments += [lot.opens_at, lot.closes_at, lot.publicity_ends_at]
        moments += [o.answer_due for o in lot.objections.filter(answered_at__isnull=True)]
    return [moment for moment in moments if moment is not None]


def tender_calendar_warnings(tender: Tender) -> list[str]:
    """One warning per provisional year the tender's schedule reaches: accepted, but counted on
    computed holidays until the State Council's notice for that year is entered.

    Training tenders run on a scaled, fictitious time and get none.
    """
    if tender.project.training:
        return []
    lots = list(tender.lots.order_by("pk"))
    years = provisional_years_touched(_tender_moments(tender, lots), calendar_load())
    return [provisional_warning(year) for year in years]
