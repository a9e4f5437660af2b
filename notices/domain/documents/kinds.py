"""The document kinds, their names and the codes in their numbers."""

from __future__ import annotations


def N_(message: str) -> str:
    return message


# The kinds, spelled as notices.models.NoticeKind's values (the domain imports no model).
ANNOUNCEMENT = "announcement"
AMENDMENT = "amendment"
CLARIFICATION = "clarification"
CANDIDATES = "candidates"
RESULT = "result"
DEAL = "deal"
FAILURE = "failure"
TERMINATION = "termination"
AWARD_LETTER = "award_letter"
DEAL_CONFIRMATION = "deal_confirmation"

KINDS = (
    ANNOUNCEMENT,
    AMENDMENT,
    CLARIFICATION,
    CANDIDATES,
    RESULT,
    DEAL,
    FAILURE,
    TERMINATION,
    AWARD_LETTER,
    DEAL_CONFIRMATION,
)

# Short codes in document numbers, from the pinyin initials of each document's name.
NUMBER_CODES = {
    ANNOUNCEMENT: "GG",  # 公告
    AMENDMENT: "BG",  # 变更
    CLARIFICATION: "CQ",  # 澄清
    CANDIDATES: "GS",  # 公示
    RESULT: "JG",  # 结果
    DEAL: "CJ",  # 成交
    FAILURE: "LB",  # 流标
    TERMINATION: "ZZ",  # 终止
    AWARD_LETTER: "TZS",  # 通知书
    DEAL_CONFIRMATION: "QRS",  # 确认书
}

DOCUMENT_NAMES = {
    ANNOUNCEMENT: N_("招标（出让、转让）公告"),
    AMENDMENT: N_("变更公告"),
    CLARIFICATION: N_("澄清公告"),
    CANDIDATES: N_("中标候选人公示"),
    RESULT: N_("中标（成交）结果公告"),
    DEAL: N_("成交公告"),
    FAILURE: N_("流标（流拍）公告"),
    TERMINATION: N_("终止公告"),
    AWARD_LETTER: N_("中标通知书"),
    DEAL_CONFIRMATION: N_("成交确认书"),
}
