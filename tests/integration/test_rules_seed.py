"""Seeding the legal rule table and the holiday calendar, and loading them back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from pytest_django import DjangoAssertNumQueries

from trading.domain.timeline import earliest, rules_in_force
from trading.models import BusinessType, CalendarDay, Region, TimelineRule
from trading.selectors.rules import calendar_load, rules_load
from trading.services.reference import reference_data_seed
from trading.services.rules import (
    LOCAL_ARTICLE,
    PROVISIONAL_SOURCE,
    RULE_SEEDS,
    calendar_seed,
    timeline_rules_seed,
)

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]

YEARS = range(2024, 2029)


@pytest.fixture
def reference() -> None:
    reference_data_seed()


def test_seeding_creates_every_rule_row_once_and_seeding_again_changes_nothing(
    reference: None,
) -> None:
    seeded = timeline_rules_seed()
    assert seeded == len(RULE_SEEDS) == TimelineRule.objects.count()
    assert timeline_rules_seed() == seeded
    assert TimelineRule.objects.count() == seeded


def test_loaded_rules_are_the_seeded_rules(reference: None) -> None:
    timeline_rules_seed()
    assert set(rules_load()) == set(RULE_SEEDS)


@pytest.mark.parametrize("business_type", ["carbon", "pollution", "medicine", "other"])
def test_business_types_without_national_rules_get_rows_marked_local(
    reference: None, business_type: str
) -> None:
    timeline_rules_seed()
    rows = TimelineRule.objects.filter(business_type__code=business_type)
    assert rows.exists()
    assert set(rows.values_list("local", "article")) == {(True, LOCAL_ARTICLE)}


def test_seeding_never_overwrites_the_administrators_correction(reference: None) -> None:
    timeline_rules_seed()
    # 39号令 第18条: many platforms count the land listing in working days.
    TimelineRule.objects.filter(key="land.listing_period").update(unit="workday")
    timeline_rules_seed()
    assert TimelineRule.objects.get(key="land.listing_period").unit == "workday"


def test_a_region_row_replaces_the_national_row_after_loading(reference: None) -> None:
    timeline_rules_seed()
    national = TimelineRule.objects.get(key="land.listing_period")
    TimelineRule.objects.create(
        key=national.key,
        kind=national.kind,
        business_type=BusinessType.objects.get(code="land"),
        procedure_codes=["listing"],
        region=Region.objects.get(code="460100"),
        from_point=national.from_point,
        to_point=national.to_point,
        minimum=Decimal(10),
        unit="workday",
        article="海口市国有建设用地使用权网上挂牌出让规则",
        description="挂牌时间不少于10个工作日",
        effective_from=date(2024, 1, 1),
    )
    rules = rules_load()
    calendar_seed(YEARS)
    calendar = calendar_load()
    start = datetime.fromisoformat("2026-12-04T09:00+08:00")
    by_region = {}
    for region in ("460100", "460200"):
        [rule] = [
            r
            for r in rules_in_force(
                rules,
                business_type="land",
                procedure="listing",
                region=region,
                on=date(2026, 12, 1),
            )
            if r.key == "land.listing_period"
        ]
        by_region[region] = earliest(start, rule, calendar)
    assert by_region["460200"] == datetime.fromisoformat("2026-12-14T00:00+08:00")  # 10 日
    assert by_region["460100"] == datetime.fromisoformat("2026-12-18T00:00+08:00")  # 10 工作日


def test_calendar_seed_marks_years_after_2026_provisional_without_make_up_workdays(
    reference: None,
) -> None:
    total = calendar_seed(YEARS)
    assert total == CalendarDay.objects.count()
    assert calendar_seed(YEARS) == total
    later = CalendarDay.objects.filter(date__year__gte=2027)
    assert later.exists()
    assert set(later.values_list("provisional", "source", "kind")) == {
        (True, PROVISIONAL_SOURCE, "holiday")
    }
    official = CalendarDay.objects.filter(date__year__lte=2026)
    assert not official.filter(provisional=True).exists()
    assert official.filter(kind="workday", date=date(2026, 9, 20)).exists()
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"


def test_the_calendar_loads_in_one_query(
    reference: None, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    calendar_seed(YEARS)
    with django_assert_num_queries(1):
        calendar = calendar_load()
    assert calendar.provisional_years == frozenset({2027, 2028})
    assert date(2027, 1, 1) in calendar.holidays
    assert date(2026, 2, 14) in calendar.workdays


def test_a_20_day_period_starting_in_december_2026_ends_in_january_2027(reference: None) -> None:
    calendar_seed(YEARS)
    timeline_rules_seed()
    [rule] = [r for r in rules_load() if r.key == "engineering.bid_period"]
    calendar = calendar_load()
    issued = datetime.fromisoformat("2026-12-12T10:00+08:00")
    # Day 20 is 元旦 2027 (provisional); the weekend follows: the deadline may be on Monday 01-04.
    assert earliest(issued, rule, calendar) == datetime.fromisoformat("2027-01-04T00:00+08:00")


def test_an_official_schedule_entered_by_the_administrator_gets_no_provisional_rows() -> None:
    CalendarDay.objects.create(date=date(2027, 1, 1), kind="holiday", name="元旦")
    CalendarDay.objects.create(date=date(2027, 2, 20), kind="workday", name="春节调休")
    calendar_seed(range(2027, 2028))
    assert not CalendarDay.objects.filter(provisional=True).exists()
    assert CalendarDay.objects.count() == 2


def test_provisional_rows_give_way_once_the_official_source_covers_the_year() -> None:
    CalendarDay.objects.create(
        date=date(2026, 3, 3), kind="holiday", provisional=True, source=PROVISIONAL_SOURCE
    )
    calendar_seed(range(2026, 2027))
    assert not CalendarDay.objects.filter(date=date(2026, 3, 3)).exists()
    assert not CalendarDay.objects.filter(provisional=True).exists()


def test_the_calendar_seed_command_reports_the_days(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("calendar_seed", "--from", "2026", "--to", "2027")
    assert "2026–2027" in capsys.readouterr().out
    assert CalendarDay.objects.filter(date__year=2027, provisional=True).exists()


def test_the_data_migration_corrects_seeded_articles_but_not_an_administrators_edit(
    reference: None,
) -> None:
    """Rows seeded before issue 8 carried 待核实 labels and bare order names (39号令, 32号令)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("trading.migrations.0010_rules_sale_end_amount_cap")
    timeline_rules_seed()
    TimelineRule.objects.filter(key="engineering.report").update(
        article="招标投标法 第47条（待核实）"
    )
    TimelineRule.objects.filter(key="land.result_publication").update(article="国土资源部令第39号")
    TimelineRule.objects.filter(key="property.disclosure").update(article="本市产权交易规则 第5条")

    migration.correct_articles(apps, None)

    def article(key: str) -> str:
        return TimelineRule.objects.get(key=key).article

    assert article("engineering.report") == "招标投标法 第47条"
    assert article("land.result_publication") == "国土资源部令第39号 第22条"
    assert article("property.disclosure") == "本市产权交易规则 第5条"  # the administrator's


def test_rows_for_every_business_type_are_seeded_once_beside_the_types_own_row(
    reference: None,
) -> None:
    timeline_rules_seed()
    rows = TimelineRule.objects.filter(key="notice.result")
    assert {(r.business_type.code if r.business_type else None) for r in rows} == {
        None,
        "procurement",
        "land",
    }
    assert timeline_rules_seed() == len(RULE_SEEDS)
