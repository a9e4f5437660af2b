"""Complaints (投诉): a bidder's complaint to the regulator of a lot, and the regulator's steps.

实施条例 第60、61条 (engineering: after the owner's answer to the objection, within 10 日;
accepted within 3 工作日, decided within 30 工作日 of the acceptance); 政府采购法 第55、56条 and
财政部令第94号 (procurement: within 15 工作日 after the 质疑 answer period; accepted within
5 工作日, decided within 30 工作日 of the receipt). Every limit comes from the tender's rule rows
(`Rulebook.complaint_limits`). A hold during a complaint goes through the holds service.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.domain.complaints import (
    TERMINAL,
    ComplaintEvent,
    ComplaintStatus,
    decision_start,
    filing_start,
    order_required,
)
from trading.domain.employer import OrganisationKind
from trading.domain.lifecycle import LotStatus
from trading.domain.timeline import format_moment
from trading.lock_objects import lock_lot, lock_objection
from trading.models import (
    Complaint,
    ComplaintAttachment,
    ComplaintExtension,
    ComplaintStatement,
    Lot,
    Objection,
    Organisation,
    User,
)
from trading.models.tenders import HoldReason
from trading.selectors.access import owner_side_users
from trading.services.common import ledger, lot_tender, notify
from trading.services.complaint_support import (
    MAX_ATTACHMENTS,
    attachment_limit,
    complaint_event,
    complaint_hold_release,
    complaint_lock,
    complaint_parties,
    complaint_regulator,
    complaint_resumed_ledger,
    complaint_rulebook,
    complaint_step,
    organisation_users,
    required_text,
    statement_parties,
    tender_regulators,
)
from trading.services.documents import check_pdf
from trading.services.holds import hold_place
from trading.translatable import Message
from trading.write_scope import supervision_writes

__all__ = [
    "complaint_accept",
    "complaint_decide",
    "complaint_extend",
    "complaint_file",
    "complaint_hold",
    "complaint_refuse",
    "complaint_statement_submit",
    "complaint_statements_request",
    "complaint_withdraw",
]


def complaint_file(
    *,
    lot: Lot,
    objection: Objection,
    grounds: str,
    actor: User,
    attachments: Sequence[File[Any]] = (),
    clock: Clock | None = None,
) -> Complaint:
    """A bidder complains to the regulator of the lot (实施条例 第60条; 政府采购法 第55条)."""
    if actor.organisation_kind != OrganisationKind.BIDDER or not (
        actor.organisation and actor.organisation.is_verified
    ):
        raise PermissionDenied(_("只有已核验的投标人可以投诉。"))
    # The objection the law requires first is the complainant's own, on this lot (第60条).
    if objection.lot_id != lot.pk or objection.raised_by_id != actor.organisation_id:
        raise Http404(_("没有找到该异议。"))
    grounds = required_text(grounds, "grounds", _("请填写投诉事项与理由。"))
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("附件不能超过 %(n)s 个。") % {"n": MAX_ATTACHMENTS}}, code="too_many"
        )
    checked = [
        check_pdf(file, field="attachments", limit=attachment_limit()) for file in attachments
    ]
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        # Its answer as it stands now, not as the caller read it.
        objection = lock_objection(objection.pk)
        now = clock()
        if lot.status == LotStatus.DRAFT:
            raise Http404(_("没有找到该标段。"))
        tender = lot_tender(lot)
        book, limits = complaint_rulebook(tender, now)
        start = filing_start(
            from_point=limits.filing.from_point,
            objection_raised=True,
            answered_at=objection.answered_at,
            answer_due=objection.answer_due,
            now=now,
        )
        if start.start is None:
            raise ValidationError(
                _("须先就该事项提出异议并得到答复（或答复期满）后方可投诉（%(a)s）。")
                % {"a": limits.filing.article},
                code="objection_first",
            )
        filing_due = book.complaint_due(limits.filing, start.start)
        if now > filing_due:
            raise ValidationError(
                _("投诉期限已于 %(due)s 届满，不予受理（%(a)s）。")
                % {"due": format_moment(filing_due), "a": limits.filing.article},
                code="late",
            )
        if (
            Complaint.objects.filter(objection=objection, decided_at__isnull=True)
            .exclude(status__in=["refused", "withdrawn"])
            .exists()
        ):
            raise ValidationError(_("您已就该异议提出投诉，正在处理中。"), code="duplicate")
        complaint = Complaint.objects.create(
            lot=lot,
            objection=objection,
            complainant=actor.organisation,
            filed_by=actor,
            grounds=grounds,
            filed_at=now,
            filing_due=filing_due,
            acceptance_due=book.complaint_due(limits.acceptance, now),
            # Procurement counts the decision from the receipt (政府采购法 第56条).
            decision_due=(
                book.complaint_due(limits.decision, now)
                if limits.decision.from_point == "complaint"
                else None
            ),
        )
        for file, (size, sha256) in zip(attachments, checked, strict=True):
            file.seek(0)
            ComplaintAttachment.objects.create(
                complaint=complaint,
                file=file,
                name=(getattr(file, "name", "") or "attachment.pdf")[-200:],
                size=size,
                sha256=sha256,
            )
        notify(
            tender_regulators(tender),
            kind="complaint.filed",
            title=Message(
                gettext_noop("收到投诉，请于 %(due)s 前决定是否受理：%(code)s"),
                due=format_moment(complaint.acceptance_due),
                code=lot.code,
            ),
            body=grounds[:200],
            now=now,
        )
        ledger(
            tender,
            action="complaint.filed",
            actor=actor,
            obj=lot,
            payload={
                "complaint": complaint.pk,
                "objection": objection.pk,
                "filing_due": filing_due.isoformat(),
                "acceptance_due": complaint.acceptance_due.isoformat(),
                "attachments": [sha256 for _size, sha256 in checked],
            },
            now=now,
        )
    return complaint


def complaint_accept(*, complaint: Complaint, actor: User, clock: Clock | None = None) -> Complaint:
    """The regulator accepts the complaint (受理, 实施条例 第61条; 财政部令第94号 第21条)."""
    complaint_regulator(actor, complaint)
    clock = clock or get_clock()
    with supervision_writes(), transaction.atomic():
        lot, _holds, complaint, tender = complaint_lock(complaint)
        now = clock()
        complaint.status = complaint_step(complaint, ComplaintEvent.ACCEPT)
        _book, limits = complaint_rulebook(tender, now)
        complaint.accepted_at = now
        complaint.handled_by = actor
        if complaint.decision_due is None:
            start = decision_start(
                limits.decision.from_point, filed_at=complaint.filed_at, accepted_at=now
            )
            complaint.decision_due = _book.complaint_due(limits.decision, start)
        complaint.save(update_fields=["status", "accepted_at", "handled_by", "decision_due"])
        late = now > complaint.acceptance_due
        notify(
            complaint_parties(complaint, tender),
            kind="complaint.accepted",
            title=Message(
                gettext_noop("投诉已受理，处理期限 %(due)s：%(code)s"),
                due=format_moment(complaint.decision_due),
                code=lot.code,
            ),
            now=now,
        )
        complaint_event("complaint.accepted", complaint, lot, tender, now)
        ledger(
            tender,
            action="complaint.accepted",
            actor=actor,
            obj=lot,
            payload={
                "complaint": complaint.pk,
                "decision_due": complaint.decision_due.isoformat(),
                "late": late,
            },
            now=now,
        )
    return complaint


def complaint_refuse(
    *, complaint: Complaint, reasons: str, actor: User, clock: Clock | None = None
) -> Complaint:
    """The regulator refuses the complaint, with its reasons (不予受理, 财政部令第94号 第21条)."""
    complaint_regulator(actor, complaint)
    reasons = required_text(reasons, "reasons", _("请填写不予受理的理由。"))
    clock = clock or get_clock()
    with supervision_writes(), transaction.atomic():
        lot, holds, complaint, tender = complaint_lock(complaint)
        now = clock()
        complaint.status = complaint_step(complaint, ComplaintEvent.REFUSE)
        complaint.reasons = reasons
        complaint.handled_by = actor
        complaint.save(update_fields=["status", "reasons", "handled_by"])
        notify(
            complaint_parties(complaint, tender),
            kind="complaint.refused",
            title=Message(gettext_noop("投诉不予受理：%(code)s"), code=lot.code),
            body=reasons[:200],
            now=now,
        )
        complaint_event("complaint.refused", complaint, lot, tender, now)
        resumed = complaint_hold_release(complaint, lot, tender, holds, actor, now)
        ledger(
            tender,
            action="complaint.refused",
            actor=actor,
            obj=lot,
            payload={
                "complaint": complaint.pk,
                "reasons": reasons,
                "late": now > complaint.acceptance_due,
            },
            now=now,
        )
        complaint_resumed_ledger(tender, lot, resumed, actor, now)
    return complaint


def complaint_hold(
    *, complaint: Complaint, note: str, actor: User, clock: Clock | None = None
) -> Complaint:
    """The regulator suspends the lot while it handles the complaint (实施条例 第62条;
    政府采购法 第57条), through the holds service."""
    complaint_regulator(actor, complaint)
    with supervision_writes(), transaction.atomic():
        # Two clicks at once: the second waits on the complaint's row and finds its hold.
        lot, holds, complaint, _tender = complaint_lock(complaint)
        if ComplaintStatus(complaint.status) in TERMINAL:
            raise ValidationError(_("该投诉已处理完毕，不能暂停标段。"), code="status")
        if complaint.hold_id in holds:
            raise ValidationError(_("该投诉已暂停标段。"), code="held")
        hold = hold_place(lot=lot, reason=HoldReason.COMPLAINT, note=note, actor=actor, clock=clock)
        complaint.hold = hold
        complaint.save(update_fields=["hold"])
    return complaint


def complaint_statements_request(
    *,
    complaint: Complaint,
    parties: Sequence[Organisation],
    due: datetime | None,
    actor: User,
    clock: Clock | None = None,
) -> list[ComplaintStatement]:
    """The regulator asks the parties for written statements by `due` (财政部令第94号 第26条)."""
    complaint_regulator(actor, complaint)
    if not parties:
        raise ValidationError({"parties": _("请选择需要提交书面说明的当事人。")}, code="parties")
    if due is None:
        raise ValidationError({"due": _("请填写书面说明的期限。")}, code="due")
    clock = clock or get_clock()
    with supervision_writes(), transaction.atomic():
        lot, _holds, complaint, tender = complaint_lock(complaint)
        now = clock()
        if due <= now:
            raise ValidationError({"due": _("书面说明的期限应晚于现在。")}, code="due")
        allowed = statement_parties(complaint, tender)
        if any(party.pk not in allowed for party in parties):
            raise ValidationError(
                {"parties": _("只能要求投诉的当事人提交书面说明。")}, code="parties"
            )
        complaint.status = complaint_step(complaint, ComplaintEvent.REQUEST_STATEMENTS)
        complaint.save(update_fields=["status"])
        rows = [
            ComplaintStatement.objects.create(
                complaint=complaint, party=party, requested_at=now, due=due
            )
            for party in parties
        ]
        notify(
            organisation_users(party.pk for party in parties),
            kind="complaint.statement_requested",
            title=Message(
                gettext_noop("请于 %(due)s 前就投诉提交书面说明：%(code)s"),
                due=format_moment(due),
                code=lot.code,
            ),
            now=now,
        )
        ledger(
            tender,
            action="complaint.statements_requested",
            actor=actor,
            obj=lot,
            payload={
                "complaint": complaint.pk,
                "parties": [party.pk for party in parties],
                "due": due.isoformat(),
            },
            now=now,
        )
    return rows


def complaint_statement_submit(
    *, statement: ComplaintStatement, text: str, actor: User, clock: Clock | None = None
) -> ComplaintStatement:
    """A party submits its written statement; one after the due date is kept, marked late."""
    if actor.organisation_id != statement.party_id or not actor.is_active:
        raise Http404(_("没有找到该书面说明。"))
    text = required_text(text, "text", _("请填写书面说明。"))
    clock = clock or get_clock()
    with transaction.atomic():
        lot, _holds, complaint, tender = complaint_lock(statement.complaint)
        statement = ComplaintStatement.objects.select_for_update().get(pk=statement.pk)
        now = clock()
        if statement.submitted_at is not None:
            raise ValidationError(_("该书面说明已提交。"), code="submitted")
        if complaint.status != "statements_requested":
            raise ValidationError(_("该投诉已处理完毕，不再接收书面说明。"), code="status")
        statement.text = text
        statement.submitted_by = actor
        statement.submitted_at = now
        statement.save(update_fields=["text", "submitted_by", "submitted_at"])
        notify(
            [complaint.handled_by],
            kind="complaint.statement_submitted",
            title=Message(gettext_noop("当事人已提交书面说明：%(code)s"), code=lot.code),
            now=now,
        )
        ledger(
            tender,
            action="complaint.statement_submitted",
            actor=actor,
            obj=lot,
            payload={
                "complaint": complaint.pk,
                "statement": statement.pk,
                "late": now > statement.due,
            },
            now=now,
        )
    return statement


def complaint_extend(
    *,
    complaint: Complaint,
    new_due: datetime | None,
    reason: str,
    actor: User,
    clock: Clock | None = None,
) -> ComplaintExtension:
    """The regulator moves its decision date, with a reason (实施条例 第61条: 检验、检测、鉴定、
    专家评审 do not count; 财政部令第94号 第28条)."""
    complaint_regulator(actor, complaint)
    reason = required_text(reason, "reason", _("请填写延期理由。"))
    if new_due is None:
        raise ValidationError({"new_due": _("请填写新的处理期限。")}, code="new_due")
    clock = clock or get_clock()
    with supervision_writes(), transaction.atomic():
        lot, _holds, complaint, tender = complaint_lock(complaint)
        now = clock()
        complaint_step(complaint, ComplaintEvent.EXTEND)
        previous = complaint.decision_due
        if previous is None or new_due <= previous:
            raise ValidationError({"new_due": _("新的处理期限应晚于原期限。")}, code="new_due")
        extension = ComplaintExtension.objects.create(
            complaint=complaint,
            reason=reason,
            previous_due=previous,
            new_due=new_due,
            extended_by=actor,
            extended_at=now,
        )
        complaint.decision_due = new_due
        complaint.save(update_fields=["decision_due"])
        notify(
            complaint_parties(complaint, tender),
            kind="complaint.extended",
            title=Message(
                gettext_noop("投诉处理期限延长至 %(due)s：%(code)s"),
                due=format_moment(new_due),
                code=lot.code,
            ),
            body=reason[:200],
            now=now,
        )
        ledger(
            tender,
            action="complaint.extended",
            actor=actor,
            obj=lot,
            payload={
                "complaint": complaint.pk,
                "previous_due": previous.isoformat(),
                "new_due": new_due.isoformat(),
                "reason": reason,
            },
            now=now,
        )
    return extension


def complaint_decide(
    *,
    complaint: Complaint,
    upheld: bool,
    reasons: str,
    actor: User,
    order: str = "",
    clock: Clock | None = None,
) -> Complaint:
    """The regulator decides: dismissed, or upheld with an order (实施条例 第61、71条;
    政府采购法 第56条). After the limit it still decides; the entry says late."""
    complaint_regulator(actor, complaint)
    reasons = required_text(reasons, "reasons", _("请填写处理决定的理由。"))
    event = ComplaintEvent.UPHOLD if upheld else ComplaintEvent.DISMISS
    order = (order or "").strip()
    if order_required(event, order):
        raise ValidationError(
            {"order": _("投诉成立时请选择处理决定。") if upheld else _("驳回投诉不作处理决定。")},
            code="order",
        )
    clock = clock or get_clock()
    with supervision_writes(), transaction.atomic():
        lot, holds, complaint, tender = complaint_lock(complaint)
        now = clock()
        complaint.status = complaint_step(complaint, event)
        complaint.reasons = reasons
        complaint.order = order
        complaint.decided_at = now
        complaint.handled_by = actor
        complaint.decided_late = complaint.decision_due is not None and now > complaint.decision_due
        complaint.save(
            update_fields=["status", "reasons", "order", "decided_at", "handled_by", "decided_late"]
        )
        notify(
            complaint_parties(complaint, tender),
            kind="complaint.decided",
            title=(
                Message(gettext_noop("投诉成立：%(code)s"), code=lot.code)
                if upheld
                else Message(gettext_noop("投诉已驳回：%(code)s"), code=lot.code)
            ),
            body=reasons[:200],
            now=now,
        )
        complaint_event(
            "complaint.decided",
            complaint,
            lot,
            tender,
            now,
            upheld=upheld,
            order=order,
            late=complaint.decided_late,
        )
        resumed = complaint_hold_release(complaint, lot, tender, holds, actor, now)
        ledger(
            tender,
            action="complaint.decided",
            actor=actor,
            obj=lot,
            payload={
                "complaint": complaint.pk,
                "upheld": upheld,
                "order": order,
                "reasons": reasons,
                "late": complaint.decided_late,
            },
            now=now,
        )
        complaint_resumed_ledger(tender, lot, resumed, actor, now)
    return complaint


def complaint_withdraw(
    *, complaint: Complaint, actor: User, reason: str = "", clock: Clock | None = None
) -> Complaint:
    """The complainant withdraws before the decision (财政部令第94号 第24条)."""
    if actor.organisation_id != complaint.complainant_id or not actor.is_active:
        raise Http404(_("没有找到该投诉。"))
    clock = clock or get_clock()
    with transaction.atomic():
        lot, holds, complaint, tender = complaint_lock(complaint)
        now = clock()
        complaint.status = complaint_step(complaint, ComplaintEvent.WITHDRAW)
        complaint.withdrawn_at = now
        complaint.save(update_fields=["status", "withdrawn_at"])
        notify(
            [*owner_side_users(tender.project), complaint.handled_by],
            kind="complaint.withdrawn",
            title=Message(gettext_noop("投诉已撤回：%(code)s"), code=lot.code),
            body=(reason or "").strip()[:200],
            now=now,
        )
        resumed = complaint_hold_release(complaint, lot, tender, holds, actor, now)
        ledger(
            tender,
            action="complaint.withdrawn",
            actor=actor,
            obj=lot,
            payload={"complaint": complaint.pk, "reason": (reason or "").strip()},
            now=now,
        )
        complaint_resumed_ledger(tender, lot, resumed, actor, now)
    return complaint
