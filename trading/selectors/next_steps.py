"""What each reader has to do next: the to-do lists and the "next step" of every row.

Reads only. Texts are the reader's: the owner is told to act, staff to run, others to wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from trading.domain.lifecycle import TERMINAL, Family, LotStatus, TenderStatus
from trading.domain.timeline import SHANGHAI, Light, format_moment, light
from trading.domain.training import WAITING, Step
from trading.models import Lot, Objection, Question, Tender
from trading.selectors.access import Role
from trading.selectors.terms import article_cited, tender_terms
from trading.selectors.timeline import WARN_BEFORE, lot_timeline, tender_rulebook
from trading.selectors.training import training_lot_plan


@dataclass
class Todo:
    """One thing the reader must do next, with its due date and light."""

    text: str
    url: str
    due: datetime | None = None
    light: str = ""
    training: bool = False


def _light(due: datetime | None, now: datetime) -> str:
    if due is None:
        return ""
    return str(light(due=due, now=now, done_at=None, warn=WARN_BEFORE))


def _timeline_due(lot: Lot, key: str, now: datetime) -> tuple[datetime | None, str]:
    """The due date and light of one statutory date of the lot's timeline."""
    for item in lot_timeline(lot, now):
        if item.key == key:
            return item.due, str(item.light or "")
    return None, ""


def _rule_cited(lot: Lot, to_point: str, now: datetime) -> str:
    """The article of the lot's own rule row for `to_point` (法 第46、47条 bind engineering only);
    nothing where its business type has no row."""
    return article_cited(tender_rulebook(lot.tender, now=now).article(to_point))


def todo_list_for_owner(tenders: QuerySet[Tender], now: datetime) -> list[Todo]:
    """What the owner (or its agency) must do on `tenders`, each with its statutory due date."""
    todos: list[Todo] = []
    for tender in tenders.filter(status=TenderStatus.DRAFT):
        todos.append(
            Todo(
                _("完善“%(name)s”的标段和招标文件，提交交易中心审核") % {"name": tender.name},
                reverse("tender_detail", args=[tender.pk]),
                training=tender.project.training,
            )
        )
    questions = Question.objects.filter(tender__in=tenders, answered_in__isnull=True)
    for tender in tenders.filter(pk__in=questions.values("tender_id")):
        count = questions.filter(tender=tender).count()
        todos.append(
            Todo(
                _("答复“%(name)s”的 %(count)s 个问题（发布澄清）")
                % {"name": tender.name, "count": count},
                reverse("tender_detail", args=[tender.pk]) + "#questions",
                due=tender.clarification_deadline,
                light=_light(tender.clarification_deadline, now),
                training=tender.project.training,
            )
        )
    objections = (
        Objection.objects.filter(lot__tender__in=tenders, answered_at__isnull=True)
        .select_related("lot", "lot__tender__project")
        .order_by("answer_due")
    )
    for objection in objections:
        todos.append(
            Todo(
                _("答复对“%(lot)s”的异议") % {"lot": objection.lot.name},
                reverse("lot_detail", args=[objection.lot_id]) + f"#objection-{objection.pk}",
                due=objection.answer_due,
                light=_light(objection.answer_due, now),
                training=objection.lot.tender.project.training,
            )
        )
    lots = Lot.objects.filter(tender__in=tenders).select_related("tender__project")
    for lot in lots.filter(status=LotStatus.PUBLICITY, publicity_ends_at__lte=now):
        if lot.holds.filter(lifted_at__isnull=True).exists():
            continue
        todos.append(
            Todo(
                _("公示期已满：确定“%(lot)s”的中标人并发出中标通知书") % {"lot": lot.name},
                reverse("lot_detail", args=[lot.pk]) + "#award",
                training=lot.tender.project.training,
            )
        )
    # 政府采购法实施条例 第43条: no publicity; the purchaser decides within 5 工作日 of the report.
    for lot in lots.filter(status=LotStatus.EVALUATION, evaluation_reported_at__isnull=False):
        if lot.holds.filter(lifted_at__isnull=True).exists():
            continue
        due, lit = _timeline_due(lot, "award_decision", now)
        todos.append(
            Todo(
                _("按评审报告推荐的顺序确定“%(lot)s”的中标（成交）供应商") % {"lot": lot.name},
                reverse("lot_detail", args=[lot.pk]) + "#award",
                due=due,
                light=lit,
                training=lot.tender.project.training,
            )
        )
    for lot in lots.filter(status=LotStatus.AWARDED):
        due, lit = _timeline_due(lot, "contract", now)
        if due is None:
            # The contract's period starts with the letter, which the desk still has to publish.
            continue
        todos.append(
            Todo(
                _("签订“%(lot)s”的合同并登记%(article)s")
                % {"lot": lot.name, "article": _rule_cited(lot, "contract", now)},
                reverse("lot_detail", args=[lot.pk]) + "#contract",
                due=due,
                light=lit,
                training=lot.tender.project.training,
            )
        )
    # 实施条例 第44、55条: a failed lot is tendered again (or the owner decides not to).
    for lot in lots.filter(status=LotStatus.FAILED, successors__isnull=True):
        todos.append(
            Todo(
                _("“%(lot)s”流标：依法重新招标") % {"lot": lot.name},
                reverse("lot_detail", args=[lot.pk]) + "#retender",
                training=lot.tender.project.training,
            )
        )
    for lot in lots.filter(status=LotStatus.CONTRACTED):
        due, lit = _timeline_due(lot, "report", now)
        if lit == Light.DONE:
            continue
        todos.append(
            Todo(
                _("向监督部门提交“%(lot)s”的书面报告%(article)s")
                % {"lot": lot.name, "article": _rule_cited(lot, "report", now)},
                reverse("lot_detail", args=[lot.pk]) + "#report",
                due=due,
                light=lit,
                training=lot.tender.project.training,
            )
        )
    return todos


