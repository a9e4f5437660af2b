"""What every module of seeded rule rows shares: the instruments' dates and the row builders.

The rows are data the platform administrator edits (DESIGN.md §7): `trading.services.rules`
creates the missing ones and never overwrites a row.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_noop

from trading.domain.points import Point
from trading.domain.timeline import Rule, RuleKind, Unit

P = Point
DAY, WORKDAY = Unit.DAY.value, Unit.WORKDAY.value

# Dates the instruments took effect.
TENDERING_LAW = date(2000, 1, 1)  # 招标投标法
TENDERING_REGULATION = date(2012, 2, 1)  # 招标投标法实施条例
ORDER_30 = date(2003, 5, 1)  # 七部委30号令 (工程建设项目施工招标投标办法)
PROCUREMENT_LAW = date(2003, 1, 1)  # 政府采购法
PROCUREMENT_REGULATION = date(2015, 3, 1)  # 政府采购法实施条例
ORDER_74 = date(2014, 2, 1)  # 财政部令第74号 (非招标采购方式)
CIRCULAR_214 = date(2014, 12, 31)  # the 竞争性磋商 circular, CIRCULAR_214_NAME
ORDER_87 = date(2017, 10, 1)  # 财政部令第87号 (货物和服务招标投标)
ORDER_94 = date(2018, 3, 1)  # 财政部令第94号 (政府采购质疑和投诉办法)
ORDER_39 = date(2007, 11, 1)  # 国土资源部令第39号
ORDER_32 = date(2016, 6, 24)  # 国资委 财政部令第32号
LOCAL_RULES = date(2020, 1, 1)
# Official document numbers are written with tortoise-shell brackets.
CIRCULAR_214_NAME = "财库〔2014〕214号"

# The platform's own rules for business types the national rules skip.
LOCAL_ARTICLE = gettext_noop("本平台交易规则（地方规则）")
# A number the platform sets where the statute asks only for promptness (及时) or says nothing.
# Stored in rule rows in Chinese like every article; pages translate it (`article_words`).
LOCAL_LIMIT_ARTICLE = gettext_noop("本平台规则（法律未规定期限）")


def period(
    key: str,
    business_type: str | None,
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
    shared_key: bool = False,
) -> Rule:
    """A period row; its key is `<business type>.<key>`, or `key` itself when `shared_key`
    (a business type's row then replaces the row for every type, as a region row does)."""
    return Rule(
        key=key if shared_key or business_type is None else f"{business_type}.{key}",
        kind=RuleKind.PERIOD.value,
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


def deposit_ratio(business_type: str, *, article: str, effective_from: date) -> Rule:
    """The deposit as a share of the estimate (实施条例 第26条, 政府采购法实施条例 第33条)."""
    return Rule(
        key=f"{business_type}.deposit_cap",
        kind=RuleKind.AMOUNT_RATIO.value,
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


def deposit_ceiling(
    business_type: str, *, maximum: int, article: str, description: str, effective_from: date
) -> Rule:
    """The deposit's ceiling in 元, whatever the estimate (七部委30号令 第37条)."""
    return Rule(
        key=f"{business_type}.deposit_amount_cap",
        kind=RuleKind.AMOUNT_CAP.value,
        from_point="deposit",
        to_point="deposit",
        minimum=None,
        maximum=Decimal(maximum),
        unit=Unit.NONE.value,
        article=article,
        description=description,
        business_type=business_type,
        effective_from=effective_from,
    )
