"""The audit log in words: every action and every field of a ledger entry as a reader says them.

The ledger stores codes (`lot.close_bidding`) and ISO times in UTC (`…+00:00`) so its hash chain
never depends on a language or a zone; pages show labels and Asia/Shanghai wall time instead.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trading.domain.amounts import format_amount
from trading.domain.timeline import format_moment
from trading.models.tenders import (
    DepositForm,
    DocumentKind,
    LotStatusChoices,
    PriceForm,
    TenderStatusChoices,
)

# Ledger actions written outside trading's tender and lot services (notices, desks, the calendar,
# registration); the lot page's own table is `trading.views.lots.LEDGER_ACTIONS`.
MORE_LEDGER_ACTIONS: dict[str, Any] = {
    "complaint.filed": gettext_lazy("提出投诉"),
    "complaint.accepted": gettext_lazy("受理投诉"),
    "complaint.refused": gettext_lazy("投诉不予受理"),
    "complaint.statements_requested": gettext_lazy("要求当事人提交书面说明"),
    "complaint.statement_submitted": gettext_lazy("提交书面说明"),
    "complaint.extended": gettext_lazy("延长投诉处理期限"),
    "complaint.decided": gettext_lazy("作出投诉处理决定"),
    "complaint.withdrawn": gettext_lazy("撤回投诉"),
    "complaint.document_stored": gettext_lazy("出具投诉文书"),
    "opening_record.published": gettext_lazy("公布开标记录表"),
    "notice.approved": gettext_lazy("审核通过公告"),
    "notice.published": gettext_lazy("公告发布"),
    "notice.correction_drafted": gettext_lazy("起草更正公告"),
    "notice.render_retried": gettext_lazy("重新生成公告"),
    "document.downloaded": gettext_lazy("下载文件"),
    "calendar.year_entered": gettext_lazy("录入年度节假日安排"),
    "grant.assigned": gettext_lazy("授予办理权限"),
    "grant.revoked": gettext_lazy("撤销办理权限"),
    "organisation.registered": gettext_lazy("主体注册"),
    "organisation.verified": gettext_lazy("主体核验通过"),
    "lot.training_closed": gettext_lazy("培训演示标段自动结束"),
    "organisation.returned": gettext_lazy("主体注册退回补正"),
    "organisation.refused": gettext_lazy("主体注册不予核验"),
    "organisation.resubmitted": gettext_lazy("主体补正后重新提交"),
    # The bidder's profile, users and certificate vault (bidding).
    "organisation.profile_updated": gettext_lazy("修改主体信息"),
    "organisation.user_invited": gettext_lazy("邀请本主体用户"),
    "organisation.user_joined": gettext_lazy("受邀用户设置密码"),
    "organisation.user_removed": gettext_lazy("移除本主体用户"),
    "certificate.added": gettext_lazy("证书入库"),
    "certificate.replaced": gettext_lazy("证书替换为新版本"),
    "certificate.retired": gettext_lazy("证书停用"),
    "enrolment.created": gettext_lazy("报名"),
    "enrolment.withdrawn": gettext_lazy("撤回报名"),
    "sealed_bid.committed": gettext_lazy("递交投标文件"),
    "auction.bid": gettext_lazy("网上竞价报价"),
    "auction.declared": gettext_lazy("竞买人要求报价"),
    "auction.started": gettext_lazy("网上竞价开始"),
    "auction.timed_started": gettext_lazy("挂牌期满，限时竞价开始"),
    "auction.closed": gettext_lazy("网上竞价结束"),
    "auction.stopped": gettext_lazy("网上竞价停止（标段已另行处理）"),
    "auction.suspended": gettext_lazy("网上竞价中止"),
    "auction.resumed": gettext_lazy("网上竞价恢复"),
    "auction.reserve_proposed": gettext_lazy("提出底价（密封）"),
    "auction.reserve_confirmed": gettext_lazy("确认底价（密封）"),
    "auction.reserve_revealed": gettext_lazy("竞价结束，底价揭晓"),
    "auction.bidder_revealed": gettext_lazy("监督人员查看竞买人身份"),
    "sealed_bid.withdrawn": gettext_lazy("撤回投标文件"),
    "rule.added": gettext_lazy("新增规则条目"),
    "rule.changed": gettext_lazy("修改规则条目"),
    "rule.deleted": gettext_lazy("删除规则条目"),
    "calendar_day.added": gettext_lazy("新增节假日安排"),
    "calendar_day.changed": gettext_lazy("修改节假日安排"),
    "calendar_day.deleted": gettext_lazy("删除节假日安排"),
    "lot.negotiation_recorded": gettext_lazy("登记谈判（协商）记录"),
    "lot.applications_closed": gettext_lazy("资格预审申请截止"),
    "lot.publish": gettext_lazy("标段公告"),
    # A regulator's interventions (trading.services.interventions).
    "intervention.hold_placed": gettext_lazy("行政监督部门暂停"),
    "intervention.hold_lifted": gettext_lazy("行政监督部门解除暂停"),
    "intervention.termination_ordered": gettext_lazy("行政监督部门责令终止"),
    "intervention.reevaluation_ordered": gettext_lazy("行政监督部门责令重新评审"),
    # Deposits (bidding.services.deposits), in the lot's sealed chain.
    "deposit.credited": gettext_lazy("保证金到账"),
    "deposit.refunded": gettext_lazy("退还保证金"),
    "deposit.forfeited": gettext_lazy("没收保证金"),
    "lot_key.created": gettext_lazy("生成标段密封密钥"),
    "lot_key.released": gettext_lazy("开标启用标段密封密钥"),
    "deposit.earnest": gettext_lazy("保证金转为定金"),
    # The opening of sealed bids (bidding.services.opening, opening_unlock).
    "opening.started": gettext_lazy("开标开始"),
    "opening.checked_in": gettext_lazy("投标人签到"),
    "opening.window_opened": gettext_lazy("开始解密"),
    "opening.window_closed": gettext_lazy("解密结束"),
    "bid.unlocked": gettext_lazy("投标文件解密"),
    "opening.read_out": gettext_lazy("唱标"),
    "opening.confirmed": gettext_lazy("投标人确认开标记录"),
    "opening.objection_raised": gettext_lazy("开标现场提出异议"),
    "opening.objection_answered": gettext_lazy("开标现场答复异议"),
    "opening.closed": gettext_lazy("开标结束"),
}

# What each part of an action's code names, for a code no table knows yet.
_SUBJECTS: dict[str, Any] = {
    "tender": gettext_lazy("招标项目"),
    "lot": gettext_lazy("标段"),
    "award": gettext_lazy("中标"),
    "notice": gettext_lazy("公告"),
    "objection": gettext_lazy("异议"),
    "hold": gettext_lazy("暂停事由"),
    "contract": gettext_lazy("合同"),
    "report": gettext_lazy("书面报告"),
    "document": gettext_lazy("文件"),
    "organisation": gettext_lazy("主体"),
    "certificate": gettext_lazy("证书"),
}

FIELD_LABELS: dict[str, Any] = {
    "affects_bids": gettext_lazy("影响投标文件编制"),
    "amount": gettext_lazy("金额"),
    "announced_at": gettext_lazy("公布时间"),
    "answer_due": gettext_lazy("答复期限"),
    "approval_reference": gettext_lazy("批准文号"),
    "article": gettext_lazy("依据条款"),
    "award": gettext_lazy("中标记录"),
    "award_price": gettext_lazy("中标价"),
    "bids": gettext_lazy("有效投标数"),
    "candidate": gettext_lazy("中标候选人"),
    "closes_at": gettext_lazy("截止时间"),
    "code": gettext_lazy("编号"),
    "contract": gettext_lazy("合同"),
    "corrects": gettext_lazy("更正的公告"),
    "deviates": gettext_lazy("偏离"),
    "deviation_reason": gettext_lazy("偏离理由"),
    "document": gettext_lazy("文件"),
    "due_at": gettext_lazy("期限"),
    "event": gettext_lazy("事件"),
    "fields": gettext_lazy("修改的内容"),
    "from": gettext_lazy("原状态"),
    "to": gettext_lazy("新状态"),
    "grant": gettext_lazy("权限"),
    "hash_alg": gettext_lazy("摘要算法"),
    "hold": gettext_lazy("暂停事由"),
    "holidays": gettext_lazy("节假日"),
    "issued_at": gettext_lazy("发出时间"),
    "kind": gettext_lazy("类型"),
    "key_id": gettext_lazy("密钥指纹（SHA-256）"),
    "lot": gettext_lazy("标段"),
    "method": gettext_lazy("方式"),
    "min_bids": gettext_lazy("最少有效投标数"),
    "name": gettext_lazy("名称"),
    "note": gettext_lazy("说明"),
    "notice_kind": gettext_lazy("公告类型"),
    "objection": gettext_lazy("异议"),
    "on_time": gettext_lazy("按期"),
    "ordered_by": gettext_lazy("决定机关"),
    "by": gettext_lazy("办理方"),
    "organisation": gettext_lazy("主体"),
    "predecessor": gettext_lazy("原标段"),
    "previous_closes_at": gettext_lazy("原截止时间"),
    "previous_price": gettext_lazy("原价格"),
    "price": gettext_lazy("价格"),
    "procedure": gettext_lazy("交易方式"),
    "publicity_ends_at": gettext_lazy("公示期结束"),
    "publicity_starts_at": gettext_lazy("公示期开始"),
    "publish_at": gettext_lazy("发布时间"),
    "qualified": gettext_lazy("合格"),
    "question": gettext_lazy("问题"),
    "questions": gettext_lazy("问题"),
    "rank": gettext_lazy("排名"),
    "reason": gettext_lazy("理由"),
    "bank_reference": gettext_lazy("银行回单号"),
    "bidder_number": gettext_lazy("投标人编号"),
    "payee_account": gettext_lazy("收款账号"),
    "payer_account": gettext_lazy("付款账号"),
    "shared_payer": gettext_lazy("与其他投标人同一付款账户"),
    "transfer_id": gettext_lazy("银行流水号"),
    "valid": gettext_lazy("有效"),
    "reference": gettext_lazy("文号"),
    "replaced": gettext_lazy("被替换"),
    "report": gettext_lazy("书面报告"),
    "rules_as_of": gettext_lazy("适用规则日期"),
    "seq": gettext_lazy("序号"),
    "sha256": gettext_lazy("SHA-256 摘要"),
    "signed_on": gettext_lazy("签订日期"),
    "stage": gettext_lazy("阶段"),
    "still_held": gettext_lazy("其他尚未解除的暂停"),
    "successor": gettext_lazy("重新招标的标段"),
    "superseded_candidates": gettext_lazy("作废的候选人"),
    "superseded_publicity": gettext_lazy("作废的公示"),
    "template_version": gettext_lazy("模板版本"),
    "upheld": gettext_lazy("成立"),
    "uscc": gettext_lazy("统一社会信用代码"),
    "user": gettext_lazy("用户"),
    "username": gettext_lazy("用户名"),
    "valuation": gettext_lazy("评估价"),
    "verification_code": gettext_lazy("验证码"),
    "version": gettext_lazy("版本"),
    # A sealed bid's commit (bidding.services.sealed_bids), in the lot's sealed chain.
    "ip": gettext_lazy("IP 地址"),
    "user_agent": gettext_lazy("浏览器标识"),
    "superseded": gettext_lazy("被替换的版本"),
    "files": gettext_lazy("密文文件"),
    "certificates": gettext_lazy("使用的证书"),
    "signature": gettext_lazy("回执签名"),
    "content_commitment": gettext_lazy("内容承诺"),
    "workdays": gettext_lazy("工作日"),
    "year": gettext_lazy("年度"),
    "amendment": gettext_lazy("变更"),
    "applications_close_at": gettext_lazy("资格预审申请截止时间"),
    "at": gettext_lazy("时间"),
    "bid_deadline": gettext_lazy("投标截止时间"),
    "candidates": gettext_lazy("中标候选人"),
    "clarification": gettext_lazy("澄清"),
    "clarification_deadline": gettext_lazy("澄清截止时间"),
    "days": gettext_lazy("天数"),
    "deposit_amount": gettext_lazy("保证金"),
    "deposit_form": gettext_lazy("保证金形式"),
    "documents": gettext_lazy("文件"),
    "documents_issued_at": gettext_lazy("文件发出时间"),
    "documents_sale_ends_at": gettext_lazy("文件发售截止时间"),
    "duration_days": gettext_lazy("期限（日）"),
    "estimate": gettext_lazy("预算（估算）金额"),
    "increment": gettext_lazy("加价幅度"),
    "lots": gettext_lazy("标段"),
    "moved": gettext_lazy("顺延"),
    "new_closes_at": gettext_lazy("新截止时间"),
    "opens_at": gettext_lazy("开始时间"),
    "price_form": gettext_lazy("报价形式"),
    "project": gettext_lazy("项目"),
    "rule": gettext_lazy("规则"),
    "tender": gettext_lazy("招标项目"),
    "training": gettext_lazy("培训演示"),
    "winner": gettext_lazy("中标人"),
    "count": gettext_lazy("数量"),
    # The bidder's profile, users and certificate vault (bidding).
    "changed": gettext_lazy("修改的项目"),
    "basic_account_number": gettext_lazy("基本存款账户账号"),
    "organisation_admin": gettext_lazy("主体管理员"),
    "number": gettext_lazy("证书编号"),
    "expires_on": gettext_lazy("有效期至"),
    "previous": gettext_lazy("上一版本"),
    # The opening of sealed bids.
    "minutes": gettext_lazy("时长（分钟）"),
    "outcome": gettext_lazy("开标结果"),
    "evidence": gettext_lazy("归责依据"),
    "text": gettext_lazy("内容"),
    "answer": gettext_lazy("答复"),
}

_MONEY = frozenset(
    {
        "amount",
        "award_price",
        "deposit_amount",
        "estimate",
        "increment",
        "previous_price",
        "price",
        "valuation",
    }
)
_FIRST = {"from": 0, "to": 1}
# The action column already names the transition the entry records.
_SAID_BY_THE_ACTION = frozenset({"event"})
_STATUS_FIELDS = frozenset({"from", "to"})
# The notices app's kinds (its labels' msgids): trading may not import notices.
_NOTICE_KINDS: dict[str, Any] = {
    "announcement": gettext_lazy("招标（出让、转让）公告"),
    "amendment": gettext_lazy("变更公告"),
    "clarification": gettext_lazy("澄清公告"),
    "candidates": gettext_lazy("中标候选人公示"),
    "result": gettext_lazy("中标（成交）结果公告"),
    "deal": gettext_lazy("成交公告"),
    "failure": gettext_lazy("流标（流拍）公告"),
    "termination": gettext_lazy("终止公告"),
    "award_letter": gettext_lazy("中标通知书"),
    "deal_confirmation": gettext_lazy("成交确认书"),
}
_KINDS = {**dict(DocumentKind.choices), **_NOTICE_KINDS}
_STATUSES = {**dict(TenderStatusChoices.choices), **dict(LotStatusChoices.choices)}
_CHOICES: dict[str, dict[str, Any]] = {
    "price_form": dict(PriceForm.choices),
    "deposit_form": dict(DepositForm.choices),
    "by": {"training_scenario": gettext_lazy("培训场景")},
}
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_WORD = re.compile(r"[._]+")


def generic_action_label(action: str) -> str:
    """A code no table names yet, in words: its subject, then the rest of it read aloud."""
    subject, _dot, rest = action.partition(".")
    words = _WORD.sub(" ", rest).strip()
    if subject in _SUBJECTS:
        return _("%(subject)s：%(words)s") % {"subject": _SUBJECTS[subject], "words": words or "—"}
    return _("其他操作：%(words)s") % {"words": _WORD.sub(" ", action).strip()}


def field_label(key: str) -> str:
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else _WORD.sub(" ", key).strip()


def _moment(value: str) -> str | None:
    if not _MOMENT.match(value):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return format_moment(moment) if moment.tzinfo is not None else None


def _money(value: Any) -> str:
    figure = format_amount(value)
    if not figure:
        return str(value)
    return _("%(amount)s 元") % {"amount": figure}


def field_value(key: str, value: Any) -> str:
    """A payload value as a reader says it: Shanghai time, labels for codes, 是/否, amounts."""
    if value is None or value == "" or value == [] or value == {}:
        return _("无")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(field_value(key, item) for item in value)
    if isinstance(value, dict):
        return "；".join(f"{field_label(k)}：{field_value(k, v)}" for k, v in value.items())
    if key in _MONEY:
        return _money(value)
    text = str(value)
    if key in _STATUS_FIELDS and text in _STATUSES:
        return str(_STATUSES[text])
    if key in ("kind", "notice_kind") and text in _KINDS:
        return str(_KINDS[text])
    if key == "fields":
        return field_label(text)
    if key in _CHOICES and text in _CHOICES[key]:
        return str(_CHOICES[key][text])
    return _moment(text) or text


def ledger_fields(
    payload: dict[str, Any],
    *,
    known: dict[str, dict[str, str]] | None = None,
    labels: dict[str, str] | None = None,
) -> list[tuple[str, str]]:
    """The entry's fields as (label, value) pairs, a status change first (from, then to).

    `known` names values only the page knows (the tender's procedure code → its name); `labels`
    names fields in the procedure's own words (受让方, not 中标人, for a property)."""
    known = known or {}
    labels = labels or {}
    # PostgreSQL's jsonb keeps keys in its own order, not the order they were written in.
    keys = sorted(payload or {}, key=lambda key: _FIRST.get(key, len(_FIRST)))
    return [
        (
            labels.get(key) or field_label(key),
            known[key][str(payload[key])]
            if key in known and str(payload[key]) in known[key]
            else field_value(key, payload[key]),
        )
        for key in keys
        if key not in _SAID_BY_THE_ACTION
    ]
