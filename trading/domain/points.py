"""The named points of a lot's schedule that rules count between, and where a lot's fields put
them (DESIGN.md §7). Pure: no Django, no clock; `trading.domain.timeline` counts between them."""

from __future__ import annotations

import enum
from datetime import datetime


class Point(enum.StrEnum):
    """The named points of a schedule that rules count between."""

    ANNOUNCED = "announced"
    DOCUMENTS_ISSUED = "documents_issued"
    # The end of the sale period of the documents (实施条例 第16条); electronic platforms let the
    # documents be downloaded until the deadline, so tenders rarely carry it.
    DOCUMENTS_SALE_END = "documents_sale_end"
    CLARIFICATION_DEADLINE = "clarification_deadline"
    # Also the opening time (招标投标法 第34条).
    BID_DEADLINE = "bid_deadline"
    LISTING_START = "listing_start"
    LISTING_END = "listing_end"
    AMENDMENT = "amendment"
    OBJECTION_DOCUMENTS = "objection_documents"
    # An objection to the candidates during publicity (实施条例 第54条).
    OBJECTION_RESULT = "objection_result"
    # An objection at the opening (实施条例 第44条: answered on the spot).
    OBJECTION_OPENING = "objection_opening"
    OBJECTION_ANSWER = "objection_answer"
    EVALUATION_REPORT = "evaluation_report"
    PUBLICITY_START = "publicity_start"
    PUBLICITY_END = "publicity_end"
    # The owner's decision (定标): in procurement within 5 工作日 of the report (第43条).
    AWARD_DECISION = "award_decision"
    AWARD_LETTER = "award_letter"
    CONTRACT = "contract"
    REPORT = "report"
    # Facts that call for a notice (the notice's publication is its `notice:<kind>` point).
    APPROVED = "approved"
    CLARIFICATION = "clarification"
    AWARDED = "awarded"
    FAILED = "failed"
    TERMINATED = "terminated"
    # Objections and complaints: when the party knew (or should have known) of the harm
    # (实施条例 第60条, 政府采购法 第52条); a 质疑 of any stage; the end of the answer period
    # (政府采购法 第55条 counts the 投诉 from it); the complaint and the regulator's steps.
    KNOWN = "known"
    OBJECTION = "objection"
    OBJECTION_ANSWER_DUE = "objection_answer_due"
    COMPLAINT = "complaint"
    COMPLAINT_ACCEPTED = "complaint_accepted"
    COMPLAINT_DECIDED = "complaint_decided"
    # Deposit refunds (实施条例 第35、57条; 87号令 第38条): to every bidder, or to the losing
    # and the winning bidders separately where the law counts them from different facts.
    WITHDRAWAL = "withdrawal"
    DEPOSIT_REFUND = "deposit_refund"
    DEPOSIT_REFUND_LOSERS = "deposit_refund_losers"
    DEPOSIT_REFUND_WINNER = "deposit_refund_winner"
    NOTICE_ANNOUNCEMENT = "notice:announcement"
    NOTICE_AMENDMENT = "notice:amendment"
    NOTICE_CLARIFICATION = "notice:clarification"
    NOTICE_CANDIDATES = "notice:candidates"
    NOTICE_RESULT = "notice:result"
    NOTICE_DEAL = "notice:deal"
    NOTICE_FAILURE = "notice:failure"
    NOTICE_TERMINATION = "notice:termination"
    NOTICE_AWARD_LETTER = "notice:award_letter"
    NOTICE_DEAL_CONFIRMATION = "notice:deal_confirmation"
    # --- procedures as they really run (issue 8, `procedures`) ---
    # 资格预审申请文件的递交截止时间 (实施条例 第17条).
    APPLICATION_DEADLINE = "application_deadline"
    # A property disclosure restarted at a new price (32号令 第18条) and the end it had before an
    # extension: each new end is counted from one of them.
    DISCLOSURE_RESTART = "disclosure_restart"
    PREVIOUS_LISTING_END = "previous_listing_end"


def notice_point(kind: str) -> str:
    """The schedule point of a notice's publication: `notice:<kind>`."""
    return f"notice:{kind}"


