"""Seeding of the legal rule table and the holiday calendar (DESIGN.md §7, DOMAIN.md).

Both tables are data the platform administrator edits, so seeding only creates what is missing and
never overwrites a row: a corrected national number is entered as a new version (a later
`effective_from`), a local variant as a region row. `make run` may call both on every start.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import chinese_calendar
import holidays as holidays_package
from django.db import transaction

from trading.domain.timeline import Point, Rule, RuleKind, Unit
from trading.models import BusinessType, CalendarDay, Procedure, TimelineRule
from trading.models.rules import DayKind
from trading.services.rule_rows_procedures import PROCEDURE_RULES

P = Point
PERIOD, RATIO = RuleKind.PERIOD.value, RuleKind.AMOUNT_RATIO.value
DAY, WORKDAY = Unit.DAY.value, Unit.WORKDAY.value

# Dates the instruments took effect.
TENDERING_LAW = date(2000, 1, 1)  # 招标投标法
TENDERING_REGULATION = date(2012, 2, 1)  # 招标投标法实施条例
PROCUREMENT_LAW = date(2003, 1, 1)  # 政府采购法
PROCUREMENT_REGULATION = date(2015, 3, 1)  # 政府采购法实施条例
ORDER_74 = date(2014, 2, 1)  # 财政部令第74号 (非招标采购方式)
CIRCULAR_214 = date(2014, 12, 31)  # the 竞争性磋商 circular, CIRCULAR_214_NAME
ORDER_87 = date(2017, 10, 1)  # 财政部令第87号 (货物和服务招标投标)
ORDER_39 = date(2007, 11, 1)  # 国土资源部令第39号
ORDER_32 = date(2016, 6, 24)  # 国资委 财政部令第32号
LOCAL_RULES = date(2020, 1, 1)
# Official document numbers are written with tortoise-shell brackets.
CIRCULAR_214_NAME = "财库〔2014〕214号"

LOCAL_ARTICLE = "本平台交易规则（地方规则）"


def _period(
    key: str,
    business_type: str,
    from_point: Point,
    to_point: Point,
    *,
    article: str,
    description: str,
    effective_from: date,
    minimum: int | None = None,
    maximum: int | None = None,
    unit: str = DAY,
    procedures: tuple[str, ...] = (),
    local: bool = False,
    counted_back: bool = False,
) -> Rule:
    return Rule(
        key=f"{business_type}.{key}",
        kind=PERIOD,
        from_point=from_point.value,
        to_point=to_point.value,
        minimum=None if minimum is None else Decimal(minimum),
        maximum=None if maximum is None else Decimal(maximum),
        unit=unit,
        article=article,
        description=description,
        business_type=business_type,
        procedure_codes=procedures,
        effective_from=effective_from,
        local=local,
        counted_back=counted_back,
    )


def _deposit_cap(business_type: str, *, article: str, effective_from: date) -> Rule:
    return Rule(
        key=f"{business_type}.deposit_cap",
        kind=RATIO,
        from_point="estimate",
        to_point="deposit",
        minimum=None,
        maximum=Decimal("0.02"),
        unit=Unit.NONE.value,
        article=article,
        description="投标保证金不得超过项目估算价（采购预算）的2%",
        business_type=business_type,
        effective_from=effective_from,
    )


def _local_rules(
    business_type: str,
    *,
    announced: tuple[str, ...] = (),
    sealed: tuple[str, ...] = (),
    listing: tuple[str, ...] = (),
    bid_days: int = 10,
) -> list[Rule]:
    """The platform's own periods for a business type the national rules in DOMAIN.md skip."""
    rules = []
    if announced:
        rules.append(
            _period(
                "announcement",
                business_type,
                P.ANNOUNCED,
                P.LISTING_START,
                minimum=5,
                procedures=announced,
                article=LOCAL_ARTICLE,
                description="交易公告发布之日起至交易（挂牌、竞价）开始不少于5日",
                effective_from=LOCAL_RULES,
                local=True,
            )
        )
    if sealed:
        rules.append(
            _period(
                "bid_period",
                business_type,
                P.DOCUMENTS_ISSUED,
                P.BID_DEADLINE,
                minimum=bid_days,
                procedures=sealed,
                article=LOCAL_ARTICLE,
                description=f"自采购文件发出之日起至响应截止不少于{bid_days}日",
                effective_from=LOCAL_RULES,
                local=True,
            )
        )
    if listing:
        rules.append(
            _period(
                "listing_period",
                business_type,
                P.LISTING_START,
                P.LISTING_END,
                minimum=5,
                unit=WORKDAY,
                procedures=listing,
                article=LOCAL_ARTICLE,
                description="挂牌期不少于5个工作日",
                effective_from=LOCAL_RULES,
                local=True,
            )
        )
    rules += [
        _period(
            "result_publicity",
            business_type,
            P.PUBLICITY_START,
            P.PUBLICITY_END,
            minimum=3,
            article=LOCAL_ARTICLE,
            description="成交结果公示期不少于3日",
            effective_from=LOCAL_RULES,
            local=True,
        ),
        _period(
            "contract",
            business_type,
            P.AWARD_LETTER,
            P.CONTRACT,
            maximum=30,
            article=LOCAL_ARTICLE,
            description="自成交通知书发出之日起30日内签订合同",
            effective_from=LOCAL_RULES,
            local=True,
        ),
    ]
    return rules


