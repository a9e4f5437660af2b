"""The names of the timeline's points and amounts, translated for the reader.

Pure `trading.domain.points` holds them as Chinese source strings; this list is where makemessages
finds them, and a unit test keeps it equal to the domain's.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

from trading.domain.points import AMOUNT_LABELS, POINT_LABELS

POINT_MESSAGES = (
    gettext_noop("公告发布时间"),
    gettext_noop("招标文件发出时间"),
    gettext_noop("文件发售截止时间"),
    gettext_noop("澄清截止时间"),
    gettext_noop("投标截止时间"),
    gettext_noop("投标（挂牌、竞价）开始时间"),
    gettext_noop("挂牌截止时间"),
    gettext_noop("澄清或修改发出时间"),
    gettext_noop("对招标文件提出异议的时间"),
    gettext_noop("对评标结果提出异议的时间"),
    gettext_noop("对开标提出异议的时间"),
    gettext_noop("异议答复时间"),
    gettext_noop("评标报告提交时间"),
    gettext_noop("公示开始时间"),
    gettext_noop("公示结束时间"),
    gettext_noop("确定中标（成交）人时间"),
    gettext_noop("中标（成交）通知书发出时间"),
    gettext_noop("合同签订时间"),
    gettext_noop("书面报告提交时间"),
    gettext_noop("审核发布时间"),
    gettext_noop("澄清答复时间"),
    gettext_noop("确定中标（成交、竞得）人时间"),
    gettext_noop("流标（流拍）时间"),
    gettext_noop("终止时间"),
    gettext_noop("知道或者应当知道权益受损之日"),
    gettext_noop("提出异议（质疑）时间"),
    gettext_noop("异议（质疑）答复期满时间"),
    gettext_noop("投诉时间"),
    gettext_noop("投诉受理时间"),
    gettext_noop("投诉处理决定时间"),
    gettext_noop("撤回投标文件通知时间"),
    gettext_noop("退还保证金时间"),
    gettext_noop("退还未中标人保证金时间"),
    gettext_noop("退还中标人保证金时间"),
    gettext_noop("交易公告发布时间"),
    gettext_noop("变更公告发布时间"),
    gettext_noop("澄清公告发布时间"),
    gettext_noop("中标候选人公示发布时间"),
    gettext_noop("中标（成交）结果公告发布时间"),
    gettext_noop("成交公告发布时间"),
    gettext_noop("流标（流拍）公告发布时间"),
    gettext_noop("终止公告发布时间"),
    gettext_noop("中标（成交）通知书发布时间"),
    gettext_noop("成交确认书发布时间"),
    gettext_noop("资格预审申请截止时间"),
    gettext_noop("重新披露时间"),
    gettext_noop("原披露期满时间"),
    gettext_noop("估算价（预算金额）"),
    gettext_noop("保证金"),
)


def point_label(key: str) -> str:
    """What `key` (a point or an amount of a rule row) is called, in the reader's language."""
    label = POINT_LABELS.get(key, AMOUNT_LABELS.get(key, ""))
    return gettext(label) if label else ""
