"""Tenders from the draft to publication and amendment (招标公告, 审核发布, 变更).

Every writer: keyword-only, one transaction, locks in the order of `trading.lock_objects`
(region → project → tender → lot), the clock read after the locks, the domain rule checked inside
them, and the ledger entry of the tender's chain as the last write (DESIGN.md §3, invariant 6).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.domain.employer import OrganisationKind
from trading.domain.lifecycle import (
    IllegalStep,
    LotEvent,
    LotStatus,
    TenderEvent,
    TenderStatus,
    tender_transition,
)
from trading.domain.timeline import Violation, beyond_horizon, format_moment, local_date
from trading.events import event_emit
from trading.lock_objects import lock_lots_of_tender, lock_project, lock_tender
from trading.models import Desk, Lot, Procedure, Project, Tender, TenderDocument, User
from trading.models.tenders import DepositForm, DocumentKind, PriceForm
from trading.selectors.access import (
    Purpose,
    access_tender,
    desk_staff_list,
    is_owner_side,
    operates_desk,
    owner_side_users,
)
from trading.selectors.timeline import (
    amendment_earliest_deadline,
    closing_point,
    tender_rulebook,
    tender_violations,
)
from trading.services.common import (
    aware,
    fixed_clock,
    ledger,
    not_in_past,
    notify,
    within_horizon,
)
from trading.services.documents import document_store
from trading.services.lot_state import lot_next_check, lot_transition
from trading.services.procedures import prequalification_check
from trading.translatable import Message

__all__ = [
    "tender_amend",
    "tender_create",
    "tender_publish",
    "tender_reject",
    "tender_submit",
    "tender_update",
]


def _move(tender: Tender, event: TenderEvent, refusal: str) -> None:
    """Change the locked tender's status by the tender table, or refuse with `refusal`."""
    try:
        tender.status = tender_transition(tender.status, event)
    except IllegalStep:
        raise ValidationError(refusal, code="illegal_transition") from None


def _may_draft(actor: User, project: Project, desk: Desk) -> bool:
    return is_owner_side(actor, project) or operates_desk(actor, desk.pk)


def _check_procedure(procedure: Procedure, project: Project) -> None:
    if procedure.business_type_id != project.business_type_id:
        raise ValidationError(
            {"procedure": _("交易方式“%(p)s”不属于本项目的业务类型。") % {"p": procedure.name}},
            code="procedure_business_type",
        )


def _check_tender_schedule(
    *,
    documents_issued_at: datetime | None,
    clarification_deadline: datetime | None,
    announced_at: datetime | None,
    now: datetime,
    documents_sale_ends_at: datetime | None = None,
) -> None:
    for field, value in (
        ("documents_issued_at", documents_issued_at),
        ("documents_sale_ends_at", documents_sale_ends_at),
        ("clarification_deadline", clarification_deadline),
        ("announced_at", announced_at),
    ):
        aware(value, field)
        not_in_past(value, field, now)
        within_horizon(value, field, now)
    if documents_issued_at is None:
        raise ValidationError(
            {"documents_issued_at": _("请填写招标文件发出时间。")}, code="required"
        )
    if clarification_deadline is not None and clarification_deadline <= documents_issued_at:
        raise ValidationError(
            {"clarification_deadline": _("澄清截止时间须晚于招标文件发出时间。")}, code="order"
        )
    if documents_sale_ends_at is not None and documents_sale_ends_at <= documents_issued_at:
        raise ValidationError(
            {"documents_sale_ends_at": _("文件发售截止时间须晚于招标文件发出时间。")},
            code="order",
        )