ENGINEERING = [
    _period(
        "bid_period",
        "engineering",
        P.DOCUMENTS_ISSUED,
        P.BID_DEADLINE,
        minimum=20,
        article="招标投标法 第24条",
        description="自招标文件发出之日起至投标截止不少于20日",
        effective_from=TENDERING_LAW,
    ),
    _period(
        "documents_sale",
        "engineering",
        P.DOCUMENTS_ISSUED,
        P.DOCUMENTS_SALE_END,
        minimum=5,
        article="招标投标法实施条例 第16条",
        description="招标文件或者资格预审文件的发售期不得少于5日",
        effective_from=TENDERING_REGULATION,
    ),
    _period(
        "amendment_notice",
        "engineering",
        P.AMENDMENT,
        P.BID_DEADLINE,
        minimum=15,
        article="招标投标法实施条例 第21条",
        description="影响投标文件编制的澄清或者修改应在投标截止至少15日前发出，不足15日的顺延投标截止时间",
        effective_from=TENDERING_REGULATION,
    ),
    _period(
        "objection_documents",
        "engineering",
        P.OBJECTION_DOCUMENTS,
        P.BID_DEADLINE,
        minimum=10,
        article="招标投标法实施条例 第22条",
        description="对招标文件的异议应在投标截止时间10日前提出",
        effective_from=TENDERING_REGULATION,
        counted_back=True,
    ),
    _period(
        "objection_documents_answer",
        "engineering",
        P.OBJECTION_DOCUMENTS,
        P.OBJECTION_ANSWER,
        maximum=3,
        article="招标投标法实施条例 第22条",
        description="招标人应自收到异议之日起3日内答复，答复前暂停招标投标活动",
        effective_from=TENDERING_REGULATION,
    ),
    _period(
        "publicity_start",
        "engineering",
        P.EVALUATION_REPORT,
        P.PUBLICITY_START,
        maximum=3,
        article="招标投标法实施条例 第54条",
        description="自收到评标报告之日起3日内公示中标候选人",
        effective_from=TENDERING_REGULATION,
    ),
    _period(
        "publicity_period",
        "engineering",
        P.PUBLICITY_START,
        P.PUBLICITY_END,
        minimum=3,
        article="招标投标法实施条例 第54条",
        description="中标候选人公示期不得少于3日",
        effective_from=TENDERING_REGULATION,
    ),
    _period(
        "objection_result_answer",
        "engineering",
        P.OBJECTION_RESULT,
        P.OBJECTION_ANSWER,
        maximum=3,
        article="招标投标法实施条例 第54条",
        description="对评标结果的异议，招标人应自收到之日起3日内答复，答复前暂停招标投标活动",
        effective_from=TENDERING_REGULATION,
    ),
    _period(
        "contract",
        "engineering",
        P.AWARD_LETTER,
        P.CONTRACT,
        maximum=30,
        article="招标投标法 第46条",
        description="自中标通知书发出之日起30日内订立书面合同",
        effective_from=TENDERING_LAW,
    ),
    _period(
        "report",
        "engineering",
        P.AWARD_LETTER,
        P.REPORT,
        maximum=15,
        # DOMAIN.md marks the article (check).
        article="招标投标法 第47条（待核实）",
        description="自确定中标人之日起15日内向有关行政监督部门提交招标投标情况的书面报告",
        effective_from=TENDERING_LAW,
    ),
    _deposit_cap(
        "engineering", article="招标投标法实施条例 第26条", effective_from=TENDERING_REGULATION
    ),
]

