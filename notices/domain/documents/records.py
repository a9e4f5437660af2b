"""The records an owner or the committee files (评标报告, 合同, 书面报告), printed from the tender.

The platform stores what people upload; the demo uploads these, generated from its tenders, so
that every file a demo user opens is a readable document of that very lot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notices.domain.documents.formatting import (
    Row,
    _table,
    chinese_date,
    chinese_datetime,
    optional_row,
    price_with_words,
    text,
    yuan,
)
from notices.domain.documents.kinds import N_
from notices.domain.documents.words import vocabulary

EVALUATION_REPORT = "evaluation_report"
CONTRACT = "contract"
WRITTEN_REPORT = "written_report"


def _head(data: Mapping[str, Any]) -> list[Row]:
    lot: Mapping[str, Any] = data.get("lot") or {}
    words = vocabulary(str(data.get("business_type", "")), str(data.get("procedure_code", "")))
    return [
        (N_("项目名称"), text(data.get("project_name"))),
        (N_("招标项目编号"), text(data.get("tender_code"))),
        (N_("标段（包）"), f"{text(lot.get('code'))} {text(lot.get('name'))}"),
        (N_("交易方式"), text(data.get("procedure_name"))),
        (words.owner, text(data.get("owner_name"))),
    ]


def _evaluation_report(data: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    words = vocabulary(str(data.get("business_type", "")), str(data.get("procedure_code", "")))
    lot: Mapping[str, Any] = data.get("lot") or {}
    committee = [str(name) for name in facts.get("committee") or []]
    candidates = facts.get("candidates") or []
    return {
        "document_name": N_("评标报告"),
        "opening": [
            f"评标委员会依照招标文件规定的评标标准和方法，对{text(data.get('tender_name'))}"
            f"{text(lot.get('name'))}的投标文件进行了评审和比较，推荐{words.candidates}如下"
            "（招标投标法 第40条）。"
        ],
        "rows": [
            *_head(data),
            *optional_row(N_("有效投标数"), lot.get("bid_count")),
            *optional_row(N_("评标委员会成员"), "、".join(committee)),
        ],
        "tables": [
            _table(
                words.candidates,
                [N_("排名"), N_("名称"), N_("报价"), N_("得分")],
                [
                    [f"第{n}名", text(c.get("name")), yuan(c.get("price")), text(c.get("score"))]
                    for n, c in enumerate(candidates, start=1)
                ],
                nowrap=(0, 1, 2),
            )
        ],
        "closing": [
            N_("评标委员会成员对评标结论无不同意见，均已在本报告上签字（实施条例 第53条）。")
        ],
        "signer": N_("评标委员会（签字）"),
        "signer_name": "、".join(committee),
    }


def _contract(data: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    words = vocabulary(str(data.get("business_type", "")), str(data.get("procedure_code", "")))
    lot: Mapping[str, Any] = data.get("lot") or {}
    return {
        "document_name": N_("合同"),
        "opening": [
            f"{text(data.get('owner_name'))}（甲方）与{text(data.get('winner_name'))}（乙方）依照"
            f"{words.law}，按照{text(data.get('tender_name'))}的文件和乙方的文件订立本合同"
            f"（{words.contract_article}）。"
        ],
        "rows": [
            *_head(data),
            (N_("乙方"), text(data.get("winner_name"))),
            (N_("统一社会信用代码"), text(data.get("winner_uscc"))),
            (N_("合同价款"), price_with_words(data.get("price"))),
            *optional_row(N_("范围（标的）"), lot.get("scope")),
            *optional_row(
                N_("工期（履行期限）"), data.get("duration_days"), f"{data.get('duration_days')} 日"
            ),
            *optional_row(N_("质量要求"), data.get("quality")),
            *optional_row(N_("项目负责人"), data.get("project_manager")),
        ],
        "tables": [],
        "closing": [
            N_("合同的标的、价款、质量、履行期限等主要条款与招标文件和中标人的投标文件一致。"),
            N_("本合同自双方签字盖章之日起生效，一式四份，甲乙双方各执二份。"),
        ],
        "signer": N_("甲方（盖章）"),
        "signer_name": text(data.get("owner_name")),
        "second_signer": N_("乙方（盖章）"),
        "second_signer_name": text(data.get("winner_name")),
    }


def _written_report(data: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    words = vocabulary(str(data.get("business_type", "")), str(data.get("procedure_code", "")))
    return {
        "document_name": N_("招标投标情况书面报告"),
        "opening": [
            f"{text(data.get('tender_name'))}已确定{words.winner}，现将招标投标情况报告如下"
            f"（{words.law}）。"
        ],
        "rows": [
            *_head(data),
            (words.winner, text(data.get("winner_name"))),
            (words.price, price_with_words(data.get("price"))),
            (N_("定标时间"), chinese_datetime(data.get("award_confirmed_at"))),
            *optional_row(
                N_("通知书发出时间"),
                data.get("letter_issued_at"),
                chinese_datetime(data.get("letter_issued_at")),
            ),
        ],
        "tables": [],
        "closing": [N_("招标投标活动依法进行，招标文件、评标报告和合同均已在本平台存档。")],
        "signer": words.owner,
        "signer_name": text(data.get("owner_name")),
    }


BUILDERS = {
    EVALUATION_REPORT: _evaluation_report,
    CONTRACT: _contract,
    WRITTEN_REPORT: _written_report,
}


def build_record(kind: str, data: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    """The record `kind` of the lot in `data`, with the facts the database does not hold yet."""
    context = BUILDERS[kind](data, facts)
    lot: Mapping[str, Any] = data.get("lot") or {}
    context.update(
        title=f"{text(data.get('tender_name'))}（{text(lot.get('name'))}）{context['document_name']}",
        number=text(lot.get("code")),
        training=bool(data.get("training")),
        # Signed on paper: the date is written by hand when it is not known here.
        dated=chinese_date(facts["dated"]) if facts.get("dated") else "　　年　　月　　日",
    )
    return context
