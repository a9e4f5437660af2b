"""Legal periods: counting (民法典 第201、203条), rule versions, amount caps, lights, properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trading.domain.points import Point, schedule_points
from trading.domain.timeline import (
    SHANGHAI,
    Calendar,
    Light,
    Rule,
    check_amounts,
    check_schedule,
    earliest,
    latest,
    latest_start_day,
    legal_day,
    light,
    local_date,
    period_until,
    rules_in_force,
)
from trading.services.rules import LOCAL_ARTICLE, RULE_SEEDS, calendar_days_from_sources


def _calendar(years: range) -> Calendar:
    days = calendar_days_from_sources(years)
    return Calendar(
        holidays=frozenset(d.date for d in days if d.kind == "holiday"),
        workdays=frozenset(d.date for d in days if d.kind == "workday"),
        provisional_years=frozenset(d.date.year for d in days if d.provisional),
    )


CALENDAR = _calendar(range(2024, 2029))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def seed(key: str) -> Rule:
    return next(r for r in RULE_SEEDS if r.key == key)


def period(minimum: int | None = None, maximum: int | None = None, unit: str = "day") -> Rule:
    return Rule(
        key="test.period",
        kind="period",
        from_point="documents_issued",
        to_point="bid_deadline",
        minimum=None if minimum is None else Decimal(minimum),
        maximum=None if maximum is None else Decimal(maximum),
        unit=unit,
        article="测试 第1条",
        description="",
    )


# --- counting ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "end", "why"),
    [
        ("2026-12-01T10:00+08:00", 20, "2026-12-22T00:00+08:00", "first day not counted, 24:00"),
        ("2026-12-01T00:00+08:00", 20, "2026-12-22T00:00+08:00", "even from midnight"),
        ("2026-11-30T20:00+00:00", 20, "2026-12-22T00:00+08:00", "UTC evening is Shanghai's 12-01"),
        ("2026-12-02T16:30+00:00", 20, "2026-12-24T00:00+08:00", "not the UTC date 12-02"),
        ("2026-11-29T10:00+08:00", 20, "2026-12-22T00:00+08:00", "Saturday 12-19 → Monday"),
        ("2026-09-11T10:00+08:00", 20, "2026-10-09T00:00+08:00", "国庆 10-01 → 10-08"),
        ("2026-08-31T10:00+08:00", 20, "2026-09-21T00:00+08:00", "Sunday 09-20 is a 调休 workday"),
        ("2026-12-15T10:00+08:00", 20, "2027-01-05T00:00+08:00", "December 2026 into 2027"),
        ("2026-12-12T10:00+08:00", 20, "2027-01-05T00:00+08:00", "元旦 2027 (provisional) → 01-04"),
        ("2026-12-20T09:00+08:00", 3, "2026-12-24T00:00+08:00", "a plain weekday"),
    ],
)
def test_a_period_in_days_ends_at_24_00_of_its_last_working_day(
    start: str, days: int, end: str, why: str
) -> None:
    assert CALENDAR.add_days(at(start), days, "day") == at(end), why


@pytest.mark.parametrize(
    ("start", "n", "last"),
    [
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # 国庆 2026: 10-01 … 10-07
        (date(2026, 9, 30), 3, date(2026, 10, 10)),  # Saturday 10-10 is a make-up workday
        (date(2026, 12, 4), 5, date(2026, 12, 11)),  # weekend skipped
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # 元旦 2027 (provisional), then the weekend
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Saturday 02-14 is a 春节 make-up workday
        (date(2026, 12, 4), 0, date(2026, 12, 4)),
    ],
)
def test_working_days_skip_weekends_and_holidays_and_count_make_up_workdays(
    start: date, n: int, last: date
) -> None:
    assert CALENDAR.add_working_days(start, n) == last


def test_a_working_day_period_ends_at_24_00_of_its_last_working_day() -> None:
    end = CALENDAR.add_days(at("2026-12-04T17:00+08:00"), 5, "workday")
    assert end == at("2026-12-12T00:00+08:00")


def test_the_first_day_of_2027_is_a_provisional_holiday_without_make_up_workdays() -> None:
    assert not CALENDAR.is_working_day(date(2027, 1, 1))
    assert CALENDAR.is_provisional(date(2027, 1, 1))
    assert not CALENDAR.is_provisional(date(2026, 10, 1))
    assert not [d for d in CALENDAR.workdays if d.year >= 2027]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        CALENDAR.add_days(datetime(2026, 12, 1, 10, 0), 20, "day")


def test_a_period_without_a_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="unit"):
        CALENDAR.add_days(at("2026-12-01T10:00+08:00"), 20, "")


# --- schedules -----------------------------------------------------------------------------------


def test_a_deadline_too_early_names_the_article_and_the_earliest_lawful_day() -> None:
    rule = seed("engineering.bid_period")
    [violation] = check_schedule(
        {
            "documents_issued": at("2026-12-01T10:00+08:00"),
            "bid_deadline": at("2026-12-20T17:00+08:00"),
        },
        [rule],
        CALENDAR,
    )
    assert violation.point == "bid_deadline"
    assert violation.rule_key == "engineering.bid_period"
    assert violation.earliest == at("2026-12-21T00:00+08:00")
    assert violation.message == (
        "投标截止时间不得早于 2026-12-21"
        "（招标投标法 第24条：自招标文件发出之日起至投标截止不少于20日）"
    )


def test_a_deadline_in_the_morning_of_the_twentieth_day_is_lawful() -> None:
    # Documents issued on 1 December: the 20 days are 2–21 December (民法典 第201条).
    points = {
        "documents_issued": at("2026-12-01T10:00+08:00"),
        "bid_deadline": at("2026-12-21T09:30+08:00"),
    }
    assert check_schedule(points, [seed("engineering.bid_period")], CALENDAR) == []


def test_a_contract_signed_after_30_days_names_the_latest_lawful_time() -> None:
    rule = seed("engineering.contract")
    letter = at("2026-12-01T10:00+08:00")
    assert (
        check_schedule(
            {"award_letter": letter, "contract": at("2026-12-31T23:59+08:00")}, [rule], CALENDAR
        )
        == []
    )
    [violation] = check_schedule(
        {"award_letter": letter, "contract": at("2027-01-01T09:00+08:00")}, [rule], CALENDAR
    )
    assert violation.point == "contract"
    assert violation.latest == at("2027-01-01T00:00+08:00")
    assert "招标投标法 第46条" in violation.message
    assert "不得晚于 2026-12-31 24:00" in violation.message


def test_rules_whose_points_are_not_both_scheduled_are_not_checked() -> None:
    rules = [seed("engineering.bid_period"), seed("engineering.contract")]
    assert check_schedule({"documents_issued": at("2026-12-01T10:00+08:00")}, rules, CALENDAR) == []


def test_the_last_day_for_an_amendment_that_keeps_the_deadline() -> None:
    rule = seed("engineering.amendment_notice")
    deadline = at("2026-12-22T09:30+08:00")
    # 7 December + 15 days = 22 December, the deadline's own day (实施条例 第21条).
    assert latest_start_day(deadline, rule, CALENDAR) == date(2026, 12, 7)


SEALED_POINTS = {"documents_issued", "listing_start", "announced"}


@pytest.mark.parametrize(
    ("family", "expected"),
    [
        # Documents without a sale end are offered until the bid deadline.
        (
            "sealed_bid",
            {
                "documents_issued",
                "listing_start",
                "bid_deadline",
                "announced",
                "documents_sale_end",
            },
        ),
        (
            "negotiated",
            {
                "documents_issued",
                "listing_start",
                "bid_deadline",
                "announced",
                "documents_sale_end",
            },
        ),
        ("listing_auction", {"documents_issued", "listing_start", "listing_end", "announced"}),
    ],
)
def test_a_lot_schedule_names_its_points_by_procedure_family(
    family: str, expected: set[str]
) -> None:
    points = schedule_points(
        family=family,
        announced_at=at("2026-12-01T09:00+08:00"),
        documents_issued_at=at("2026-12-01T10:00+08:00"),
        opens_at=at("2026-12-02T09:00+08:00"),
        closes_at=at("2026-12-28T09:00+08:00"),
    )
    assert set(points) == expected


# --- rule versions and scope ---------------------------------------------------------------------


def _version(
    effective_from: date, minimum: int, *, region: str | None = None, **kw: object
) -> Rule:
    return Rule(
        key="land.listing_period",
        kind="period",
        from_point="listing_start",
        to_point="listing_end",
        minimum=Decimal(minimum),
        maximum=None,
        unit=str(kw.get("unit", "day")),
        article="国土资源部令第39号 第18条",
        description="",
        business_type="land",
        procedure_codes=("listing",),
        region=region,
        effective_from=effective_from,
        effective_to=kw.get("effective_to"),  # type: ignore[arg-type]
    )


OLD = _version(date(2007, 11, 1), 10, effective_to=date(2030, 1, 1))
NEW = _version(date(2030, 1, 1), 12)
HAIKOU = _version(date(2020, 1, 1), 10, region="460100", unit="workday")


@pytest.mark.parametrize(
    ("region", "on", "expected"),
    [
        ("460200", date(2026, 12, 1), OLD),
        ("460200", date(2030, 1, 1), NEW),
        ("460200", date(2029, 12, 31), OLD),
        ("460100", date(2026, 12, 1), HAIKOU),
        ("460100", date(2030, 6, 1), HAIKOU),
        ("460100", date(2019, 12, 31), OLD),
    ],
)
def test_rules_in_force_pick_the_version_of_the_day_and_the_region_row(
    region: str, on: date, expected: Rule
) -> None:
    rules = [OLD, NEW, HAIKOU]
    assert rules_in_force(
        rules, business_type="land", procedure="listing", region=region, on=on
    ) == [expected]


@pytest.mark.parametrize(
    ("business_type", "procedure", "present", "absent"),
    [
        ("engineering", "open", "engineering.bid_period", "procurement.bid_period"),
        ("procurement", "open", "procurement.bid_period", "procurement.consultation_period"),
        (
            "procurement",
            "consultation",
            "procurement.consultation_period",
            "procurement.bid_period",
        ),
        ("land", "listing", "land.listing_period", "land.result_publication_tender"),
        ("land", "auction", "land.announcement", "land.listing_period"),
        ("carbon", "auction", "carbon.announcement", "engineering.deposit_cap"),
    ],
)
def test_rules_in_force_follow_business_type_and_procedure(
    business_type: str, procedure: str, present: str, absent: str
) -> None:
    keys = {
        r.key
        for r in rules_in_force(
            RULE_SEEDS,
            business_type=business_type,
            procedure=procedure,
            region="460100",
            on=date(2026, 12, 1),
        )
    }
    assert present in keys
    assert absent not in keys


def test_a_rule_not_yet_in_force_on_the_publication_day_does_not_apply() -> None:
    keys = {
        r.key
        for r in rules_in_force(
            RULE_SEEDS,
            business_type="procurement",
            procedure="open",
            region="460100",
            on=date(2014, 6, 1),
        )
    }
    # 政府采购法实施条例 took effect on 2015-03-01.
    assert "procurement.deposit_cap" not in keys
    assert "procurement.bid_period" in keys


# --- amounts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("business_type", "procedure", "estimate", "deposit", "violations"),
    [
        ("engineering", "open", "1000000.00", "20000.00", 0),
        ("engineering", "open", "1000000.00", "20000.01", 1),
        ("procurement", "open", "500000.00", "10000.00", 0),
        ("procurement", "consultation", "500000.00", "10000.01", 1),
        ("land", "listing", "10000000.00", "2000000.00", 0),  # 20%: set per sale
        ("property", "transfer", "1000000.00", "300000.00", 0),
    ],
)
def test_the_2_percent_deposit_cap_binds_engineering_and_procurement_only(
    business_type: str, procedure: str, estimate: str, deposit: str, violations: int
) -> None:
    rules = rules_in_force(
        RULE_SEEDS,
        business_type=business_type,
        procedure=procedure,
        region="460100",
        on=date(2026, 12, 1),
    )
    found = check_amounts({"estimate": Decimal(estimate), "deposit": Decimal(deposit)}, rules)
    assert len(found) == violations
    for violation in found:
        assert violation.point == "deposit"
        assert "2%" in violation.message
        assert "第26条" in violation.message or "第33条" in violation.message


# --- lights --------------------------------------------------------------------------------------

DUE = at("2026-12-22T00:00+08:00")


@pytest.mark.parametrize(
    ("now", "done_at", "expected"),
    [
        ("2026-12-10T12:00+08:00", None, Light.GREEN),
        ("2026-12-19T12:00+08:00", None, Light.YELLOW),
        ("2026-12-22T00:00+08:00", None, Light.YELLOW),
        ("2026-12-22T00:01+08:00", None, Light.RED),
        ("2026-12-23T12:00+08:00", "2026-12-21T15:00+08:00", Light.DONE),
        ("2026-12-23T12:00+08:00", "2026-12-22T08:00+08:00", Light.RED),
    ],
)
def test_a_statutory_date_shows_its_light(now: str, done_at: str | None, expected: Light) -> None:
    done = at(done_at) if done_at else None
    assert light(due=DUE, now=at(now), done_at=done, warn=timedelta(days=3)) is expected


# --- the seeded rule rows ------------------------------------------------------------------------


def test_every_seed_row_cites_its_article_and_has_a_bound_and_a_unit() -> None:
    unique = {(r.key, r.business_type, r.effective_from, r.region) for r in RULE_SEEDS}
    assert len(unique) == len(RULE_SEEDS)
    for rule in RULE_SEEDS:
        assert rule.article, rule.key
        assert rule.minimum is not None or rule.maximum is not None, rule.key
        if rule.kind == "period":
            assert rule.unit in {"day", "workday"}, rule.key
            assert {rule.from_point, rule.to_point} <= set(Point), rule.key


@pytest.mark.parametrize("business_type", ["carbon", "pollution", "medicine", "other"])
def test_business_types_without_national_rules_get_marked_local_rows(business_type: str) -> None:
    rows = [r for r in RULE_SEEDS if r.business_type == business_type]
    assert rows
    assert all(r.local and r.article == LOCAL_ARTICLE for r in rows)


def test_deposit_caps_exist_for_engineering_and_procurement_only() -> None:
    caps = {r.business_type for r in RULE_SEEDS if r.kind == "amount_ratio"}
    assert caps == {"engineering", "procurement"}
    ceilings = {r.business_type for r in RULE_SEEDS if r.kind == "amount_cap"}
    assert ceilings == {"engineering"}


def test_a_complete_lawful_engineering_schedule_passes_every_rule() -> None:
    rules = rules_in_force(
        RULE_SEEDS,
        business_type="engineering",
        procedure="open",
        region="460100",
        on=date(2026, 12, 1),
    )
    points = {
        "documents_issued": at("2026-12-01T10:00+08:00"),
        "documents_sale_end": at("2026-12-08T17:00+08:00"),
        "bid_deadline": at("2026-12-28T09:30+08:00"),
        "evaluation_report": at("2026-12-29T17:00+08:00"),
        "publicity_start": at("2026-12-30T09:00+08:00"),
        "publicity_end": at("2027-01-05T00:00+08:00"),
        "award_letter": at("2027-01-06T09:00+08:00"),
        "contract": at("2027-01-20T09:00+08:00"),
        "report": at("2027-01-20T09:00+08:00"),
    }
    assert len(rules) > 5
    assert check_schedule(points, rules, CALENDAR) == []


# --- properties ----------------------------------------------------------------------------------

starts = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2028, 11, 30),
    timezones=st.sampled_from([UTC, SHANGHAI]),
)
minimum_rules = [
    r for r in RULE_SEEDS if r.kind == "period" and r.minimum is not None and not r.counted_back
]
counted_back_rules = [r for r in RULE_SEEDS if r.kind == "period" and r.counted_back]
maximum_rules = [r for r in RULE_SEEDS if r.kind == "period" and r.maximum is not None]
ONE_MINUTE = timedelta(minutes=1)


def _points(rule: Rule, start: datetime, end: datetime) -> dict[str, datetime]:
    return {rule.from_point: start, rule.to_point: end}


@settings(max_examples=300, deadline=None)
@given(start=starts, rule=st.sampled_from(minimum_rules))
def test_a_deadline_may_fall_at_any_hour_of_the_first_lawful_day_but_not_at_its_midnight(
    start: datetime, rule: Rule
) -> None:
    """Day N starts at 00:00, but 00:00 of day N is 24:00 of day N-1 (民法典 第201、203条)."""
    first_day = earliest(start, rule, CALENDAR)
    assert first_day.astimezone(SHANGHAI).time().isoformat() == "00:00:00"
    assert check_schedule(_points(rule, start, first_day + ONE_MINUTE), [rule], CALENDAR) == []
    assert check_schedule(_points(rule, start, first_day), [rule], CALENDAR)
    assert check_schedule(_points(rule, start, first_day - ONE_MINUTE), [rule], CALENDAR)
    # The period holds at least its number of days, the first not counted (民法典 第201条).
    assert local_date(first_day) - local_date(start) >= timedelta(days=int(rule.minimum or 0))


@settings(max_examples=300, deadline=None)
@given(start=starts, rule=st.sampled_from(minimum_rules))
def test_a_period_the_platform_opens_lasts_until_24_00_of_its_last_day(
    start: datetime, rule: Rule
) -> None:
    """A publicity opened on day 0 runs through all of day N (第201条), a working day (第203条)."""
    end = period_until(start, rule, CALENDAR)
    local = end.astimezone(SHANGHAI)
    assert local.time().isoformat() == "00:00:00"
    last_day = local.date() - timedelta(days=1)
    assert last_day - local_date(start) >= timedelta(days=int(rule.minimum or 0))
    assert CALENDAR.is_working_day(last_day)
    # The whole last day is inside: a deadline on it satisfies the rule.
    assert end - earliest(start, rule, CALENDAR) == timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(start=starts, rule=st.sampled_from(maximum_rules))
def test_the_latest_time_satisfies_its_rule_and_a_minute_later_does_not(
    start: datetime, rule: Rule
) -> None:
    bound = latest(start, rule, CALENDAR)
    assert check_schedule(_points(rule, start, bound), [rule], CALENDAR) == []
    assert check_schedule(_points(rule, start, bound + ONE_MINUTE), [rule], CALENDAR)


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 11, 30)), n=st.integers(1, 40)
)
def test_adding_working_days_never_lands_on_a_non_working_day(start: date, n: int) -> None:
    assert CALENDAR.is_working_day(CALENDAR.add_working_days(start, n))


@settings(max_examples=300, deadline=None)
@given(
    first=starts,
    later_by=st.timedeltas(timedelta(0), timedelta(days=60)),
    rule=st.sampled_from(minimum_rules),
)
def test_the_earliest_time_never_moves_back_when_the_start_moves_forward(
    first: datetime, later_by: timedelta, rule: Rule
) -> None:
    assert earliest(first, rule, CALENDAR) <= earliest(first + later_by, rule, CALENDAR)


@settings(max_examples=200, deadline=None)
@given(start=starts, n=st.integers(0, 30))
def test_a_period_in_days_never_ends_on_a_rest_day(start: datetime, n: int) -> None:
    last = CALENDAR.last_day(start, n, "day")
    assert CALENDAR.is_working_day(last)
    assert last >= start.astimezone(SHANGHAI).date() + timedelta(days=n)


# --- limits counted back from a deadline ----------------------------------------------------------

OBJECTION_RULE = next(r for r in RULE_SEEDS if r.key == "engineering.objection_documents")


@pytest.mark.parametrize(
    ("objection", "deadline", "in_time"),
    [
        # Deadline on Sunday 27 December 2026: 10 日 before is Thursday the 17th. 第203条 would move
        # the tenth day to Monday the 28th and refuse the 17th: it lengthens periods for whoever
        # acts in them, it does not shorten the objector's.
        ("2026-12-17T16:00:00+08:00", "2026-12-27T10:00:00+08:00", True),
        ("2026-12-18T09:00:00+08:00", "2026-12-27T10:00:00+08:00", False),
        # A weekday deadline: the same arithmetic.
        ("2026-12-18T23:59:00+08:00", "2026-12-28T09:30:00+08:00", True),
        ("2026-12-19T00:00:00+08:00", "2026-12-28T09:30:00+08:00", False),
        # A deadline at 00:00 of the 28th is 24:00 of the 27th (民法典 第201条).
        ("2026-12-18T09:00:00+08:00", "2026-12-28T00:00:00+08:00", False),
        ("2026-12-17T09:00:00+08:00", "2026-12-28T00:00:00+08:00", True),
    ],
)
def test_implementing_regulations_art_22_an_objection_10_days_before_is_counted_back(
    objection: str, deadline: str, in_time: bool
) -> None:
    assert OBJECTION_RULE.counted_back
    points = {
        "objection_documents": datetime.fromisoformat(objection),
        "bid_deadline": datetime.fromisoformat(deadline),
    }
    found = check_schedule(points, [OBJECTION_RULE], CALENDAR)
    assert (found == []) is in_time
    if not in_time:
        assert found[0].point == "objection_documents" and "第22条" in found[0].message


def test_a_workday_limit_counted_back_skips_rest_days_and_holidays() -> None:
    rule = Rule(
        key="test.back",
        kind="period",
        from_point="objection_documents",
        to_point="bid_deadline",
        minimum=Decimal(3),
        maximum=None,
        unit="workday",
        article="测试",
        description="",
        counted_back=True,
    )
    # Monday 4 January 2027: the three working days before it are Thursday 31, Wednesday 30 and
    # Tuesday 29 December 2026 (1 January is a holiday, the 2nd and 3rd a weekend).
    deadline = datetime.fromisoformat("2027-01-04T09:00:00+08:00")
    assert latest_start_day(deadline, rule, CALENDAR) == date(2026, 12, 29)


@settings(max_examples=300, deadline=None)
@given(deadline=starts, rule=st.sampled_from(counted_back_rules))
def test_a_limit_counted_back_allows_its_whole_last_day_and_not_a_minute_more(
    deadline: datetime, rule: Rule
) -> None:
    last = latest_start_day(deadline, rule, CALENDAR)
    end_of_last = datetime.combine(last + timedelta(days=1), datetime.min.time(), SHANGHAI)
    lawful = {rule.from_point: end_of_last - ONE_MINUTE, rule.to_point: deadline}
    late = {rule.from_point: end_of_last, rule.to_point: deadline}
    assert check_schedule(lawful, [rule], CALENDAR) == []
    assert check_schedule(late, [rule], CALENDAR)
    # Never shortened by 第203条: exactly `minimum` calendar days before the deadline's day.
    assert legal_day(deadline) - last == timedelta(days=int(rule.minimum or 0))
