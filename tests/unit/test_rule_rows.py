"""The seeded rule rows of issue 8, each counted from the statute's wording around midnight,
weekends, 调休 working days and the 2026 holidays (国庆 10-01…10-07, 中秋 09-25…09-27; Sunday
09-20 and Saturday 10-10 are working days; 春节 02-15…02-23 with Saturday 02-14 worked).

Each test names the article it reads; the expected dates are counted by hand from the calendar.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from trading.domain.timeline import (
    Calendar,
    Rule,
    check_amounts,
    check_schedule,
    latest,
    period_until,
    rules_in_force,
)
from trading.selectors.timeline import Rulebook
from trading.services.rules import LOCAL_LIMIT_ARTICLE, RULE_SEEDS, calendar_days_from_sources


def _calendar() -> Calendar:
    days = calendar_days_from_sources(range(2025, 2028))
    return Calendar(
        holidays=frozenset(d.date for d in days if d.kind == "holiday"),
        workdays=frozenset(d.date for d in days if d.kind == "workday"),
        provisional_years=frozenset(d.date.year for d in days if d.provisional),
    )


CALENDAR = _calendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def seed(key: str, business_type: str | None = None) -> Rule:
    return next(
        r
        for r in RULE_SEEDS
        if r.key == key and (business_type is None or r.business_type == business_type)
    )


def book(business_type: str, procedure: str = "open") -> Rulebook:
    rules = rules_in_force(
        RULE_SEEDS,
        business_type=business_type,
        procedure=procedure,
        region="460100",
        on=date(2026, 12, 1),
    )
    return Rulebook(rules, CALENDAR, 1)


# --- maxima: the last moment is 24:00 of the last (working) day ----------------------------------

MAXIMA = [
    # 政府采购法 第53条: 采购人应当在收到书面质疑后七个工作日内作出答复.
    ("procurement.objection_documents_answer", "2026-09-18T15:00+08:00", "2026-09-30T00:00+08:00"),
    ("procurement.objection_result_answer", "2026-09-30T10:00+08:00", "2026-10-16T00:00+08:00"),
    ("procurement.objection_opening_answer", "2026-12-01T23:59+08:00", "2026-12-11T00:00+08:00"),
    ("procurement.objection_opening_answer", "2026-12-02T00:00+08:00", "2026-12-12T00:00+08:00"),
    # 政府采购法 第52条: 知道或者应知之日起七个工作日内提出质疑.
    ("procurement.objection", "2026-02-13T10:00+08:00", "2026-03-03T00:00+08:00"),
    # 政府采购法 第55条: 答复期满后十五个工作日内投诉.
    ("procurement.complaint", "2026-09-18T17:00+08:00", "2026-10-16T00:00+08:00"),
    # 财政部令第94号 第21条: 收到投诉书后5个工作日内审查 (a Saturday of 中秋 counts from Monday).
    ("procurement.complaint_acceptance", "2026-09-26T10:00+08:00", "2026-10-10T00:00+08:00"),
    # 政府采购法 第56条: 收到投诉后三十个工作日内作出处理决定.
    ("procurement.complaint_decision", "2026-11-02T09:00+08:00", "2026-12-15T00:00+08:00"),
    # 实施条例 第60条: 自知道或者应当知道之日起10日内投诉; a last day in 国庆 moves to 10-08.
    ("engineering.complaint", "2026-09-24T15:00+08:00", "2026-10-09T00:00+08:00"),
    ("engineering.complaint", "2026-12-01T23:59+08:00", "2026-12-12T00:00+08:00"),
    ("engineering.complaint", "2026-12-02T00:00+08:00", "2026-12-15T00:00+08:00"),
    # 实施条例 第61条: 收到投诉之日起3个工作日内决定是否受理 (Saturday 10-10 is worked).
    ("engineering.complaint_acceptance", "2026-10-09T16:00+08:00", "2026-10-14T00:00+08:00"),
    ("engineering.complaint_acceptance", "2026-09-30T16:00+08:00", "2026-10-11T00:00+08:00"),
    # 实施条例 第61条: 自受理投诉之日起30个工作日内作出书面处理决定.
    ("engineering.complaint_decision", "2026-11-02T09:00+08:00", "2026-12-15T00:00+08:00"),
    # 实施条例 第57条: 书面合同签订后5日内退还投标保证金及银行同期存款利息.
    ("engineering.deposit_refund", "2026-09-26T10:00+08:00", "2026-10-09T00:00+08:00"),
    ("engineering.deposit_refund", "2026-12-07T10:00+08:00", "2026-12-15T00:00+08:00"),
    # 实施条例 第35条: 收到书面撤回通知之日起5日内退还.
    ("engineering.deposit_refund_withdrawal", "2026-12-01T10:00+08:00", "2026-12-08T00:00+08:00"),
    # 87号令 第38条: 中标通知书发出之日起5个工作日内退还未中标人 (Sunday 09-20 is worked) …
    ("procurement.deposit_refund_losers", "2026-09-18T10:00+08:00", "2026-09-25T00:00+08:00"),
    # … 采购合同签订之日起5个工作日内退还中标人.
    ("procurement.deposit_refund_winner", "2026-09-29T10:00+08:00", "2026-10-13T00:00+08:00"),
    ("procurement.deposit_refund_withdrawal", "2026-12-04T18:00+08:00", "2026-12-12T00:00+08:00"),
]


@pytest.mark.parametrize(("key", "start", "due"), MAXIMA, ids=[f"{k}@{s}" for k, s, _ in MAXIMA])
def test_each_maximum_lasts_until_24_00_of_its_last_day_as_the_statute_counts_it(
    key: str, start: str, due: str
) -> None:
    assert latest(at(start), seed(key), CALENDAR) == at(due)


NOTICES = [
    # 政府采购法实施条例 第43条: 中标、成交供应商确定之日起2个工作日内公告.
    ("result", "procurement", "2026-09-30T10:00+08:00", "2026-10-10T00:00+08:00"),
    ("award_letter", "procurement", "2026-10-09T10:00+08:00", "2026-10-13T00:00+08:00"),
    # 国土资源部令第39号 第22条: 活动结束后10个工作日内公布出让结果.
    # 中秋 and 国庆 skipped, Saturday 10-10 worked: the tenth working day is 10-15.
    ("result", "land", "2026-09-24T16:00+08:00", "2026-10-16T00:00+08:00"),
    ("deal", "land", "2026-12-01T16:00+08:00", "2026-12-16T00:00+08:00"),
    # 实施条例 第54条: 收到评标报告之日起3日内公示 (a Saturday last day moves to Monday).
    ("candidates", "engineering", "2026-12-02T16:00+08:00", "2026-12-08T00:00+08:00"),
    # The platform's own numbers where the law says only 及时 (实施条例 第31条) or nothing.
    ("termination", "engineering", "2026-09-30T16:00+08:00", "2026-10-09T00:00+08:00"),
    ("result", "engineering", "2026-12-04T16:00+08:00", "2026-12-09T00:00+08:00"),
    ("announcement", "property", "2026-12-05T16:00+08:00", "2026-12-08T00:00+08:00"),
]


@pytest.mark.parametrize(("kind", "business_type", "since", "due"), NOTICES)
def test_a_notice_is_due_by_its_rule_row_through_the_tenders_rulebook(
    kind: str, business_type: str, since: str, due: str
) -> None:
    rulebook = book(business_type, "listing" if business_type == "land" else "open")
    assert rulebook.notice_due(kind, at(since)) == at(due)


@pytest.mark.parametrize(
    ("kind", "business_type", "article", "local"),
    [
        ("result", "procurement", "政府采购法实施条例 第43条", False),
        ("result", "land", "国土资源部令第39号 第22条", False),
        ("candidates", "engineering", "招标投标法实施条例 第54条", False),
        ("result", "engineering", LOCAL_LIMIT_ARTICLE, True),
        ("termination", "engineering", LOCAL_LIMIT_ARTICLE, True),
        ("announcement", "land", LOCAL_LIMIT_ARTICLE, True),
        ("award_letter", "engineering", LOCAL_LIMIT_ARTICLE, True),
    ],
)
def test_a_notice_limit_names_its_statute_or_says_the_platform_set_it(
    kind: str, business_type: str, article: str, local: bool
) -> None:
    rule = book(business_type, "listing" if business_type == "land" else "open").notice_rule(kind)
    assert rule is not None
    assert (rule.article, rule.local) == (article, local)


def test_every_notice_kind_has_a_publication_row_and_an_unknown_kind_none() -> None:
    kinds = [
        "announcement",
        "amendment",
        "clarification",
        "candidates",
        "result",
        "deal",
        "failure",
        "termination",
        "award_letter",
        "deal_confirmation",
    ]
    for business_type in ("engineering", "procurement", "carbon", "other"):
        rulebook = book(business_type)
        assert all(rulebook.notice_rule(kind) is not None for kind in kinds), business_type
    assert book("engineering").notice_rule("no-such-kind") is None


# --- minima: a later point on the last day, at any hour but its 00:00 -----------------------------

MINIMA = [
    # 87号令 第16条: 提供期限自招标公告发布之日起计算不得少于5个工作日.
    (
        "procurement.documents_offer",
        "announced",
        "2026-09-30T09:00+08:00",
        "2026-10-13T17:00+08:00",
        True,
    ),
    (
        "procurement.documents_offer",
        "announced",
        "2026-09-30T09:00+08:00",
        "2026-10-13T00:00+08:00",
        False,
    ),
    (
        "procurement.documents_offer",
        "announced",
        "2026-09-30T09:00+08:00",
        "2026-10-12T17:00+08:00",
        False,
    ),
    # 实施条例 第16条: 发售期不得少于5日; day 5 in 国庆 moves to 10-08.
    (
        "engineering.documents_sale",
        "documents_issued",
        "2026-09-28T10:00+08:00",
        "2026-10-08T09:00+08:00",
        True,
    ),
    (
        "engineering.documents_sale",
        "documents_issued",
        "2026-09-28T10:00+08:00",
        "2026-10-07T17:00+08:00",
        False,
    ),
    (
        "engineering.documents_sale",
        "documents_issued",
        "2026-12-01T10:00+08:00",
        "2026-12-07T09:00+08:00",
        True,
    ),
    (
        "engineering.documents_sale",
        "documents_issued",
        "2026-12-01T10:00+08:00",
        "2026-12-05T17:00+08:00",
        False,
    ),
    # 财库〔2014〕214号 第10条: 磋商文件发售期限不得少于5个工作日 (春节: 02-14 worked, 02-23 off).
    (
        "procurement.consultation_sale",
        "documents_issued",
        "2026-02-13T10:00+08:00",
        "2026-02-27T09:00+08:00",
        True,
    ),
    (
        "procurement.consultation_sale",
        "documents_issued",
        "2026-02-13T10:00+08:00",
        "2026-02-26T17:00+08:00",
        False,
    ),
]


@pytest.mark.parametrize(("key", "start_point", "start", "end", "lawful"), MINIMA)
def test_a_sale_period_ends_no_earlier_than_its_last_day_as_the_statute_counts_it(
    key: str, start_point: str, start: str, end: str, lawful: bool
) -> None:
    rule = seed(key)
    found = check_schedule(
        {start_point: at(start), "documents_sale_end": at(end)}, [rule], CALENDAR
    )
    assert (found == []) is lawful
    for violation in found:
        assert violation.article == rule.article
        assert violation.point == "documents_sale_end"


AMENDMENTS = [
    # 87号令 第27条: 至少15日前通知，不足15日的顺延; day 15 is 国庆, so the deadline moves to 10-08.
    ("open", "2026-09-16T10:00+08:00", "2026-10-08T09:30+08:00", True, "财政部令第87号 第27条"),
    ("open", "2026-09-16T10:00+08:00", "2026-10-07T09:30+08:00", False, "财政部令第87号 第27条"),
    # 财库〔2014〕214号 第10条: 至少5日前.
    (
        "consultation",
        "2026-12-01T10:00+08:00",
        "2026-12-07T09:00+08:00",
        True,
        "财库〔2014〕214号 第10条",
    ),
    (
        "consultation",
        "2026-12-01T10:00+08:00",
        "2026-12-04T09:00+08:00",
        False,
        "财库〔2014〕214号 第10条",
    ),
    # 74号令 第29条 (谈判) and 第45条 (询价): 3个工作日前 (Saturday 10-10 is worked).
    (
        "negotiation",
        "2026-10-09T10:00+08:00",
        "2026-10-13T09:00+08:00",
        True,
        "财政部令第74号 第29条",
    ),
    (
        "negotiation",
        "2026-10-09T10:00+08:00",
        "2026-10-12T09:00+08:00",
        False,
        "财政部令第74号 第29条",
    ),
    (
        "quotation",
        "2026-10-09T10:00+08:00",
        "2026-10-13T00:00+08:00",
        False,
        "财政部令第74号 第45条",
    ),
    (
        "quotation",
        "2026-10-09T10:00+08:00",
        "2026-10-13T08:00+08:00",
        True,
        "财政部令第74号 第45条",
    ),
]


@pytest.mark.parametrize(("procedure", "amended", "deadline", "lawful", "article"), AMENDMENTS)
def test_a_procurement_amendment_leaves_its_procedures_own_period_before_the_deadline(
    procedure: str, amended: str, deadline: str, lawful: bool, article: str
) -> None:
    rulebook = book("procurement", procedure)
    rules = rulebook.between("amendment", "bid_deadline")
    assert [rule.article for rule in rules] == [article]
    found = check_schedule(
        {"amendment": at(amended), "bid_deadline": at(deadline)}, rules, CALENDAR
    )
    assert (found == []) is lawful
    assert all(violation.article == article for violation in found)


@pytest.mark.parametrize(
    ("opened", "ends"),
    [
        # 87号令 第69条: 中标公告期限为1个工作日 — through 国庆 to Thursday 10-08, 24:00.
        ("2026-09-30T10:00+08:00", "2026-10-09T00:00+08:00"),
        # Saturday 10-10 is a 调休 working day: a notice opened on Friday ends with it.
        ("2026-10-09T10:00+08:00", "2026-10-11T00:00+08:00"),
    ],
)
def test_the_procurement_result_notice_lasts_one_working_day_87_order_article_69(
    opened: str, ends: str
) -> None:
    rule = seed("procurement.result_notice")
    assert rule.article == "财政部令第87号 第69条"
    assert period_until(at(opened), rule, CALENDAR) == at(ends)


# --- deposits ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("business_type", "estimate", "deposit", "articles"),
    [
        ("engineering", "40000000.00", "800000.00", []),
        # 七部委30号令 第37条: 2% of 4000万 is 80万 exactly; a cent more breaks both.
        ("engineering", "40000000.00", "800000.01", ["第26条", "第37条"]),
        # 2% of 1亿 is 200万, but the ceiling is 80万元.
        ("engineering", "100000000.00", "1000000.00", ["第37条"]),
        # 政府采购法实施条例 第33条: 2% only, no ceiling.
        ("procurement", "100000000.00", "1000000.00", []),
        ("procurement", "100000000.00", "2000000.01", ["第33条"]),
    ],
)
def test_the_engineering_deposit_is_at_most_2_percent_and_80_wan_30_order_article_37(
    business_type: str, estimate: str, deposit: str, articles: list[str]
) -> None:
    found = check_amounts(
        {"estimate": Decimal(estimate), "deposit": Decimal(deposit)}, book(business_type).rules
    )
    assert len(found) == len(articles)
    for article in articles:
        assert any(article in violation.message for violation in found), article
    assert all(violation.point == "deposit" for violation in found)
    if "第37条" in articles:
        ceiling = next(v for v in found if "第37条" in v.article)
        assert "800,000.00 元" in ceiling.message


# --- what other issues schedule by -------------------------------------------------------------


def test_the_complaint_limits_of_engineering_are_those_of_implementing_regulation_60_61() -> None:
    limits = book("engineering").complaint_limits()
    assert limits.filing is not None and limits.acceptance is not None
    assert limits.decision is not None
    assert (limits.filing.maximum, limits.filing.unit, limits.filing.from_point) == (
        Decimal(10),
        "day",
        "known",
    )
    assert (limits.acceptance.maximum, limits.acceptance.unit) == (Decimal(3), "workday")
    assert limits.decision.from_point == "complaint_accepted"
    assert "第61条" in limits.decision.article


def test_the_complaint_limits_of_procurement_are_those_of_the_procurement_law_55_56() -> None:
    limits = book("procurement").complaint_limits()
    assert limits.filing is not None and limits.acceptance is not None
    assert limits.decision is not None
    assert limits.filing.from_point == "objection_answer_due"
    assert (limits.filing.maximum, limits.filing.article) == (Decimal(15), "政府采购法 第55条")
    assert (limits.acceptance.maximum, limits.acceptance.article) == (
        Decimal(5),
        "财政部令第94号 第21条",
    )
    # Counted from the complaint's receipt, not from its acceptance (第56条).
    assert limits.decision.from_point == "complaint"


def test_land_has_no_complaint_rows() -> None:
    limits = book("land", "listing").complaint_limits()
    assert (limits.filing, limits.acceptance, limits.decision) == (None, None, None)


@pytest.mark.parametrize(
    ("business_type", "winner", "from_point", "article"),
    [
        ("engineering", True, "contract", "招标投标法实施条例 第57条"),
        ("engineering", False, "contract", "招标投标法实施条例 第57条"),
        ("procurement", True, "contract", "财政部令第87号 第38条"),
        ("procurement", False, "award_letter", "财政部令第87号 第38条"),
    ],
)
def test_deposit_refunds_count_from_the_fact_the_law_names(
    business_type: str, winner: bool, from_point: str, article: str
) -> None:
    [rule] = book(business_type).deposit_refund_rules(winner=winner)
    assert (rule.from_point, rule.article) == (from_point, article)


def test_no_seeded_article_is_left_to_be_checked() -> None:
    assert not [r.key for r in RULE_SEEDS if "待核实" in r.article]
    for key in ("land.announcement", "land.result_publication", "property.disclosure"):
        assert "第" in seed(key).article.split("令")[-1], key


@pytest.mark.parametrize(
    ("business_type", "step", "start", "due"),
    [
        # 政府采购法 第55条: 答复期满后十五个工作日内 — the answer period ended at 24:00 on 09-29,
        # so 09-30 is the first working day counted, then 国庆, then Saturday 10-10 worked.
        ("procurement", "filing", "2026-09-30T00:00+08:00", "2026-10-27T00:00+08:00"),
        # 实施条例 第60条: 10日; knowing at 23:00 on 12-01 counts from 12-02.
        ("engineering", "filing", "2026-12-01T23:00+08:00", "2026-12-12T00:00+08:00"),
        # 实施条例 第61条: 3个工作日 from the receipt on Friday 10-09 (Saturday 10-10 worked).
        ("engineering", "acceptance", "2026-10-09T16:00+08:00", "2026-10-14T00:00+08:00"),
    ],
)
def test_a_complaint_limit_is_due_through_the_rulebook(
    business_type: str, step: str, start: str, due: str
) -> None:
    rulebook = book(business_type)
    rule = getattr(rulebook.complaint_limits(), step)
    assert rulebook.complaint_due(rule, at(start)) == at(due)


@pytest.mark.parametrize("business_type", ["land", "property"])
@pytest.mark.parametrize("stage", ["objection_documents", "objection_opening", "objection_result"])
def test_a_sales_objection_answer_is_the_platforms_own_3_days_not_实施条例_第22条(
    business_type: str, stage: str
) -> None:
    """39号令 and 32号令 set no answer period: the row says so instead of a silent fallback."""
    rows = [
        rule
        for rule in RULE_SEEDS
        if rule.business_type == business_type
        and (rule.from_point, rule.to_point) == (stage, "objection_answer")
    ]
    assert [(rule.maximum, rule.unit, rule.local, rule.article) for rule in rows] == [
        (Decimal(3), "day", True, LOCAL_LIMIT_ARTICLE)
    ]
