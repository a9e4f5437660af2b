"""The regulator's complaint documents: 受理通知书, 不予受理通知书, 处理决定书.

Pure builders over a complaint's frozen data (实施条例 第61条; 财政部令第94号 第21、29、30条);
`notices.rendering` registers them, so they print through the same renderer as the notices.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notices.domain.documents.formatting import _paragraphs, chinese_date, chinese_datetime, text
from notices.domain.documents.kinds import N_
from notices.domain.documents.words import vocabulary

COMPLAINT_ACCEPTED = "complaint_accepted"
COMPLAINT_REFUSED = "complaint_refused"
COMPLAINT_DECISION = "complaint_decision"

COMPLAINT_DOCUMENT_NAMES = {
    COMPLAINT_ACCEPTED: N_("投诉受理通知书"),
    COMPLAINT_REFUSED: N_("投诉不予受理通知书"),
    COMPLAINT_DECISION: N_("投诉处理决定书"),
}

# What an upheld complaint orders, as the decision prints it (实施条例 第71条; 第94号令 第31、32条).
ORDER_WORDS = {
    "reevaluate": N_("责令重新评标（评审）"),
    "retender": N_("责令重新招标（采购）"),
    "correct_documents": N_("责令修改招标（采购）文件后继续开展活动"),
}


def _base(doc: Mapping[str, Any], kind: str) -> dict[str, Any]:
    data: Mapping[str, Any] = doc.get("data") or {}
    return {
        "kind": kind,
        "document_name": COMPLAINT_DOCUMENT_NAMES[kind],
        "title": text(doc.get("title")),
        "number": text(doc.get("number")),
        "issuer": text(doc.get("issuer")),
        "dated": chinese_date(doc.get("dated")),
        "verification_code": text(doc.get("verification_code")),
        "verify_url": str(doc.get("verify_url") or ""),
        "training": bool(data.get("training")),
        "words": vocabulary(str(data.get("business_type", "")), ""),
        "addressee": text(data.get("complainant")) or None,
        "opening": [],
        "paragraphs": _paragraphs(doc.get("body")),
        "rows": [
            (N_("投诉人"), text(data.get("complainant"))),
            (N_("项目名称"), text(data.get("tender_name"))),
            (N_("标段（包）"), f"{text(data.get('lot_code'))} {text(data.get('lot_name'))}"),
            (N_("投诉时间"), chinese_datetime(data.get("filed_at"))),
            (N_("投诉事项"), text(data.get("grounds"))),
        ],
        "tables": [],
        "closing": [],
        "notes": [],
    }


def build_complaint_accepted(doc: Mapping[str, Any]) -> dict[str, Any]:
    """受理通知书: accepted, and by when the decision is due (实施条例 第61条)."""
    ctx = _base(doc, COMPLAINT_ACCEPTED)
    data: Mapping[str, Any] = doc.get("data") or {}
    ctx["opening"] = [
        f"你单位关于{text(data.get('tender_name'))}的投诉，经审查符合受理条件，本机关决定受理。"
    ]
    ctx["rows"].append((N_("处理期限"), chinese_datetime(data.get("decision_due"))))
    ctx["closing"] = [N_("本机关将依法调查处理，必要时要求当事人提交书面说明。")]
    return ctx


def build_complaint_refused(doc: Mapping[str, Any]) -> dict[str, Any]:
    """不予受理通知书: refused, with the reasons (财政部令第94号 第21条)."""
    ctx = _base(doc, COMPLAINT_REFUSED)
    data: Mapping[str, Any] = doc.get("data") or {}
    ctx["opening"] = [
        f"你单位关于{text(data.get('tender_name'))}的投诉，经审查，本机关决定不予受理。"
    ]
    ctx["rows"].append((N_("不予受理理由"), text(data.get("reasons"))))
    ctx["closing"] = [N_("对本决定不服的，可以依法申请行政复议或者提起行政诉讼。")]
    return ctx


def build_complaint_decision(doc: Mapping[str, Any]) -> dict[str, Any]:
    """处理决定书: dismissed, or upheld with its order (实施条例 第61条; 第94号令 第29-32条)."""
    ctx = _base(doc, COMPLAINT_DECISION)
    data: Mapping[str, Any] = doc.get("data") or {}
    upheld = bool(data.get("upheld"))
    ctx["rows"] += [
        (N_("处理结果"), N_("投诉成立") if upheld else N_("驳回投诉")),
        *([(N_("处理决定"), ORDER_WORDS.get(str(data.get("order")), ""))] if upheld else []),
        (N_("理由"), text(data.get("reasons"))),
    ]
    ctx["closing"] = [N_("对本决定不服的，可以依法申请行政复议或者提起行政诉讼。")]
    return ctx


COMPLAINT_BUILDERS = {
    COMPLAINT_ACCEPTED: build_complaint_accepted,
    COMPLAINT_REFUSED: build_complaint_refused,
    COMPLAINT_DECISION: build_complaint_decision,
}


def complaint_document_published(kind: str, business_type: str) -> bool:
    """A procurement complaint's decision is published (政府采购法实施条例 第58条: 财政部门对投诉
    事项作出的处理决定，应当在省级以上人民政府财政部门指定的媒体上公告). Every other document is
    delivered to the parties only: 招标投标法实施条例 第61条 asks for a written decision, and
    工程建设项目招标投标活动投诉处理办法 第25条 for the parties to be notified in writing."""
    return kind == COMPLAINT_DECISION and business_type == "procurement"