def tender_create(
    *,
    project: Project,
    name: str,
    procedure: Procedure,
    price_form: str = PriceForm.AMOUNT,
    deposit_form: str = DepositForm.EITHER,
    documents_issued_at: datetime | None,
    documents_sale_ends_at: datetime | None = None,
    clarification_deadline: datetime | None = None,
    announced_at: datetime | None = None,
    actor: User,
    clock: Clock | None = None,
) -> Tender:
    """Draft a tender (招标项目, code C20 = project code + 3-digit serial) at its desk."""
    desk = Desk.objects.filter(
        region_id=project.region_id, business_type_id=project.business_type_id
    ).first()
    if desk is None:
        raise ValidationError({"project": _("该市县没有办理此业务类型的交易科室。")}, code="desk")
    if not _may_draft(actor, project, desk):
        raise Http404(_("没有找到该项目。"))
    _check_procedure(procedure, project)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写招标项目名称。")}, code="name")
    if price_form not in PriceForm.values:
        raise ValidationError({"price_form": _("未知的报价方式。")}, code="price_form")
    if deposit_form not in DepositForm.values:
        raise ValidationError({"deposit_form": _("未知的保证金形式。")}, code="deposit_form")
    clock = clock or get_clock()
    with transaction.atomic():
        project = lock_project(project.pk)
        now = clock()
        _check_tender_schedule(
            documents_issued_at=documents_issued_at,
            documents_sale_ends_at=documents_sale_ends_at,
            clarification_deadline=clarification_deadline,
            announced_at=announced_at,
            now=now,
        )
        last = (
            Tender.objects.filter(project=project)
            .order_by("-code")
            .values_list("code", flat=True)
            .first()
        )
        serial = int(last[-3:]) + 1 if last else 1
        code = f"{project.code}{serial:03d}"
        tender = Tender.objects.create(
            project=project,
            code=code,
            # 统一交易标识码: the platform's C20 code with the business type number, until the
            # provincial platform assigns its own.
            trade_id=f"JY{code}{project.business_type.number:02d}",
            name=name,
            procedure=procedure,
            desk=desk,
            price_form=price_form,
            deposit_form=deposit_form,
            announced_at=announced_at,
            documents_issued_at=documents_issued_at,
            documents_sale_ends_at=documents_sale_ends_at,
            clarification_deadline=clarification_deadline,
            drafted_by=actor,
            created_at=now,
        )
        ledger(
            tender,
            action="tender.drafted",
            actor=actor,
            obj=tender,
            payload={"code": tender.code, "procedure": procedure.code},
            now=now,
        )
    return tender


_TENDER_FIELDS = frozenset(
    {
        "name",
        "procedure",
        "price_form",
        "deposit_form",
        "documents_issued_at",
        "documents_sale_ends_at",
        "clarification_deadline",
        "announced_at",
    }
)


def tender_update(
    *, tender: Tender, actor: User, clock: Clock | None = None, **fields: Any
) -> Tender:
    """Correct a draft tender (only while it is a draft, by whoever may edit it)."""
    access_tender(actor, tender.pk, purpose=Purpose.EDIT)
    unknown = set(fields) - _TENDER_FIELDS
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(tender.project_id)
        tender = lock_tender(tender.pk)
        lots = lock_lots_of_tender(tender.pk)
        now = clock()
        if tender.status != TenderStatus.DRAFT:
            raise ValidationError(_("只有草稿可以修改。"), code="not_draft")
        for field, value in fields.items():
            setattr(tender, field, value.strip() if isinstance(value, str) else value)
        if "procedure" in fields:
            _check_procedure(tender.procedure, tender.project)
        if "price_form" in fields and tender.price_form not in PriceForm.values:
            raise ValidationError({"price_form": _("未知的报价方式。")}, code="price_form")
        if "deposit_form" in fields and tender.deposit_form not in DepositForm.values:
            raise ValidationError({"deposit_form": _("未知的保证金形式。")}, code="deposit_form")
        if not tender.name:
            raise ValidationError({"name": _("请填写招标项目名称。")}, code="name")
        _check_tender_schedule(
            documents_issued_at=tender.documents_issued_at,
            documents_sale_ends_at=tender.documents_sale_ends_at,
            clarification_deadline=tender.clarification_deadline,
            announced_at=tender.announced_at,
            now=now,
        )
        for lot in lots:
            if lot.closes_at is not None and lot.closes_at <= tender.documents_issued_at:  # type: ignore[operator]
                raise ValidationError(
                    {"documents_issued_at": _("投标截止时间不能早于招标文件发出时间。")},
                    code="order",
                )
        tender.save()
        ledger(
            tender,
            action="tender.updated",
            actor=actor,
            obj=tender,
            payload={"fields": sorted(fields)},
            now=now,
        )
    return tender


