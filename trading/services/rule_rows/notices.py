"""How soon each notice is published after the fact that calls for it.

The to-point is the notice's publication (`notice:<kind>`), the from-point the fact. One row per
kind governs every business type (the platform's own number, where the law asks only that notices
go out promptly — 实施条例 第31条 says 及时 — or says nothing); a business type's row with the same
key replaces it where a statute sets the number.
"""

from __future__ import annotations

from trading.domain.points import Point
from trading.domain.timeline import Rule
from trading.services.rule_rows.common import (
    DAY,
    LOCAL_LIMIT_ARTICLE,
    LOCAL_RULES,
    ORDER_39,
    PROCUREMENT_REGULATION,
    TENDERING_REGULATION,
    WORKDAY,
    P,
    period,
)


def _local(kind: str, fact: Point, notice: Point, days: int, unit: str, description: str) -> Rule:
    return period(
        f"notice.{kind}",
        None,
        fact,
        notice,
        maximum=days,
        unit=unit,
        article=LOCAL_LIMIT_ARTICLE,
        description=description,
        effective_from=LOCAL_RULES,
        local=True,
    )


NOTICES = [
    _local("announcement", P.APPROVED, P.NOTICE_ANNOUNCEMENT, 0, DAY, "交易公告于审核发布当日发布"),
    _local("amendment", P.AMENDMENT, P.NOTICE_AMENDMENT, 0, DAY, "变更公告于变更发出当日发布"),
    _local(
        "clarification",
        P.CLARIFICATION,
        P.NOTICE_CLARIFICATION,
        0,
        DAY,
        "澄清公告于澄清答复当日发布",
    ),
    _local(
        "candidates",
        P.EVALUATION_REPORT,
        P.NOTICE_CANDIDATES,
        3,
        DAY,
        "自收到评审报告之日起3日内公示候选人",
    ),
    _local("result", P.AWARDED, P.NOTICE_RESULT, 2, WORKDAY, "确定结果后2个工作日内发布结果公告"),
    _local("deal", P.AWARDED, P.NOTICE_DEAL, 2, WORKDAY, "成交后2个工作日内发布成交公告"),
    _local("failure", P.FAILED, P.NOTICE_FAILURE, 1, WORKDAY, "流标（流拍）后1个工作日内发布公告"),
    _local(
        "termination",
        P.TERMINATED,
        P.NOTICE_TERMINATION,
        1,
        WORKDAY,
        "终止后1个工作日内发布终止公告",
    ),
    _local(
        "award_letter",
        P.AWARDED,
        P.NOTICE_AWARD_LETTER,
        0,
        DAY,
        "中标（成交）通知书于确定结果当日发出",
    ),
    _local(
        "deal_confirmation",
        P.AWARDED,
        P.NOTICE_DEAL_CONFIRMATION,
        0,
        DAY,
        "成交确认书于成交当日签订并发布",
    ),
    # Where a statute sets the number, the business type's row replaces the platform's.
    period(
        "notice.candidates",
        "engineering",
        P.EVALUATION_REPORT,
        P.NOTICE_CANDIDATES,
        maximum=3,
        article="招标投标法实施条例 第54条",
        description="招标人应当自收到评标报告之日起3日内公示中标候选人",
        effective_from=TENDERING_REGULATION,
        shared_key=True,
    ),
    period(
        "notice.result",
        "procurement",
        P.AWARDED,
        P.NOTICE_RESULT,
        maximum=2,
        unit=WORKDAY,
        article="政府采购法实施条例 第43条",
        description="自中标、成交供应商确定之日起2个工作日内公告中标、成交结果",
        effective_from=PROCUREMENT_REGULATION,
        shared_key=True,
    ),
    period(
        "notice.award_letter",
        "procurement",
        P.AWARDED,
        P.NOTICE_AWARD_LETTER,
        maximum=2,
        unit=WORKDAY,
        article="政府采购法实施条例 第43条",
        description="自中标、成交供应商确定之日起2个工作日内发出中标、成交通知书",
        effective_from=PROCUREMENT_REGULATION,
        shared_key=True,
    ),
    *(
        period(
            f"notice.{kind}",
            "land",
            P.AWARDED,
            notice,
            maximum=10,
            unit=WORKDAY,
            article="国土资源部令第39号 第22条",
            description="招标拍卖挂牌活动结束后10个工作日内公布出让结果",
            effective_from=ORDER_39,
            shared_key=True,
        )
        for kind, notice in (("result", P.NOTICE_RESULT), ("deal", P.NOTICE_DEAL))
    ),
]
