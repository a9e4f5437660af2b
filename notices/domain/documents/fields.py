"""The fields of `notice.data` per kind: what a document cannot be rendered without."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from notices.domain.documents.kinds import (
    AMENDMENT,
    ANNOUNCEMENT,
    AWARD_LETTER,
    CANDIDATES,
    CLARIFICATION,
    DEAL,
    DEAL_CONFIRMATION,
    FAILURE,
    N_,
    RESULT,
    TERMINATION,
)


@dataclass(frozen=True)
class Field:
    """One entry of `notice.data`: its key, what it holds, and whether every document needs it."""

    key: str
    label: str
    required: bool = True


_COMMON = [
    Field("business_type", N_("业务类型代码")),
    Field("business_type_name", N_("业务类型")),
    Field("region_code", N_("行政区划代码")),
    Field("region_name", N_("市县")),
    Field("project_code", N_("项目编号")),
    Field("project_name", N_("项目名称")),
    Field("tender_code", N_("招标项目编号")),
    Field("tender_name", N_("招标项目名称")),
    Field("trade_id", N_("统一交易标识码")),
    Field("procedure_name", N_("交易方式")),
    Field("procedure_family", N_("流程类别")),
    Field("owner_name", N_("招标人（出让人、转让方）")),
    Field("owner_uscc", N_("统一社会信用代码")),
    Field("owner_phone", N_("联系电话"), required=False),
    Field("agency_name", N_("代理机构"), required=False),
    Field("agency_phone", N_("代理机构联系电话"), required=False),
    Field("funding_source", N_("资金来源"), required=False),
    Field("training", N_("培训演示")),
    Field("lots", N_("标段（包）")),
]
_LOT = [Field("lot", N_("标段（包）"))]
# The platform's live auction, when one decided the lot (bidding.models.Auction).
_AUCTION = [Field("auction", N_("网上竞价"), required=False)]
_WINNER = [
    Field("winner_name", N_("中标（成交）人")),
    Field("winner_uscc", N_("统一社会信用代码")),
    Field("winner_phone", N_("联系电话"), required=False),
    Field("price", N_("中标（成交）价")),
    Field("award_confirmed_at", N_("定标时间")),
    Field("letter_issued_at", N_("通知书发出时间")),
]

NOTICE_FIELDS: dict[str, list[Field]] = {
    ANNOUNCEMENT: [
        *_COMMON,
        Field("price_form", N_("报价方式")),
        Field("deposit_form", N_("保证金形式")),
        Field("documents_issued_at", N_("招标文件发出时间"), required=False),
        Field("documents_sale_ends_at", N_("文件发售截止时间"), required=False),
        Field("clarification_deadline", N_("澄清截止时间"), required=False),
    ],
    AMENDMENT: [*_COMMON, Field("document", N_("变更文件"), required=False)],
    CLARIFICATION: [
        *_COMMON,
        Field("document", N_("澄清文件"), required=False),
        Field("questions", N_("答疑"), required=False),
    ],
    CANDIDATES: [
        *_COMMON,
        *_LOT,
        Field("candidates", N_("中标候选人")),
        Field("bid_count", N_("有效投标数"), required=False),
        Field("evaluation_reported_at", N_("评标报告提交时间"), required=False),
        Field("publicity_starts_at", N_("公示开始")),
        Field("publicity_ends_at", N_("公示结束")),
    ],
    RESULT: [
        *_COMMON,
        *_LOT,
        *_WINNER,
        Field("experts", N_("评标委员会成员"), required=False),
    ],
    DEAL: [*_COMMON, *_LOT, *_WINNER, *_AUCTION],
    FAILURE: [
        *_COMMON,
        *_LOT,
        Field("bid_count", N_("有效投标数"), required=False),
        Field("min_bids", N_("最少有效投标数")),
        Field("reason", N_("流标原因"), required=False),
        *_AUCTION,
    ],
    TERMINATION: [*_COMMON, *_LOT, Field("reason", N_("终止理由"))],
    AWARD_LETTER: [
        *_COMMON,
        *_LOT,
        *_WINNER,
        Field("project_manager", N_("项目负责人"), required=False),
        Field("manager_certificate", N_("证书编号"), required=False),
        Field("duration_days", N_("工期（日）"), required=False),
        Field("quality", N_("质量要求"), required=False),
        Field("contract_days", N_("签订合同期限（日）")),
    ],
    DEAL_CONFIRMATION: [
        *_COMMON,
        *_LOT,
        *_WINNER,
        Field("contract_days", N_("签订合同期限（日）")),
        *_AUCTION,
    ],
}


def missing_fields(kind: str, data: Mapping[str, Any]) -> list[str]:
    """The required keys of `kind` that `data` lacks: a notice cannot be rendered without them."""
    return [f.key for f in NOTICE_FIELDS[kind] if f.required and f.key not in data]
