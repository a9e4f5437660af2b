"""Rule rows of the procedures as they really run: prequalification (实施条例 第16-22条, 87号令
第14条) and the property disclosure's extension, re-disclosure and capital increase (32号令)."""

from __future__ import annotations

from datetime import date

from trading.domain.timeline import Rule
from trading.services.rule_rows.common import (
    ORDER_32,
    ORDER_87,
    PROCUREMENT_LAW,
    TENDERING_REGULATION,
    WORKDAY,
    P,
    period,
)

ORDER_32_NAME = "国资委 财政部令第32号"
# 企业国有产权交易操作规则 (国资发产权〔2009〕120号).
PROPERTY_OPERATING_RULES = date(2009, 7, 1)
PROPERTY_OPERATING_RULES_NAME = "企业国有产权交易操作规则（国资发产权〔2009〕120号）"

PREQUAL = ("open-prequal",)

PREQUALIFICATION: list[Rule] = [
    period(
        "prequal_application",
        "engineering",
        P.DOCUMENTS_SALE_END,
        P.APPLICATION_DEADLINE,
        minimum=5,
        procedures=PREQUAL,
        article="招标投标法实施条例 第17条",
        description="自资格预审文件停止发售之日起至提交资格预审申请文件截止不少于5日",
        effective_from=TENDERING_REGULATION,
    ),
    # Without a recorded end of the sale: the sale lasts ≥ 5 日 (第16条) and the applications
    # ≥ 5 日 after it (第17条), so the deadline comes no earlier than 10 日 after the issue.
    period(
        "prequal_application_from_issue",
        "engineering",
        P.DOCUMENTS_ISSUED,
        P.APPLICATION_DEADLINE,
        minimum=10,
        procedures=PREQUAL,
        article="招标投标法实施条例 第16、17条",
        description="资格预审文件发售期不少于5日，提交资格预审申请文件的时间自停止发售之日起不少于5日",
        effective_from=TENDERING_REGULATION,
    ),
    period(
        "prequal_amendment",
        "engineering",
        P.AMENDMENT,
        P.APPLICATION_DEADLINE,
        minimum=3,
        procedures=PREQUAL,
        article="招标投标法实施条例 第21条",
        description="影响资格预审申请文件编制的澄清或者修改应在提交资格预审申请文件截止至少3日前发出",
        effective_from=TENDERING_REGULATION,
    ),
    period(
        "prequal_objection",
        "engineering",
        P.OBJECTION_DOCUMENTS,
        P.APPLICATION_DEADLINE,
        minimum=2,
        procedures=PREQUAL,
        article="招标投标法实施条例 第22条",
        description="对资格预审文件的异议应在提交资格预审申请文件截止时间2日前提出",
        effective_from=TENDERING_REGULATION,
        counted_back=True,
    ),
    period(
        "prequal_application",
        "procurement",
        P.ANNOUNCED,
        P.APPLICATION_DEADLINE,
        minimum=5,
        unit=WORKDAY,
        procedures=("invited-prequal",),
        article="财政部令第87号 第14条",
        description="提交资格预审申请文件的时间自资格预审公告发布之日起不得少于5个工作日",
        effective_from=ORDER_87,
    ),
    period(
        "prequal_bid_period",
        "procurement",
        P.DOCUMENTS_ISSUED,
        P.BID_DEADLINE,
        minimum=20,
        procedures=("invited-prequal",),
        article="政府采购法 第35条",
        description="货物和服务招标采购，自招标文件开始发出之日起至投标截止不得少于20日",
        effective_from=PROCUREMENT_LAW,
    ),
]

PROPERTY_DISCLOSURE: list[Rule] = [
    period(
        "disclosure_extension",
        "property",
        P.PREVIOUS_LISTING_END,
        P.LISTING_END,
        minimum=5,
        unit=WORKDAY,
        article=f"{PROPERTY_OPERATING_RULES_NAME} 第20条",
        description="未征集到符合条件的意向受让方而延长信息披露期限的，每次延长不少于5个工作日",
        effective_from=PROPERTY_OPERATING_RULES,
    ),
    period(
        "redisclosure",
        "property",
        P.DISCLOSURE_RESTART,
        P.LISTING_END,
        minimum=20,
        unit=WORKDAY,
        article=f"{ORDER_32_NAME} 第18条",
        description="降低转让底价或者变更受让条件后重新披露信息的，披露时间不得少于20个工作日",
        effective_from=ORDER_32,
    ),
    period(
        "capital_increase_disclosure",
        "property",
        P.ANNOUNCED,
        P.LISTING_END,
        minimum=40,
        unit=WORKDAY,
        procedures=("capital-increase",),
        article=f"{ORDER_32_NAME} 第39条",
        description="企业增资通过产权交易机构网站对外披露信息公开征集投资方，时间不得少于40个工作日",
        effective_from=ORDER_32,
    ),
]

PROCEDURE_RULES: list[Rule] = [*PREQUALIFICATION, *PROPERTY_DISCLOSURE]
