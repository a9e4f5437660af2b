"""The opening record (开标记录表): what the opening read out, who confirmed, what was objected.

实施条例 第44条 (开标 is recorded; objections answered on the spot), 电子招标投标办法 第30、31条
(the record is published; bids that could not be decrypted are recorded with whose fault it was).
A pure builder over the record's frozen data; `notices.rendering` registers it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notices.domain.documents.formatting import (
    _table,
    chinese_date,
    chinese_datetime,
    text,
    yuan,
)
from notices.domain.documents.kinds import N_
from notices.domain.documents.words import vocabulary

OPENING_RECORD = "opening_record"
OPENING_RECORD_NAME = N_("开标记录表")

OUTCOME_WORDS = {
    "opened": N_("已解密"),
    "platform_fault": N_("平台原因无法解密（视为撤回）"),
    "bidder_fault": N_("投标人原因无法解密（视为撤销）"),
    "": N_("未解密"),
}


def build_opening_record(doc: Mapping[str, Any]) -> dict[str, Any]:
    """开标记录表: the bids as read out, their ciphertext hashes, check-ins and objections."""
    data: Mapping[str, Any] = doc.get("data") or {}
    bids = list(data.get("bids") or [])
    opened = [bid for bid in bids if bid.get("outcome") == "opened"]
    tables = [
        _table(
            N_("唱标结果"),
            [
                N_("投标人编号"),
                N_("投标人"),
                N_("投标报价"),
                N_("工期"),
                N_("质量"),
                N_("解密结果"),
            ],
            [
                [
                    text(bid.get("bidder_number")),
                    text(bid.get("name")),
                    yuan(bid.get("price")) if bid.get("price") else "—",
                    text(bid.get("duration")),
                    text(bid.get("quality")),
                    OUTCOME_WORDS.get(str(bid.get("outcome") or ""), N_("未解密")),
                ]
                for bid in bids
            ],
        ),
        _table(
            N_("投标文件密文摘要（SHA-256）"),
            [N_("投标人编号"), N_("文件"), N_("SHA-256")],
            [
                [text(bid.get("bidder_number")), str(index), str(sha256)]
                for bid in bids
                for index, sha256 in enumerate(bid.get("files") or [])
            ],
            nowrap=(2,),
        ),
        _table(
            N_("签到与确认"),
            [N_("投标人编号"), N_("签到时间"), N_("确认开标记录")],
            [
                [
                    text(row.get("bidder_number")),
                    chinese_datetime(row.get("checked_in_at")),
                    chinese_datetime(row.get("confirmed_at")) if row.get("confirmed_at") else "—",
                ]
                for row in data.get("attendance") or []
            ],
        ),
        _table(
            N_("开标现场异议及答复"),
            [N_("投标人编号"), N_("异议内容"), N_("答复")],
            [
                [text(row.get("bidder_number")), text(row.get("text")), text(row.get("answer"))]
                for row in data.get("objections") or []
            ],
        ),
    ]
    return {
        "kind": OPENING_RECORD,
        "document_name": OPENING_RECORD_NAME,
        "title": text(doc.get("title")),
        "number": text(doc.get("number")),
        "issuer": text(doc.get("issuer")),
        "dated": chinese_date(doc.get("dated")),
        "verification_code": text(doc.get("verification_code")),
        "verify_url": str(doc.get("verify_url") or ""),
        "training": bool(data.get("training")),
        "words": vocabulary(str(data.get("business_type", "")), ""),
        "addressee": None,
        "opening": [
            f"{text(data.get('tender_name'))}（{text(data.get('lot_code'))}）于"
            f"{chinese_datetime(data.get('started_at'))}在天平 · 公共资源交易平台远程开标，"
            f"递交投标文件 {len(bids)} 份，解密成功 {len(opened)} 份。"
        ],
        "paragraphs": [],
        "rows": [
            (N_("项目名称"), text(data.get("tender_name"))),
            (N_("标段（包）"), f"{text(data.get('lot_code'))} {text(data.get('lot_name'))}"),
            (N_("招标人"), text(data.get("owner"))),
            (N_("投标截止时间"), chinese_datetime(data.get("deadline"))),
            (N_("开标时间"), chinese_datetime(data.get("started_at"))),
            (N_("解密时间"), chinese_datetime(data.get("window_opened_at"))),
            (N_("唱标时间"), chinese_datetime(data.get("read_out_at"))),
            (N_("开标结束时间"), chinese_datetime(data.get("closed_at"))),
            (N_("递交投标文件数"), str(len(bids))),
        ],
        "tables": tables,
        "closing": [
            N_(
                "投标人可核对上表所列密文摘要与本单位投标回执所载摘要一致；"
                "无法解密的投标文件按电子招标投标办法第三十一条记录归责。"
            )
        ],
        "notes": [],
    }


OPENING_RECORD_BUILDERS = {OPENING_RECORD: build_opening_record}