POINT_LABELS: dict[str, str] = {
    Point.ANNOUNCED: "公告发布时间",
    Point.DOCUMENTS_ISSUED: "招标文件发出时间",
    Point.DOCUMENTS_SALE_END: "文件发售截止时间",
    Point.CLARIFICATION_DEADLINE: "澄清截止时间",
    Point.BID_DEADLINE: "投标截止时间",
    Point.LISTING_START: "投标（挂牌、竞价）开始时间",
    Point.LISTING_END: "挂牌截止时间",
    Point.AMENDMENT: "澄清或修改发出时间",
    Point.OBJECTION_DOCUMENTS: "对招标文件提出异议的时间",
    Point.OBJECTION_RESULT: "对评标结果提出异议的时间",
    Point.OBJECTION_OPENING: "对开标提出异议的时间",
    Point.OBJECTION_ANSWER: "异议答复时间",
    Point.EVALUATION_REPORT: "评标报告提交时间",
    Point.PUBLICITY_START: "公示开始时间",
    Point.PUBLICITY_END: "公示结束时间",
    Point.AWARD_DECISION: "确定中标（成交）人时间",
    Point.AWARD_LETTER: "中标（成交）通知书发出时间",
    Point.CONTRACT: "合同签订时间",
    Point.REPORT: "书面报告提交时间",
    Point.APPROVED: "审核发布时间",
    Point.CLARIFICATION: "澄清答复时间",
    Point.AWARDED: "确定中标（成交、竞得）人时间",
    Point.FAILED: "流标（流拍）时间",
    Point.TERMINATED: "终止时间",
    Point.KNOWN: "知道或者应当知道权益受损之日",
    Point.OBJECTION: "提出异议（质疑）时间",
    Point.OBJECTION_ANSWER_DUE: "异议（质疑）答复期满时间",
    Point.COMPLAINT: "投诉时间",
    Point.COMPLAINT_ACCEPTED: "投诉受理时间",
    Point.COMPLAINT_DECIDED: "投诉处理决定时间",
    Point.WITHDRAWAL: "撤回投标文件通知时间",
    Point.DEPOSIT_REFUND: "退还保证金时间",
    Point.DEPOSIT_REFUND_LOSERS: "退还未中标人保证金时间",
    Point.DEPOSIT_REFUND_WINNER: "退还中标人保证金时间",
    Point.NOTICE_ANNOUNCEMENT: "交易公告发布时间",
    Point.NOTICE_AMENDMENT: "变更公告发布时间",
    Point.NOTICE_CLARIFICATION: "澄清公告发布时间",
    Point.NOTICE_CANDIDATES: "中标候选人公示发布时间",
    Point.NOTICE_RESULT: "中标（成交）结果公告发布时间",
    Point.NOTICE_DEAL: "成交公告发布时间",
    Point.NOTICE_FAILURE: "流标（流拍）公告发布时间",
    Point.NOTICE_TERMINATION: "终止公告发布时间",
    Point.NOTICE_AWARD_LETTER: "中标（成交）通知书发布时间",
    Point.NOTICE_DEAL_CONFIRMATION: "成交确认书发布时间",
    Point.APPLICATION_DEADLINE: "资格预审申请截止时间",
    Point.DISCLOSURE_RESTART: "重新披露时间",
    Point.PREVIOUS_LISTING_END: "原披露期满时间",
}

AMOUNT_LABELS: dict[str, str] = {"estimate": "估算价（预算金额）", "deposit": "保证金"}


# The families whose `closes_at` ends a listing or a disclosure rather than a bid deadline.
LISTING_FAMILIES = frozenset({"listing_auction", "listing", "property_disclosure"})


def schedule_points(
    *,
    family: str,
    announced_at: datetime | None = None,
    documents_issued_at: datetime | None = None,
    documents_sale_ends_at: datetime | None = None,
    clarification_deadline: datetime | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    evaluation_reported_at: datetime | None = None,
    publicity_starts_at: datetime | None = None,
    publicity_ends_at: datetime | None = None,
    award_letter_at: datetime | None = None,
    contract_at: datetime | None = None,
    report_at: datetime | None = None,
    applications_close_at: datetime | None = None,
) -> dict[str, datetime]:
    """The points of a lot's schedule, named for the rules (the absent ones left out).

    A lot's `closes_at` is the bid deadline (and opening, 法 第34条) of a sealed-bid or negotiated
    procedure and the listing end of a listing or auction; `opens_at` is when bidding or the
    listing starts. Documents without a sale end are offered until the bid deadline.
    """
    listing = family in LISTING_FAMILIES
    deadline = None if listing else closes_at
    named: dict[str, datetime | None] = {
        Point.ANNOUNCED: announced_at,
        Point.DOCUMENTS_ISSUED: documents_issued_at,
        # A prequalification's documents are not offered until the bid deadline: the applications
        # close first (实施条例 第17条), so without a recorded sale end there is none.
        Point.DOCUMENTS_SALE_END: documents_sale_ends_at
        or (None if applications_close_at else deadline),
        Point.CLARIFICATION_DEADLINE: clarification_deadline,
        # 39号令 counts the announcement to the start of a land tender, auction or listing alike.
        Point.LISTING_START: opens_at,
        Point.LISTING_END: closes_at if listing else None,
        Point.BID_DEADLINE: deadline,
        Point.EVALUATION_REPORT: evaluation_reported_at,
        Point.PUBLICITY_START: publicity_starts_at,
        Point.PUBLICITY_END: publicity_ends_at,
        Point.AWARD_LETTER: award_letter_at,
        Point.CONTRACT: contract_at,
        Point.REPORT: report_at,
        Point.APPLICATION_DEADLINE: applications_close_at,
    }
    return {str(name): moment for name, moment in named.items() if moment is not None}