def tender_next_step(tender: Tender, role: Role) -> str:
    """What the reader does next with a tender before its publication."""
    if tender.status == TenderStatus.DRAFT:
        return _("补全标段和招标文件后提交审核") if role == Role.OWNER else _("招标人起草中")
    if tender.status == TenderStatus.PENDING_REVIEW:
        return _("审核并发布") if role == Role.STAFF else _("等待交易中心审核")
    return ""


def _fmt(value: datetime | None) -> str:
    if value is None:
        return "—"
    # A period's end at midnight reads as 24:00 of its last day (民法典 第203条).
    return format_moment(value)


def lot_next_step(lot: Lot, tender: Tender, role: Role, now: datetime) -> str:
    """What the reader has to do (or wait for) next on this lot; on a training lot, also when
    the training scenario takes the step if nobody does (and when it would close the lot)."""
    step = _lot_next_step(lot, tender, role, now)
    if not tender.project.training or not step:
        return step
    plan = training_lot_plan(lot, tender, now)
    if plan is None:
        return step
    if plan.step is Step.RECORD_AUCTION:
        step = _("培训标段不开网上竞价室")
    if plan.step in WAITING:
        return _("%(step)s（培训演示：逾 %(at)s 仍未完成的，培训场景结束本标段）") % {
            "step": step,
            "at": _clock_time(plan.stuck_at),
        }
    return _("%(step)s（培训演示：%(at)s 前无人办理的，由培训场景代为办理）") % {
        "step": step,
        "at": _clock_time(plan.due_at),
    }


def _clock_time(moment: datetime) -> str:
    # A training day passes in a minute: the seconds matter, the day is today's.
    return moment.astimezone(SHANGHAI).strftime("%H:%M:%S")


