"""What every document prints: the heading and the rows about the project, lot and winner."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from notices.domain.documents.formatting import (
    Row,
    _paragraphs,
    _table,
    chinese_date,
    chinese_datetime,
    optional_row,
    price_with_words,
    text,
    yuan,
)
from notices.domain.documents.kinds import DOCUMENT_NAMES, N_
from notices.domain.documents.words import Vocabulary, vocabulary


def _base(doc: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """What every document prints: heading, number, issuer, date, verification code."""
    data: Mapping[str, Any] = doc.get("data") or {}
    words = vocabulary(str(data.get("business_type", "")), str(data.get("procedure_code", "")))
    return {
        "kind": kind,
        "document_name": DOCUMENT_NAMES[kind],
        "title": text(doc.get("title")),
        "number": text(doc.get("number")),
        "issuer": text(doc.get("issuer")),
        "dated": chinese_date(doc.get("dated")),
        "verification_code": text(doc.get("verification_code")),
        "verify_url": str(doc.get("verify_url") or ""),
        "training": bool(data.get("training")),
        "words": words,
        "addressee": None,
        "opening": [],
        "paragraphs": _paragraphs(doc.get("body")),
        "rows": [],
        "tables": [],
        "closing": [],
        "notes": [],
    }


def _project_rows(data: Mapping[str, Any], words: Vocabulary) -> list[Row]:
    rows: list[Row] = [
        (N_("项目名称"), text(data.get("project_name"))),
        (N_("项目编号"), text(data.get("project_code"))),
        (N_("招标项目名称"), text(data.get("tender_name"))),
        (N_("招标项目编号"), text(data.get("tender_code"))),
        (N_("统一交易标识码"), text(data.get("trade_id"))),
        (N_("业务类型"), text(data.get("business_type_name"))),
        (N_("交易方式"), text(data.get("procedure_name"))),
        (N_("市县"), f"{text(data.get('region_name'))}（{text(data.get('region_code'))}）"),
        (words.owner, text(data.get("owner_name"))),
    ]
    if data.get("owner_phone"):
        rows.append((N_("联系电话"), text(data.get("owner_phone"))))
    if data.get("agency_name"):
        rows.append((N_("代理机构"), text(data.get("agency_name"))))
        if data.get("agency_phone"):
            rows.append((N_("代理机构联系电话"), text(data.get("agency_phone"))))
    return rows


def _lot_rows(lot: Mapping[str, Any] | None, words: Vocabulary) -> list[Row]:
    if not lot:
        return []
    rows: list[Row] = [
        (N_("标段（包）编号"), text(lot.get("code"))),
        (N_("标段（包）名称"), text(lot.get("name"))),
    ]
    if lot.get("scope"):
        rows.append((N_("招标范围（标的）"), text(lot.get("scope"))))
    if lot.get("duration_days"):
        rows.append((N_("工期（服务期）"), f"{lot['duration_days']} 日"))
    rows += optional_row(N_("质量要求"), lot.get("quality"))
    rows.append((words.estimate, yuan(lot.get("estimate"))))
    return rows


def _lots_table(lots: Sequence[Mapping[str, Any]], words: Vocabulary) -> dict[str, Any]:
    return _table(
        N_("标段（包）"),
        [N_("编号及名称"), words.estimate, N_("保证金"), N_("开始时间"), words.deadline],
        [
            [
                f"{text(lot.get('code'))} {text(lot.get('name'))}",
                yuan(lot.get("estimate")),
                yuan(lot.get("deposit")),
                chinese_datetime(lot.get("opens_at")),
                chinese_datetime(lot.get("closes_at")),
            ]
            for lot in lots
        ],
        nowrap=(1, 2),
    )


def _winner_rows(data: Mapping[str, Any], words: Vocabulary) -> list[Row]:
    return [
        (words.winner, text(data.get("winner_name"))),
        (N_("统一社会信用代码"), text(data.get("winner_uscc"))),
        (words.price, price_with_words(data.get("price"))),
    ]


AUCTION_KINDS = {
    "listing": "网上挂牌（期满限时竞价）",
    "auction": "网上拍卖",
    "reverse": "网上竞价（反向）",
}


def _auction_rows(data: Mapping[str, Any]) -> list[Row]:
    """How the platform's live auction ran (39号令 第21条): bids, the reserve revealed, the end."""
    auction: Mapping[str, Any] = data.get("auction") or {}
    if not auction:
        return []
    reserve = auction.get("reserve")
    return [
        (N_("竞价方式"), AUCTION_KINDS.get(str(auction.get("kind")), text(auction.get("kind")))),
        (N_("增价（降价）幅度"), yuan(auction.get("step"))),
        (N_("有效报价次数"), text(auction.get("bids"))),
        *optional_row(N_("竞得人竞买号"), auction.get("winner_number")),
        (N_("底价"), yuan(reserve) if reserve else N_("未设底价")),
        (N_("竞价结束时间"), chinese_datetime(auction.get("closed_at"))),
    ]