def tender_submit(*, tender: Tender, actor: User, clock: Clock | None = None) -> Tender:
    """Submit a draft to the desk for review; its staff are notified (审核发布, 管办分离)."""
    access_tender(actor, tender.pk, purpose=Purpose.EDIT)
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(tender.project_id)
        tender = lock_tender(tender.pk)
        lots = lock_lots_of_tender(tender.pk)
        now = clock()
        _move(tender, TenderEvent.SUBMIT, _("只有草稿可以提交审核。"))
        if not lots:
            raise ValidationError(_("请至少添加一个标段后再提交。"), code="no_lots")
        if not tender.documents.filter(kind=DocumentKind.TENDER_DOCUMENTS).exists():
            raise ValidationError(
                {"documents": _("请先上传招标文件（PDF）。")}, code="no_documents"
            )
        tender.submitted_by = actor
        tender.save(update_fields=["status", "submitted_by"])
        reviewers = [
            user for user in desk_staff_list(tender.desk) if user.pk != tender.drafted_by_id
        ]
        notify(
            reviewers,
            kind="tender.submitted",
            title=Message(
                gettext_noop("待审核：%(code)s %(name)s"), code=tender.code, name=tender.name
            ),
            body=Message(gettext_noop("请审核该招标项目的公告、文件和时间安排后发布。")),
            now=now,
        )
        ledger(tender, action="tender.submitted", actor=actor, obj=tender, now=now)
    return tender