def _lot_next_step(lot: Lot, tender: Tender, role: Role, now: datetime) -> str:
    status = lot.status
    owner = role == Role.OWNER
    staff = role == Role.STAFF
    if lot.suspended_at is not None and status not in TERMINAL:
        return _("已暂停：答复异议或待暂停事由消除") if owner else _("已暂停")
    if status == LotStatus.DRAFT:
        return tender_next_step(tender, role)
    special = _procedure_next_step(lot, tender, role, now)
    if special:
        return special
    if status == LotStatus.PUBLISHED:
        return _("%(at)s 开始投标") % {"at": _fmt(lot.opens_at)}
    if status == LotStatus.BIDDING:
        return _("%(at)s 投标截止、开标") % {"at": _fmt(lot.closes_at)}
    if status == LotStatus.OPENING:
        return _("登记开标结果（有效投标数）") if staff else _("开标进行中")
    if status == LotStatus.AUCTION:
        return _("竞价进行中")
    if status == LotStatus.EVALUATION:
        if lot.evaluation_reported_at is not None:
            # 政府采购法实施条例 第43条: the purchaser decides from the report.
            return _("确定中标（成交）供应商") if owner else _("等待采购人确定中标（成交）供应商")
        return _("登记评标结果和评标报告") if staff else _("评标进行中")
    if status == LotStatus.NEGOTIATION:
        return _("登记谈判（协商）记录") if staff else _("谈判（协商）进行中")
    if status == LotStatus.PUBLICITY:
        if lot.publicity_ends_at is None:
            # The publicity runs from its notice's publication (实施条例 第54条).
            return _("审核发布公示") if staff else _("等待交易中心发布公示")
        if lot.publicity_ends_at <= now:
            terms = tender_terms(tender)
            if owner:
                return _(terms.award)
            return _("公示期满，等待%(owner)s%(award)s") % {
                "owner": _(terms.owner),
                "award": _(terms.award),
            }
        return _("公示至 %(at)s") % {"at": _fmt(lot.publicity_ends_at)}
    if status == LotStatus.AWARDED:
        award = getattr(lot, "award", None)
        if award is not None and award.letter_issued_at is None:
            letter = {"letter": _(tender_terms(tender).letter)}
            if staff:
                return _("审核发布%(letter)s") % letter
            return _("等待交易中心发出%(letter)s") % letter
        return _("登记合同") if owner else _("等待签订合同")
    if status == LotStatus.CONTRACTED:
        return _("提交书面报告") if owner else _("等待书面报告")
    if status == LotStatus.FAILED and owner and not lot.successors.exists():
        return _("依法重新招标")
    return ""


def _procedure_next_step(lot: Lot, tender: Tender, role: Role, now: datetime) -> str:
    """The steps of a listing, a property disclosure and a prequalification (issue 8)."""
    status, family = lot.status, tender.procedure.family
    staff, owner = role == Role.STAFF, role == Role.OWNER
    disclosure = family == Family.PROPERTY_DISCLOSURE
    terms = tender_terms(tender)
    if status == LotStatus.PREQUALIFICATION:
        return _("%(at)s 资格预审申请截止") % {"at": _fmt(lot.applications_close_at)}
    if status == LotStatus.PREQUAL_REVIEW:
        return _("登记资格审查结果（合格申请人数）") if staff else _("资格审查中")
    if status == LotStatus.BIDDING and disclosure:
        return _("%(at)s 信息披露期满") % {"at": _fmt(lot.closes_at)}
    if status == LotStatus.BIDDING and family == Family.LISTING:
        return _("%(at)s 挂牌截止") % {"at": _fmt(lot.closes_at)}
    words = {"bidder": _(terms.bidder), "owner": _(terms.owner), "winner": _(terms.winner)}
    if status == LotStatus.LISTING_CLOSED and disclosure:
        if lot.qualified_count is None:
            if staff:
                return _("登记合格%(bidder)s人数") % words
            return _("信息披露期满，等待登记%(bidder)s") % words
        if owner:
            return _("未征集到%(bidder)s：延期、重新披露或者终结") % words
        return _("未征集到%(bidder)s，等待%(owner)s决定") % words
    if status == LotStatus.LISTING_CLOSED:
        return _("登记挂牌期满结果（竞买人数）") if staff else _("挂牌期满，等待登记结果")
    if status == LotStatus.AGREEMENT:
        return _("登记协议转让结果") if staff else _("协议转让进行中")
    publicity_over = lot.publicity_ends_at is not None and lot.publicity_ends_at <= now
    if status == LotStatus.PUBLICITY and publicity_over and disclosure:
        return _(terms.award) if owner else _("公示期满，等待%(owner)s确认%(winner)s") % words
    if status == LotStatus.PUBLICITY and publicity_over and family == Family.LISTING:
        return _("确认竞得人") if owner else _("公示期满，等待出让人确认竞得人")
    return ""
