"""The training scenario: demo actors take a training lot's steps, and a stuck lot is closed.

`TRAINING` is the chronograph's due work over training lots (`trading.domain.training` plans
them). Each step is taken through the service a person uses, as the desk's staff or the owner's
user would, once the user running the training has let half a training day pass; a lot that
cannot move within its scaled time is closed through `lot_transition` with its reason, shown on
the lot page and sent to the inbox. Training lots that are not over are few (each ends within
minutes), so the due query is all of them and `training_lot_advance` decides what is due.
`TRAINING_REVIEW` publishes a submitted training tender at once (or returns it with the reason).
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from trading.chronograph import DueWork
from trading.domain.employer import OrganisationKind
from trading.domain.lifecycle import TERMINAL, LotEvent, LotStatus, TenderStatus
from trading.domain.training import (
    STUCK_AFTER_DAYS,
    Step,
    is_stuck,
    step_is_due,
    training_plan,
)
from trading.events import event_emit
from trading.lock_objects import lock_active_holds
from trading.models import Candidate, Lot, Organisation, Project, Tender, User
from trading.models.tenders import Award
from trading.participants import lot_participants_enrol
from trading.selectors.access import desk_staff_list, owner_side_users
from trading.selectors.training import training_lot_facts
from trading.services.common import fixed_clock, lot_tender, notify
from trading.services.lot_state import lot_transition
from trading.translatable import Message

__all__ = [
    "TRAINING",
    "TRAINING_REVIEW",
    "training_lot_advance",
    "training_lot_close",
    "training_lots_due",
]

logger = logging.getLogger(__name__)

# A placeholder PDF for the documents the demo actor files (report, contract).
_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)

# Why a stuck lot was closed, by what it waited for.
STUCK_REASONS = {
    Step.WAIT: gettext_lazy("日程中的时间节点"),
    Step.PUBLICATION: gettext_lazy("公告（通知书）发布"),
    Step.RESUME: gettext_lazy("暂停事由消除、恢复交易"),
    Step.RECORD_BIDS: gettext_lazy("登记开标结果"),
    Step.RECORD_PREQUALIFICATION: gettext_lazy("登记资格审查结果"),
    Step.RECORD_EVALUATION: gettext_lazy("登记评标结果"),
    Step.RECORD_NEGOTIATION: gettext_lazy("登记谈判（协商）记录"),
    Step.RECORD_AUCTION: gettext_lazy("登记竞价结果（培训标段不开网上竞价室）"),
    Step.RECORD_LISTING: gettext_lazy("登记挂牌竞买人"),
    Step.RECORD_TRANSFEREES: gettext_lazy("登记意向受让方"),
    Step.RECORD_AGREEMENT: gettext_lazy("登记协议转让结果"),
    Step.AWARD: gettext_lazy("确定中标（成交）人"),
    Step.CONTRACT: gettext_lazy("登记合同"),
    Step.REPORT: gettext_lazy("提交书面报告"),
}


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _PDF, content_type="application/pdf")


def training_lots_due(now: datetime) -> QuerySet[Lot]:
    """Training lots not over yet: the plan decides whether anything is due for each."""
    return Lot.objects.filter(tender__project__training=True).exclude(
        status__in=[*TERMINAL, LotStatus.DRAFT]
    )


def training_lot_advance(lot: Lot, now: datetime) -> None:
    """Close the lot if it is stuck, else let the demo actor take its step if it is due.

    Runs with the lot claimed by the chronograph. A step that fails is rolled back to its
    savepoint and logged: the next tick tries again until the lot counts as stuck.
    """
    tender = lot_tender(lot)
    if not tender.project.training:
        return
    plan = training_plan(training_lot_facts(lot, tender, now))
    if plan is None:
        return
    if is_stuck(plan, now):
        training_lot_close(lot=lot, tender=tender, step=plan.step, now=now)
        return
    if not step_is_due(plan, now):
        return
    try:
        with transaction.atomic():
            _take(plan.step, lot, tender, now)
    except ValidationError as error:
        logger.warning("training lot %s: step %s refused: %s", lot.code, plan.step, error)


def training_lot_close(*, lot: Lot, tender: Tender, step: Step, now: datetime) -> None:
    """Close a training lot that could not move within its scaled time, saying why."""
    reason = _(
        "培训演示自动结束：本标段在“%(status)s”阶段等待“%(step)s”，"
        "超过 %(days)s 个培训日仍未完成，培训场景已结束本标段。"
    ) % {
        "status": lot.get_status_display(),
        "step": STUCK_REASONS[step],
        "days": STUCK_AFTER_DAYS,
    }
    # The training is over: its holds end with it (as a termination lifts them, 实施条例 第31条).
    for hold in lock_active_holds(lot.pk):
        hold.lifted_at = now
        hold.save(update_fields=["lifted_at"])
    lot.suspended_at = None
    lot.termination_reason = reason
    event_emit(
        kind="lot.training_closed",
        subject=f"lot:{lot.pk}",
        payload={"lot": lot.pk, "tender": tender.pk, "reason": reason, "step": step.value},
        clock=fixed_clock(now),
    )
    notify(
        [*owner_side_users(tender.project), *desk_staff_list(tender.desk)],
        kind="lot.training_closed",
        title=Message(gettext_noop("培训演示标段已自动结束：%(code)s"), code=lot.code),
        body=reason,
        now=now,
    )
    lot_transition(
        lot,
        tender,
        LotEvent.TRAINING_CLOSE,
        actor=None,
        now=now,
        payload={"reason": reason, "step": step.value},
        fields=("termination_reason", "suspended_at"),
    )


# --- the demo actors --------------------------------------------------------------------------


def _staff(tender: Tender) -> User:
    # Four eyes: never the tender's own drafter (管办分离).
    staff = [user for user in desk_staff_list(tender.desk) if user.pk != tender.drafted_by_id]
    if not staff:
        raise ValidationError(_("本交易科室没有工作人员，培训场景无法代为登记。"))
    return staff[0]


def _owner(tender: Tender) -> User:
    creator = tender.project.created_by
    if creator is not None and creator.is_active:
        return creator
    users = owner_side_users(tender.project)
    if not users:
        raise ValidationError(_("招标人没有可用的用户，培训场景无法代为办理。"))
    return users[0]


def _bidders() -> list[Organisation]:
    bidders = list(
        Organisation.objects.filter(
            kind=OrganisationKind.BIDDER, verified_at__isnull=False
        ).order_by("pk")[:3]
    )
    if not bidders:
        raise ValidationError(_("没有已核验的投标人，培训场景无法代为登记。"))
    return bidders


def _price(lot: Lot, factor: str) -> Decimal:
    return (lot.estimate * Decimal(factor)).quantize(Decimal("0.01"))


_NAMES_BIDDERS = frozenset(
    {Step.RECORD_EVALUATION, Step.RECORD_NEGOTIATION, Step.RECORD_AUCTION, Step.RECORD_AGREEMENT}
)


def _take(step: Step, lot: Lot, tender: Tender, now: datetime) -> None:
    """The demo actor takes `step` through the service a person uses, at `now`."""
    from trading.services import awards, negotiations, outcomes, procedures

    clock = fixed_clock(now)
    if step in _NAMES_BIDDERS:
        # The scenario's demo bidders take part: candidates come from the lot's enrolments.
        lot_participants_enrol(lot, _bidders(), now)
    if step is Step.RECORD_BIDS:
        count = max(3, tender.procedure.min_bids)
        outcomes.lot_record_bid_count(lot=lot, count=count, actor=_staff(tender), clock=clock)
    elif step is Step.RECORD_PREQUALIFICATION:
        procedures.lot_record_prequalification(lot=lot, count=3, actor=_staff(tender), clock=clock)
    elif step is Step.RECORD_EVALUATION:
        candidates = [
            outcomes.CandidateInput(
                organisation=organisation,
                price=_price(lot, str(Decimal("0.95") + Decimal(rank) / 100)),
                score=Decimal(92 - rank * 3),
            )
            for rank, organisation in enumerate(_bidders())
        ]
        outcomes.lot_record_evaluation(
            lot=lot,
            candidates=candidates,
            report_file=_pdf("evaluation-report.pdf"),
            actor=_staff(tender),
            clock=clock,
        )
    elif step is Step.RECORD_NEGOTIATION:
        winner = _bidders()[0]
        negotiations.lot_record_negotiation(
            lot=lot,
            parties=[winner],
            agreed=True,
            minutes=_("培训演示：培训场景代为登记的谈判（协商）记录。"),
            winner=winner,
            price=lot.estimate,
            actor=_staff(tender),
            clock=clock,
        )
    elif step in (Step.RECORD_AUCTION, Step.RECORD_AGREEMENT):
        # A training lot runs no platform auction (its days pass in minutes): the scenario
        # records the result itself; `demo_auction`'s lot is the live one.
        outcomes.lot_record_auction_result(
            lot=lot,
            sold=True,
            winner=_bidders()[0],
            price=_price(lot, "1.10") if step is Step.RECORD_AUCTION else lot.estimate,
            actor=_staff(tender),
            clock=clock,
        )
        if step is Step.RECORD_AUCTION:
            notify(
                [*owner_side_users(tender.project), *desk_staff_list(tender.desk)],
                kind="lot.training_auction",
                title=Message(gettext_noop("培训演示竞价已自动结束：%(code)s"), code=lot.code),
                body=Message(
                    gettext_noop(
                        "培训标段不开网上竞价室，培训场景已按演示竞买人的最高报价登记竞价结果；"
                        "网上竞价请在竞价演示地块体验。"
                    )
                ),
                now=now,
            )
    elif step is Step.RECORD_LISTING:
        procedures.lot_record_listing_close(lot=lot, bidders=2, actor=_staff(tender), clock=clock)
    elif step is Step.RECORD_TRANSFEREES:
        procedures.lot_record_transferees(lot=lot, count=2, actor=_staff(tender), clock=clock)
    elif step is Step.AWARD:
        first = (
            Candidate.objects.filter(lot=lot, superseded_at__isnull=True).order_by("rank").first()
        )
        if first is None:
            raise ValidationError(_("没有候选人可以确定。"))
        awards.award_confirm(lot=lot, candidate=first, actor=_owner(tender), clock=clock)
    elif step is Step.CONTRACT:
        award = Award.objects.get(lot=lot, declined_at__isnull=True)
        awards.contract_record(
            lot=lot,
            signed_on=timezone.localtime(now).date(),
            amount=award.price,
            file=_pdf("contract.pdf"),
            actor=_owner(tender),
            clock=clock,
        )
    elif step is Step.REPORT:
        awards.report_file(lot=lot, file=_pdf("report.pdf"), actor=_owner(tender), clock=clock)


TRAINING = DueWork(name="trading.training", due=training_lots_due, advance=training_lot_advance)


# --- the scenario's desk: a submitted training tender is reviewed at once ---------------------


def training_projects_due(now: datetime) -> QuerySet[Project]:
    """Training projects with a tender waiting for review (the project row is locked first, as
    `tender_publish` locks it)."""
    pending = Tender.objects.filter(project__training=True, status=TenderStatus.PENDING_REVIEW)
    return Project.objects.filter(pk__in=pending.values("project_id"))


def training_project_review(project: Project, now: datetime) -> None:
    """The scenario's desk staff publish each submitted training tender, or return it with the
    reason the schedule is refused, so that none waits in the review queue."""
    from trading.services.tenders import tender_publish, tender_reject

    tenders = Tender.objects.filter(project=project, status=TenderStatus.PENDING_REVIEW)
    for tender in tenders.select_related("desk", "project").order_by("pk"):
        try:
            staff = _staff(tender)
        except ValidationError:
            continue  # nobody to review it: it stays on the desk's to-do list
        try:
            with transaction.atomic():
                tender_publish(tender=tender, actor=staff, clock=fixed_clock(now))
        except ValidationError as refused:
            reason = _("培训场景审核未通过，请修改后重新提交：%(why)s") % {
                "why": "；".join(refused.messages)
            }
            tender_reject(tender=tender, reason=reason, actor=staff, clock=fixed_clock(now))


TRAINING_REVIEW = DueWork(
    name="trading.training_review", due=training_projects_due, advance=training_project_review
)
