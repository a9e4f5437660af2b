"""Complaints as their readers see them: the regulator's list, the pending limit and its light,
and each complaint's limits on its lot's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trading.domain.complaints import TERMINAL, ComplaintStatus, working_days_left
from trading.domain.points import Point
from trading.domain.timeline import Calendar, Light, light
from trading.models import Complaint, Lot, User
from trading.selectors.access import Purpose, acting_organisation_id, may
from trading.selectors.tenders import tender_list_for_regulator
from trading.selectors.timeline import WARN_BEFORE, TimelineItem, tender_rulebook


def complaint_queryset() -> QuerySet[Complaint]:
    return Complaint.objects.select_related(
        "lot__tender__project", "complainant", "objection", "hold"
    )


def complaint_list_for_regulator(user: User) -> QuerySet[Complaint]:
    """Complaints on the lots of the regulator's jurisdictions, the open ones first."""
    return complaint_queryset().filter(lot__tender__in=tender_list_for_regulator(user))


def complaint_get_for_regulator(user: User, pk: int) -> Complaint:
    """A complaint in the regulator's jurisdiction; 404 otherwise (its existence stays hidden)."""
    complaint = complaint_queryset().filter(pk=pk).first()
    if complaint is None or not may(user, complaint.lot.tender, purpose=Purpose.SUPERVISE):
        raise Http404(_("没有找到该投诉。"))
    return complaint


def complaint_get_for_party(user: User, pk: int) -> Complaint:
    """A complaint read by its complainant or a party asked for a statement; 404 for others."""
    complaint = complaint_queryset().filter(pk=pk).first()
    org = acting_organisation_id(user)
    if (
        complaint is None
        or org is None
        or (
            org != complaint.complainant_id
            and not complaint.statements.filter(party_id=org).exists()
        )
    ):
        raise Http404(_("没有找到该投诉。"))
    return complaint


# The regulator's documents, by the names the notices app prints them under (pages link to them
# by URL name: trading never imports notices).
DOCUMENT_LABELS = {
    "complaint_accepted": gettext_lazy("投诉受理通知书"),
    "complaint_refused": gettext_lazy("投诉不予受理通知书"),
    "complaint_decision": gettext_lazy("投诉处理决定书"),
}


def complaint_documents_issued(complaint: Complaint) -> list[tuple[str, str]]:
    """(kind, label) of each document the complaint's steps have issued so far (实施条例 第61条;
    财政部令第94号 第21、33条): the acceptance or the refusal, then the decision."""
    kinds = []
    if complaint.accepted_at is not None:
        kinds.append("complaint_accepted")
    if complaint.status == ComplaintStatus.REFUSED:
        kinds.append("complaint_refused")
    if complaint.decided_at is not None:
        kinds.append("complaint_decision")
    return [(kind, str(DOCUMENT_LABELS[kind])) for kind in kinds]


@dataclass(frozen=True)
class ComplaintLight:
    """The limit a complaint waits on, its light and the working days left (negative: overdue)."""

    label: str
    due: datetime | None
    light: Light
    working_days_left: int | None


def complaint_light(complaint: Complaint, now: datetime) -> ComplaintLight:
    """Acceptance while filed, the decision (as extended) once accepted; a late decision red."""
    status = ComplaintStatus(complaint.status)
    if status in TERMINAL:
        late = complaint.decided_late
        return ComplaintLight(_("已办结"), None, Light.RED if late else Light.DONE, None)
    due: datetime | None
    if status is ComplaintStatus.FILED:
        label, due = _("受理期限"), complaint.acceptance_due
    else:
        label, due = _("处理期限"), complaint.decision_due
    if due is None:
        return ComplaintLight(label, None, Light.GREEN, None)
    calendar = tender_rulebook(complaint.lot.tender, now=now).calendar
    return ComplaintLight(
        label,
        due,
        light(due=due, now=now, done_at=None, warn=WARN_BEFORE),
        working_days_left(calendar, now, due),
    )


def complaint_timeline(lot: Lot, now: datetime) -> list[TimelineItem]:
    """Each complaint's acceptance and decision limits on the lot's timeline, with their working
    days left (实施条例 第61条; 政府采购法 第56条; 财政部令第94号 第21条). A refused complaint has
    nothing left to count; a withdrawn one stopped its limits; a late decision stays red."""
    complaints = sorted(lot.complaints.all(), key=lambda c: (c.filed_at, c.pk))
    if not complaints:
        return []
    book = tender_rulebook(lot.tender, now=now)
    items: list[TimelineItem] = []
    for n, complaint in enumerate(complaints, start=1):
        if complaint.status == ComplaintStatus.REFUSED:
            continue
        accepted = complaint.accepted_at or complaint.withdrawn_at
        items.append(
            _limit_item(
                f"complaint_acceptance:{complaint.pk}",
                _("第%(n)s件投诉受理期限") % {"n": n},
                complaint.acceptance_due,
                accepted,
                now,
                book.calendar,
                book.article(Point.COMPLAINT_ACCEPTED),
            )
        )
        if complaint.decision_due is None:
            # Engineering counts the decision from the acceptance (实施条例 第61条): not yet.
            continue
        items.append(
            _limit_item(
                f"complaint_decision:{complaint.pk}",
                _("第%(n)s件投诉处理期限") % {"n": n},
                # The extensions moved it; the light shows the new date (实施条例 第61条).
                complaint.decision_due,
                complaint.decided_at or complaint.withdrawn_at,
                now,
                book.calendar,
                book.article(Point.COMPLAINT_DECIDED),
            )
        )
    return items


def _limit_item(
    key: str,
    label: str,
    due: datetime,
    done_at: datetime | None,
    now: datetime,
    calendar: Calendar,
    article: str,
) -> TimelineItem:
    return TimelineItem(
        key,
        label,
        due,
        done_at,
        light(due=due, now=now, done_at=done_at, warn=WARN_BEFORE),
        article,
        working_days_left=None if done_at else working_days_left(calendar, now, due),
    )
