"""What the complaint services share: the rule rows, the regulators, the locks, the hold's end.

Kept apart so `trading.services.complaints` stays one screenful per step; nothing here is called
from outside the complaint services.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from guardian.shortcuts import get_users_with_perms

from trading.domain.complaints import ComplaintEvent, IllegalStep, complaint_transition
from trading.domain.employer import Grant, OrganisationKind
from trading.events import event_emit
from trading.lock_objects import lock_active_holds, lock_complaint, lock_lot
from trading.models import Complaint, Jurisdiction, Lot, Tender, User
from trading.selectors.access import Purpose, access_lot, owner_side_users
from trading.selectors.timeline import Rulebook, tender_rulebook
from trading.services.common import fixed_clock, ledger, lot_tender, notify
from trading.services.holds import hold_release, lot_stakeholders
from trading.translatable import Message

# The most attachments one complaint carries, and the size of each (a complaint is a letter
# with its evidence, not a tender's documents).
MAX_ATTACHMENTS = 10


def attachment_limit() -> int:
    return int(getattr(settings, "COMPLAINT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def required_text(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message}, code=field)
    return value


def complaint_step(complaint: Complaint, event: ComplaintEvent) -> str:
    try:
        return complaint_transition(complaint.status, event).value
    except IllegalStep:
        raise ValidationError(
            _("投诉当前状态为“%(s)s”，不能进行此操作。") % {"s": complaint.get_status_display()},
            code="status",
        ) from None


def complaint_rulebook(tender: Tender, now: datetime) -> tuple[Rulebook, Any]:
    book = tender_rulebook(tender, now=now)
    limits = book.complaint_limits()
    if limits.filing is None or limits.acceptance is None or limits.decision is None:
        raise ValidationError(
            _("该业务类型没有投诉的法定期限，请向监督部门书面投诉。"), code="no_rule"
        )
    return book, limits


def tender_regulators(tender: Tender) -> list[User]:
    """Active users of the regulators whose jurisdiction covers the tender (管办分离)."""
    project = tender.project
    found: dict[int, User] = {}
    for jurisdiction in Jurisdiction.objects.prefetch_related(
        "regions", "business_types", "industries"
    ):
        if not jurisdiction.covers(
            region=project.region, business_type=project.business_type, industry=project.industry
        ):
            continue
        # Without attach_perms guardian returns a queryset of users.
        users = cast(
            "QuerySet[User]",
            get_users_with_perms(
                jurisdiction,
                with_superusers=False,
                only_with_perms_in=[Grant.SUPERVISE_JURISDICTION.value],
            ),
        )
        for user in users:
            if user.is_active and user.organisation_kind == OrganisationKind.REGULATOR:
                found[user.pk] = user
    return [found[pk] for pk in sorted(found)]


def organisation_users(organisation_ids: Iterable[int]) -> list[User]:
    return list(
        User.objects.filter(organisation_id__in=list(organisation_ids), is_active=True).order_by(
            "pk"
        )
    )


def complaint_parties(complaint: Complaint, tender: Tender) -> list[User]:
    """Who a complaint's steps are told to: the complainant and the owner side."""
    return [*organisation_users([complaint.complainant_id]), *owner_side_users(tender.project)]


def complaint_lock(complaint: Complaint) -> tuple[Lot, dict[int, Any], Complaint, Tender]:
    lot = lock_lot(complaint.lot_id)
    holds = {row.pk: row for row in lock_active_holds(lot.pk)}
    return lot, holds, lock_complaint(complaint.pk), lot_tender(lot)


def complaint_hold_release(
    complaint: Complaint,
    lot: Lot,
    tender: Tender,
    holds: dict[int, Any],
    actor: User,
    now: datetime,
) -> dict[str, Any] | None:
    """The complaint's own hold ends with it; the lot resumes only if no other hold remains.
    Returns the resumption's ledger payload, for `complaint_resumed_ledger` after the step's."""
    if complaint.hold_id not in holds:
        return None
    resumed = hold_release(lot, tender, holds[complaint.hold_id], actor=actor, now=now)
    if resumed is not None:
        notify(
            lot_stakeholders(tender),
            kind="lot.resumed",
            title=Message(gettext_noop("标段已恢复：%(code)s"), code=lot.code),
            now=now,
        )
    return resumed


def complaint_resumed_ledger(
    tender: Tender, lot: Lot, resumed: dict[str, Any] | None, actor: User, now: datetime
) -> None:
    """The lot's resumption in the chain, after the step that caused it (the ledger last)."""
    if resumed is not None:
        ledger(tender, action="lot.resumed", actor=actor, obj=lot, payload=resumed, now=now)


def complaint_regulator(actor: User, complaint: Complaint) -> None:
    # A complaint outside the regulator's jurisdiction does not exist for it (404), even on a
    # published lot anyone signed in may know of.
    try:
        access_lot(actor, complaint.lot_id, purpose=Purpose.SUPERVISE)
    except PermissionDenied:
        raise Http404(_("没有找到该投诉。")) from None


def statement_parties(complaint: Complaint, tender: Tender) -> set[int]:
    """Who may be asked for a statement: the complainant, the owner and its agency, and the
    candidates whose result the complaint may change (财政部令第94号 第26条)."""
    project = tender.project
    parties = {complaint.complainant_id, project.owner_id}
    if project.agency_id:
        parties.add(project.agency_id)
    parties |= set(complaint.lot.candidates.values_list("organisation_id", flat=True))
    return parties


def complaint_event(
    kind: str, complaint: Complaint, lot: Lot, tender: Tender, now: datetime, **extra: Any
) -> None:
    """The outbox event of a step that produces a document (受理通知书, 不予受理通知书,
    处理决定书): the notices' renderer drafts it from here (财政部令第94号 第21、30条)."""
    event_emit(
        kind=kind,
        subject=f"complaint:{complaint.pk}",
        payload={"complaint": complaint.pk, "lot": lot.pk, "tender": tender.pk, **extra},
        clock=fixed_clock(now),
    )
