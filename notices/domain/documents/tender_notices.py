"""The notices about a tender: its announcement, amendments, clarifications, failure, end."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notices.domain.documents.formatting import (
    _table,
    chinese_datetime,
    optional_row,
    text,
)
from notices.domain.documents.kinds import (
    AMENDMENT,
    ANNOUNCEMENT,
    CLARIFICATION,
    FAILURE,
    N_,
    TERMINATION,
)
from notices.domain.documents.parts import (
    _auction_rows,
    _base,
    _lot_rows,
    _lots_table,
    _project_rows,
)
from notices.domain.documents.words import Vocabulary


def build_announcement(doc: Mapping[str, Any]) -> dict[str, Any]:
    """招标（出让、转让）公告: the project, each lot's amounts and deadlines, how to take part."""
    ctx = _base(doc, ANNOUNCEMENT)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    ctx["document_name"] = words.announcement
    ctx["opening"] = [
        f"{text(data.get('tender_name'))}已具备交易条件，现依法公开{words.announcement}，"
        f"欢迎符合条件的{words.bidder}参加。"
    ]
    ctx["rows"] = [
        *_project_rows(data, words),
        (N_("报价方式"), text(data.get("price_form"))),
        (N_("保证金形式"), text(data.get("deposit_form"))),
        *optional_row(
            N_("文件发出时间"),
            data.get("documents_issued_at"),
            chinese_datetime(data.get("documents_issued_at")),
        ),
        *(
            [(N_("文件发售截止时间"), chinese_datetime(data.get("documents_sale_ends_at")))]
            if data.get("documents_sale_ends_at")
            else []
        ),
        *optional_row(
            N_("澄清截止时间"),
            data.get("clarification_deadline"),
            chinese_datetime(data.get("clarification_deadline")),
        ),
    ]
    ctx["tables"] = [_lots_table(data.get("lots") or [], words)]
    ctx["closing"] = [
        f"{words.bidder}应当在{words.deadline}前通过本平台在线报名、缴纳保证金并递交文件；"
        "逾期送达的，本平台不予受理。"
    ]
    return ctx


def build_amendment(doc: Mapping[str, Any]) -> dict[str, Any]:
    """变更公告: what changed and the deadlines now in force (实施条例 第21条)."""
    ctx = _base(doc, AMENDMENT)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    document: Mapping[str, Any] = data.get("document") or {}
    ctx["opening"] = [f"{text(data.get('tender_name'))}的招标（出让）文件有如下变更，现予公告。"]
    ctx["rows"] = _project_rows(data, words)
    if document:
        ctx["rows"] += [
            (
                N_("变更文件"),
                f"{text(document.get('title'))}（第 {text(document.get('version'))} 版）",
            ),
            (N_("变更说明"), text(document.get("note"))),
            (N_("发出时间"), chinese_datetime(document.get("uploaded_at"))),
        ]
    ctx["tables"] = [_lots_table(data.get("lots") or [], words)]
    ctx["notes"] = [
        N_(
            "澄清或者修改的内容可能影响投标文件编制的，在投标截止时间至少15日前发出；不足15日的，"
            "顺延提交投标文件的截止时间（工程：实施条例 第21条；政府采购：财政部令第87号 第27条，"
            "磋商5日，谈判、询价3个工作日）。上表为变更后的时间。"
        )
    ]
    return ctx


def build_clarification(doc: Mapping[str, Any]) -> dict[str, Any]:
    """澄清公告: the answers to bidders' questions, without saying who asked (法 第22条)."""
    ctx = _base(doc, CLARIFICATION)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    document: Mapping[str, Any] = data.get("document") or {}
    ctx["opening"] = [f"现对{text(data.get('tender_name'))}的招标（出让）文件澄清如下。"]
    ctx["rows"] = _project_rows(data, words)
    if document:
        ctx["rows"] += [
            (
                N_("澄清文件"),
                f"{text(document.get('title'))}（第 {text(document.get('version'))} 版）",
            ),
            (N_("发出时间"), chinese_datetime(document.get("uploaded_at"))),
        ]
    questions = data.get("questions") or []
    if questions:
        ctx["tables"] = [
            _table(
                N_("问题与答复"),
                [N_("序号"), N_("问题"), N_("答复")],
                [
                    [str(n), text(q.get("question")), text(q.get("answer"))]
                    for n, q in enumerate(questions, start=1)
                ],
            )
        ]
    ctx["notes"] = [N_("本澄清为招标（出让）文件的组成部分，与其具有同等效力。")]
    return ctx


def build_failure(doc: Mapping[str, Any]) -> dict[str, Any]:
    """流标（流拍）公告: too few valid bids, or no bid at the reserve (实施条例 第44条)."""
    ctx = _base(doc, FAILURE)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    lot: Mapping[str, Any] = data.get("lot") or {}
    ctx["opening"] = [
        f"{text(data.get('tender_name'))}{text(lot.get('name'))}流标（流拍），现予公告。"
    ]
    ctx["rows"] = [
        *_project_rows(data, words),
        *_lot_rows(lot, words),
        *optional_row(N_("有效投标（竞买）数"), data.get("bid_count")),
        (N_("最少有效投标数"), text(data.get("min_bids"))),
        *_auction_rows(data),
    ]
    if data.get("reason"):
        # 法 第42条 否决所有投标, 第55条 the winner declined: the reason a person recorded.
        ctx["rows"].append((N_("流标原因"), text(data.get("reason"))))
    ctx["closing"] = [
        N_(
            "投标人少于3个的，不得开标，招标人应当依法重新招标（实施条例 第44条）；"
            "挂牌、拍卖未成交的，由出让人另行安排。"
        )
    ]
    return ctx


def build_termination(doc: Mapping[str, Any]) -> dict[str, Any]:
    """终止公告: the lot, the reason, what happens to deposits."""
    ctx = _base(doc, TERMINATION)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    lot: Mapping[str, Any] = data.get("lot") or {}
    ctx["opening"] = [f"{text(data.get('tender_name'))}{text(lot.get('name'))}终止交易，现予公告。"]
    ctx["rows"] = [
        *_project_rows(data, words),
        *_lot_rows(lot, words),
        (N_("终止理由"), text(data.get("reason"))),
        (N_("终止时间"), chinese_datetime(lot.get("status_changed_at"))),
    ]
    ctx["closing"] = [
        N_("已缴纳的保证金依法退还。已购买文件的，可以依法申请退还费用（实施条例 第31条）。")
    ]
    return ctx