PROCUREMENT = [
    _period(
        "bid_period",
        "procurement",
        P.DOCUMENTS_ISSUED,
        P.BID_DEADLINE,
        minimum=20,
        procedures=("open", "invited"),
        article="政府采购法 第35条",
        description="货物和服务招标采购，自招标文件开始发出之日起至投标截止不得少于20日",
        effective_from=PROCUREMENT_LAW,
    ),
    _period(
        "consultation_period",
        "procurement",
        P.DOCUMENTS_ISSUED,
        P.BID_DEADLINE,
        minimum=10,
        procedures=("consultation",),
        article=f"{CIRCULAR_214_NAME} 第10条",
        description="自磋商文件发出之日起至首次提交响应文件截止不得少于10日",
        effective_from=CIRCULAR_214,
    ),
    _period(
        "consultation_sale",
        "procurement",
        P.DOCUMENTS_ISSUED,
        P.DOCUMENTS_SALE_END,
        minimum=5,
        unit=WORKDAY,
        procedures=("consultation",),
        article=f"{CIRCULAR_214_NAME} 第10条",
        description="磋商文件的发售期限不得少于5个工作日",
        effective_from=CIRCULAR_214,
    ),
    # Not in DOMAIN.md's table: the non-tender procedures need a deadline rule too.
    _period(
        "negotiation_period",
        "procurement",
        P.DOCUMENTS_ISSUED,
        P.BID_DEADLINE,
        minimum=3,
        unit=WORKDAY,
        procedures=("negotiation",),
        article="财政部令第74号 第29条（待核实）",
        description="自谈判文件发出之日起至首次提交响应文件截止不得少于3个工作日",
        effective_from=ORDER_74,
    ),
    _period(
        "quotation_period",
        "procurement",
        P.DOCUMENTS_ISSUED,
        P.BID_DEADLINE,
        minimum=3,
        unit=WORKDAY,
        procedures=("quotation",),
        article="财政部令第74号 第45条（待核实）",
        description="自询价通知书发出之日起至提交响应文件截止不得少于3个工作日",
        effective_from=ORDER_74,
    ),
    _period(
        "result_notice",
        "procurement",
        P.PUBLICITY_START,
        P.PUBLICITY_END,
        minimum=1,
        unit=WORKDAY,
        article="财政部令第87号",
        description="中标（成交）结果公告期限为1个工作日",
        effective_from=ORDER_87,
    ),
    _period(
        "award_decision",
        "procurement",
        P.EVALUATION_REPORT,
        P.AWARD_DECISION,
        maximum=5,
        unit=WORKDAY,
        article="政府采购法实施条例 第43条",
        description="采购人自收到评审报告之日起5个工作日内，在评审报告推荐的中标或者成交候选人中"
        "按顺序确定中标或者成交供应商",
        effective_from=PROCUREMENT_REGULATION,
    ),
    _period(
        "award_notice",
        "procurement",
        P.AWARD_DECISION,
        P.AWARD_LETTER,
        maximum=2,
        unit=WORKDAY,
        article="政府采购法实施条例 第43条",
        description="自中标、成交供应商确定之日起2个工作日内，发出中标、成交通知书，"
        "并在省级以上人民政府财政部门指定的媒体上公告中标、成交结果",
        effective_from=PROCUREMENT_REGULATION,
    ),
    _period(
        "contract",
        "procurement",
        P.AWARD_LETTER,
        P.CONTRACT,
        maximum=30,
        article="政府采购法 第46条",
        description="自中标、成交通知书发出之日起30日内签订政府采购合同",
        effective_from=PROCUREMENT_LAW,
    ),
    _deposit_cap(
        "procurement", article="政府采购法实施条例 第33条", effective_from=PROCUREMENT_REGULATION
    ),
]