def tender_reject(
    *, tender: Tender, reason: str, actor: User, clock: Clock | None = None
) -> Tender:
    """Desk staff return a submitted tender to its drafter with the reason."""
    access_tender(actor, tender.pk, purpose=Purpose.OPERATE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回理由。")}, code="reason")
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(tender.project_id)
        tender = lock_tender(tender.pk)
        now = clock()
        _move(tender, TenderEvent.REJECT, _("只有待审核的项目可以退回。"))
        tender.save(update_fields=["status"])
        notify(
            [tender.drafted_by, *owner_side_users(tender.project)],
            kind="tender.rejected",
            title=Message(
                gettext_noop("已退回：%(code)s %(name)s"), code=tender.code, name=tender.name
            ),
            body=reason,
            now=now,
        )
        ledger(
            tender,
            action="tender.rejected",
            actor=actor,
            obj=tender,
            payload={"reason": reason},
            now=now,
        )
    return tender


def _time_violations(tender: Tender, lots: list[Lot], now: datetime) -> list[Violation]:
    """Times already past, or beyond the scheduling horizon (a mistyped year), at publication."""
    days = int(settings.SCHEDULE_HORIZON_DAYS)
    found = []
    for lot in lots:
        if tender.procedure.prequalification and lot.applications_close_at is None:
            found.append(
                Violation(
                    rule_key="required",
                    point="application_deadline",
                    article="招标投标法实施条例 第17条",
                    description=_("资格预审申请截止时间"),
                    earliest=None,
                    latest=None,
                    message=_("%(lot)s：请填写资格预审申请截止时间。") % {"lot": lot.name},
                )
            )
        for moment, point in (
            (lot.applications_close_at, "application_deadline"),
            (lot.opens_at, "listing_start"),
            (lot.closes_at, closing_point(tender)),
        ):
            if moment is None:
                continue
            if moment <= now:
                description, message = (
                    _("时间已过"),
                    _("%(lot)s：时间已过，请重新安排。") % {"lot": lot.name},
                )
            elif beyond_horizon(moment, now=now, days=days):
                description, message = (
                    _("超出排期范围"),
                    _("%(lot)s：时间距今超过 %(days)s 日，请检查年份。")
                    % {"lot": lot.name, "days": days},
                )
            else:
                continue
            found.append(
                Violation(
                    rule_key="not_in_past" if moment <= now else "horizon",
                    point=point,
                    article="",
                    description=description,
                    earliest=now,
                    latest=None,
                    message=message,
                )
            )
    return found


def violations_error(violations: list[Violation]) -> ValidationError:
    """Each violation next to the point it belongs to, each message naming its article."""
    by_point: dict[str, list[str]] = defaultdict(list)
    for violation in violations:
        message = str(violation.message)
        if message not in by_point[violation.point]:
            by_point[violation.point].append(message)
    return ValidationError(dict(by_point), code="schedule")


def tender_publish(*, tender: Tender, actor: User, clock: Clock | None = None) -> Tender:
    """Desk staff publish a reviewed tender: not its drafter, and only with a lawful schedule."""
    access_tender(actor, tender.pk, purpose=Purpose.OPERATE)
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(tender.project_id)
        tender = lock_tender(tender.pk)
        lots = lock_lots_of_tender(tender.pk)
        now = clock()
        if tender.status != TenderStatus.PENDING_REVIEW:
            raise ValidationError(_("只有待审核的项目可以发布。"), code="not_pending")
        if tender.drafted_by_id == actor.pk:
            drafter_kind = tender.drafted_by.organisation_kind
            if drafter_kind == OrganisationKind.CENTER:
                raise PermissionDenied(_("工作人员起草的项目须由另一名工作人员审核发布。"))
            raise PermissionDenied(_("起草人不能发布自己起草的项目。"))
        if not lots:
            raise ValidationError(_("请至少添加一个标段后再发布。"), code="no_lots")
        # Documents cannot be issued before the announcement that offers them.
        tender.announced_at = now
        if tender.documents_issued_at is None or tender.documents_issued_at < now:
            tender.documents_issued_at = now
        on = local_date(now)
        violations = _time_violations(tender, lots, now) + tender_violations(
            tender, lots=lots, now=now
        )
        if violations:
            raise violations_error(violations)
        _move(tender, TenderEvent.PUBLISH, _("只有待审核的项目可以发布。"))
        tender.published_by = actor
        tender.rules_as_of = on
        tender.save(
            update_fields=[
                "status",
                "published_by",
                "rules_as_of",
                "announced_at",
                "documents_issued_at",
            ]
        )
        event_emit(
            kind="tender.published",
            subject=f"tender:{tender.pk}",
            payload={
                "tender": tender.pk,
                "code": tender.code,
                "lots": [lot.pk for lot in lots],
                "training": tender.project.training,
                "rules_as_of": on.isoformat(),
            },
            clock=fixed_clock(now),
        )
        notify(
            [tender.drafted_by, *owner_side_users(tender.project)],
            kind="tender.published",
            title=Message(
                gettext_noop("已发布：%(code)s %(name)s"), code=tender.code, name=tender.name
            ),
            now=now,
        )
        ledger(
            tender,
            action="tender.published",
            actor=actor,
            obj=tender,
            payload={"rules_as_of": on.isoformat(), "announced_at": now.isoformat()},
            now=now,
        )
        for lot in lots:
            lot_transition(lot, tender, LotEvent.PUBLISH, actor=actor, now=now)
    return tender


def tender_amend(
    *,
    tender: Tender,
    document_file: Any,
    title: str,
    affects_bids: bool,
    new_closes_at: datetime | None = None,
    note: str = "",
    actor: User,
    clock: Clock | None = None,
) -> TenderDocument:
    """Publish an amendment (变更); late ones move the deadline (实施条例 第21条; 87号令 第27条)."""
    access_tender(actor, tender.pk, purpose=Purpose.EDIT)
    aware(new_closes_at, "new_closes_at")
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(tender.project_id)
        tender = lock_tender(tender.pk)
        lots = lock_lots_of_tender(tender.pk)
        now = clock()
        within_horizon(new_closes_at, "new_closes_at", now)
        if tender.status != TenderStatus.PUBLISHED:
            raise ValidationError(_("只有已发布的项目可以发布变更。"), code="not_published")
        open_lots = [
            lot
            for lot in lots
            if lot.status in (LotStatus.PUBLISHED, LotStatus.BIDDING, LotStatus.PREQUALIFICATION)
        ]
        if not open_lots:
            raise ValidationError(_("投标已截止，不能再发布变更。"), code="closed")
        for lot in open_lots:
            if affects_bids and lot.status == LotStatus.PREQUALIFICATION:
                prequalification_check(tender, lot, "amendment", now)
        moves: list[tuple[Lot, datetime, datetime]] = []
        if new_closes_at is not None:
            for lot in open_lots:
                if new_closes_at < lot.closes_at:  # type: ignore[operator]
                    raise ValidationError(
                        {"new_closes_at": _("变更后的截止时间不能早于原截止时间。")}, code="earlier"
                    )
                late = _amendment_too_late(tender, new_closes_at, now) if affects_bids else None
                if late is not None:
                    raise ValidationError(
                        {
                            "new_closes_at": _("投标截止时间不得早于 %(at)s（%(rule)s）。")
                            % {
                                "at": local_date(amendment_earliest_deadline(tender, now)),
                                "rule": _rule_text(late),
                            }
                        },
                        code="amendment_deadline",
                    )
                moves.append((lot, lot.closes_at, new_closes_at))  # type: ignore[arg-type]
        elif affects_bids:
            for lot in open_lots:
                late = (
                    _amendment_too_late(tender, lot.closes_at, now)
                    if lot.closes_at is not None
                    else None
                )
                if late is not None:
                    proposal = amendment_earliest_deadline(tender, now)
                    raise ValidationError(
                        {
                            "new_closes_at": _(
                                "距投标截止时间已不足法定期限，须顺延投标截止时间，最早为 %(at)s"
                                "（%(rule)s）。"
                            )
                            % {"at": format_moment(proposal), "rule": _rule_text(late)}
                        },
                        code="amendment_deadline",
                    )
        document = document_store(
            tender=tender,
            kind=DocumentKind.AMENDMENT,
            title=title,
            file=document_file,
            actor=actor,
            now=now,
            affects_bids=affects_bids,
            note=note,
        )
        for lot, _before, after in moves:
            lot.closes_at = after
            lot.next_check = lot_next_check(lot)
            lot.save(update_fields=["closes_at", "next_check"])
        event_emit(
            kind="tender.amended",
            subject=f"tender:{tender.pk}",
            payload={
                "tender": tender.pk,
                "document": document.pk,
                "version": document.version,
                "affects_bids": affects_bids,
                "moved": {str(lot.pk): after.isoformat() for lot, _b, after in moves},
            },
            clock=fixed_clock(now),
        )
        ledger(
            tender,
            action="tender.amended",
            actor=actor,
            obj=tender,
            payload={
                "version": document.version,
                "sha256": document.sha256,
                "affects_bids": affects_bids,
            },
            now=now,
        )
        for lot, before, after in moves:
            ledger(
                tender,
                action="lot.deadline_moved",
                actor=actor,
                obj=lot,
                payload={
                    "from": before.isoformat(),
                    "to": after.isoformat(),
                    "article": _amendment_article(tender, now),
                },
                now=now,
            )
    return document


def _amendment_too_late(tender: Tender, deadline: datetime, now: datetime) -> Violation | None:
    """The rule an amendment affecting bids at `now` breaks by leaving too little time before
    `deadline`: the tender's own row (实施条例 第21条; 87号令 第27条; 财库〔2014〕214号 第10条;
    74号令 第29、45条). A deadline on the first lawful day is in time, at any hour but 00:00."""
    book = tender_rulebook(tender, now=now)
    keys = {rule.key for rule in book.between("amendment", "bid_deadline")}
    for violation in book.check({"amendment": now, "bid_deadline": deadline}):
        if violation.rule_key in keys:
            return violation
    return None


def _rule_text(violation: Violation) -> str:
    return f"{violation.article}：{violation.description}"


def _amendment_article(tender: Tender, now: datetime) -> str:
    """The article that moved a deadline: the amendment row of the tender's business type."""
    rules = tender_rulebook(tender, now=now).between("amendment", "bid_deadline")
    return "；".join(dict.fromkeys(rule.article for rule in rules))
