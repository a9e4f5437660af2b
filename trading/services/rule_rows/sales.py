"""Land (国土资源部令第39号), mining, state-owned property (国资委 财政部令第32号), and the
platform's own rows for the business types the national rules skip."""

from __future__ import annotations

from typing import Any

from trading.domain.timeline import Rule
from trading.services.rule_rows.common import (
    LOCAL_ARTICLE,
    LOCAL_LIMIT_ARTICLE,
    LOCAL_RULES,
    ORDER_32,
    ORDER_39,
    WORKDAY,
    P,
    period,
)

ORDER_39_NAME = "国土资源部令第39号"
ORDER_32_NAME = "国资委 财政部令第32号"

LAND = [
    period(
        "announcement",
        "land",
        P.ANNOUNCED,
        P.LISTING_START,
        minimum=20,
        article=f"{ORDER_39_NAME} 第10条",
        description="出让公告应至少在投标、拍卖或者挂牌开始日前20日发布",
        effective_from=ORDER_39,
    ),
    period(
        "listing_period",
        "land",
        P.LISTING_START,
        P.LISTING_END,
        # The unit is the row's: many platforms count 10 working days; change it there.
        minimum=10,
        procedures=("listing",),
        article=f"{ORDER_39_NAME} 第18条",
        description="挂牌时间不得少于10日",
        effective_from=ORDER_39,
    ),
    period(
        "result_publication",
        "land",
        P.LISTING_END,
        P.PUBLICITY_START,
        maximum=10,
        unit=WORKDAY,
        procedures=("auction", "listing"),
        article=f"{ORDER_39_NAME} 第22条",
        description="拍卖、挂牌活动结束后10个工作日内公布出让结果",
        effective_from=ORDER_39,
    ),
    period(
        "result_publication_tender",
        "land",
        P.EVALUATION_REPORT,
        P.PUBLICITY_START,
        maximum=10,
        unit=WORKDAY,
        procedures=("tender",),
        article=f"{ORDER_39_NAME} 第22条",
        description="招标活动结束后10个工作日内公布出让结果",
        effective_from=ORDER_39,
    ),
]

PROPERTY = [
    period(
        "disclosure",
        "property",
        P.ANNOUNCED,
        P.LISTING_END,
        minimum=20,
        unit=WORKDAY,
        article=f"{ORDER_32_NAME} 第13条",
        description="产权转让信息正式披露时间不少于20个工作日",
        effective_from=ORDER_32,
    ),
    period(
        "result_publicity",
        "property",
        P.PUBLICITY_START,
        P.PUBLICITY_END,
        minimum=5,
        unit=WORKDAY,
        article=f"{ORDER_32_NAME} 第29条",
        description="交易结果公告期不少于5个工作日",
        effective_from=ORDER_32,
    ),
]

# DOMAIN.md has no mining numbers: local rows modelled on the land rules until they are entered.
MINING = [
    period(
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
    period(
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
    period(
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


def objection_answers(business_type: str, article: str = LOCAL_LIMIT_ARTICLE) -> list[Rule]:
    """The owner answers an objection within 3 日: the platform's own number, since 39号令 and
    32号令 set none (engineering's 实施条例 第22、54条 do not bind a sale or a transfer)."""
    return [
        period(
            f"{stage}_answer",
            business_type,
            point,
            P.OBJECTION_ANSWER,
            maximum=3,
            article=article,
            description="收到异议之日起3日内答复，答复前暂停交易活动",
            effective_from=LOCAL_RULES,
            local=True,
        )
        for stage, point in (
            ("objection_documents", P.OBJECTION_DOCUMENTS),
            ("objection_opening", P.OBJECTION_OPENING),
            ("objection_result", P.OBJECTION_RESULT),
        )
    ]


def local_rules(
    business_type: str,
    *,
    announced: tuple[str, ...] = (),
    sealed: tuple[str, ...] = (),
    listing: tuple[str, ...] = (),
    bid_days: int = 10,
) -> list[Rule]:
    """The platform's own periods for a business type the national rules in DOMAIN.md skip."""

    def local(key: str, from_point: P, to_point: P, **kwargs: Any) -> Rule:
        return period(
            key,
            business_type,
            from_point,
            to_point,
            article=LOCAL_ARTICLE,
            effective_from=LOCAL_RULES,
            local=True,
            **kwargs,
        )

    rules = []
    if announced:
        rules.append(
            local(
                "announcement",
                P.ANNOUNCED,
                P.LISTING_START,
                minimum=5,
                procedures=announced,
                description="交易公告发布之日起至交易（挂牌、竞价）开始不少于5日",
            )
        )
    if sealed:
        rules.append(
            local(
                "bid_period",
                P.DOCUMENTS_ISSUED,
                P.BID_DEADLINE,
                minimum=bid_days,
                procedures=sealed,
                description=f"自采购文件发出之日起至响应截止不少于{bid_days}日",
            )
        )
    if listing:
        rules.append(
            local(
                "listing_period",
                P.LISTING_START,
                P.LISTING_END,
                minimum=5,
                unit=WORKDAY,
                procedures=listing,
                description="挂牌期不少于5个工作日",
            )
        )
    rules += [
        local(
            "result_publicity",
            P.PUBLICITY_START,
            P.PUBLICITY_END,
            minimum=3,
            description="成交结果公示期不少于3日",
        ),
        local(
            "contract",
            P.AWARD_LETTER,
            P.CONTRACT,
            maximum=30,
            description="自成交通知书发出之日起30日内签订合同",
        ),
    ]
    return rules


# Every sale and transfer names the rule an objection's answer is due by.
OBJECTION_ANSWERS = [
    # 39号令 and 32号令 govern these sales but set no number for the answer.
    *objection_answers("land"),
    *objection_answers("property"),
    # Business types without national rules cite the platform's own rules throughout.
    *(
        rule
        for business_type in ("mining", "carbon", "pollution", "medicine", "other")
        for rule in objection_answers(business_type, LOCAL_ARTICLE)
    ),
]

LOCAL = [
    *local_rules("carbon", announced=("sale", "auction")),
    *local_rules("pollution", announced=("auction", "agreement")),
    *local_rules(
        "medicine", announced=("listing", "negotiation"), sealed=("tender",), listing=("listing",)
    ),
    *local_rules("other", announced=("listing",), sealed=("open",), listing=("listing",)),
]