LAND = [
    _period(
        "announcement",
        "land",
        P.ANNOUNCED,
        P.LISTING_START,
        minimum=20,
        article="国土资源部令第39号",
        description="出让公告应至少在投标、拍卖或者挂牌开始日前20日发布",
        effective_from=ORDER_39,
    ),
    _period(
        "listing_period",
        "land",
        P.LISTING_START,
        P.LISTING_END,
        # The unit is the row's: many platforms count 10 working days; change it there.
        minimum=10,
        procedures=("listing",),
        article="国土资源部令第39号 第18条",
        description="挂牌时间不得少于10日",
        effective_from=ORDER_39,
    ),
    _period(
        "result_publication",
        "land",
        P.LISTING_END,
        P.PUBLICITY_START,
        maximum=10,
        unit=WORKDAY,
        procedures=("auction", "listing"),
        article="国土资源部令第39号",
        description="拍卖、挂牌活动结束后10个工作日内公布出让结果",
        effective_from=ORDER_39,
    ),
    _period(
        "result_publication_tender",
        "land",
        P.EVALUATION_REPORT,
        P.PUBLICITY_START,
        maximum=10,
        unit=WORKDAY,
        procedures=("tender",),
        article="国土资源部令第39号",
        description="招标活动结束后10个工作日内公布出让结果",
        effective_from=ORDER_39,
    ),
]

PROPERTY = [
    _period(
        "disclosure",
        "property",
        P.ANNOUNCED,
        P.LISTING_END,
        minimum=20,
        unit=WORKDAY,
        article="国资委 财政部令第32号",
        description="产权转让信息正式披露时间不少于20个工作日",
        effective_from=ORDER_32,
    ),
    _period(
        "result_publicity",
        "property",
        P.PUBLICITY_START,
        P.PUBLICITY_END,
        minimum=5,
        unit=WORKDAY,
        article="国资委 财政部令第32号",
        description="交易结果公示期不少于5个工作日",
        effective_from=ORDER_32,
    ),
]

# DOMAIN.md has no mining numbers: local rows modelled on the land rules until they are entered.
MINING = [
    _period(
        "announcement",
        "mining",
        P.ANNOUNCED,
        P.LISTING_START,
        minimum=20,
        article=LOCAL_ARTICLE,
        description="出让公告发布之日起至投标、拍卖或者挂牌开始不少于20日",
        effective_from=LOCAL_RULES,
        local=True,
    ),
    _period(
        "listing_period",
        "mining",
        P.LISTING_START,
        P.LISTING_END,
        minimum=10,
        procedures=("listing",),
        article=LOCAL_ARTICLE,
        description="挂牌时间不少于10日",
        effective_from=LOCAL_RULES,
        local=True,
    ),
    _period(
        "bid_period",
        "mining",
        P.DOCUMENTS_ISSUED,
        P.BID_DEADLINE,
        minimum=20,
        procedures=("tender",),
        article=LOCAL_ARTICLE,
        description="自出让文件发出之日起至投标截止不少于20日",
        effective_from=LOCAL_RULES,
        local=True,
    ),
]

RULE_SEEDS: list[Rule] = [
    *ENGINEERING,
    *PROCUREMENT,
    *LAND,
    *MINING,
    *PROPERTY,
    *_local_rules("carbon", announced=("sale", "auction")),
    *_local_rules("pollution", announced=("auction", "agreement")),
    *_local_rules(
        "medicine", announced=("listing", "negotiation"), sealed=("tender",), listing=("listing",)
    ),
    *_local_rules("other", announced=("listing",), sealed=("open",), listing=("listing",)),
    *PROCEDURE_RULES,
]


@transaction.atomic
def timeline_rules_seed() -> int:
    """Create the missing national and local rule rows of DOMAIN.md; return how many are seeded.

    Rows are matched by key, effective date and (no) region, and never overwritten: the
    administrator's corrections win.
    """
    types = {bt.code: bt for bt in BusinessType.objects.all()}
    procedures = set(Procedure.objects.values_list("business_type__code", "code"))
    for rule in RULE_SEEDS:
        if rule.business_type not in types:
            raise ValueError(f"rule {rule.key}: unknown business type {rule.business_type!r}")
        unknown = [c for c in rule.procedure_codes if (rule.business_type, c) not in procedures]
        if unknown:
            raise ValueError(f"rule {rule.key}: unknown procedures {unknown}")
        TimelineRule.objects.get_or_create(
            key=rule.key,
            effective_from=rule.effective_from,
            region=None,
            defaults={
                "kind": rule.kind,
                "business_type": types[rule.business_type],
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
    return CalendarDay.objects.filter(date__year__in=list(years)).count()
