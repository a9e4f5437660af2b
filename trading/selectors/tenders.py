"""Lists of projects, tenders and lots for each console, and a lot's history.

Every list is scoped by who asks; a single tender or lot is reached through the chokepoints of
`trading.selectors.access`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from trading.domain.lifecycle import TenderStatus
from trading.models import Jurisdiction, LedgerEntry, Lot, Project, Tender, User
from trading.selectors.access import acting_organisation_id, tender_queryset
from trading.selectors.grants import desk_list_operated_by, jurisdiction_list_supervised_by


def tender_scope_key(tender_id: int) -> str:
    """The ledger chain of one tender (DESIGN.md invariant 6)."""
    return f"tender:{tender_id}"


def sealed_scope_key(lot_id: int) -> str:
    """The lot's sealed chain: who takes part, shown to no one before the opening (inv. 3, 6)."""
    return f"lot:{lot_id}:sealed"


def project_list_for_owner(user: User) -> QuerySet[Project]:
    """Projects the user's organisation owns or acts for as agency, newest first."""
    org_id = acting_organisation_id(user)
    if org_id is None:
        return Project.objects.none()
    return (
        Project.objects.filter(Q(owner_id=org_id) | Q(agency_id=org_id))
        .select_related("region", "business_type", "owner", "agency")
        .order_by("-created_at", "-id")
    )


def tender_list_for_owner(user: User) -> QuerySet[Tender]:
    """Tenders of the projects the user's organisation owns or acts for as agency."""
    org_id = acting_organisation_id(user)
    if org_id is None:
        return Tender.objects.none()
    return (
        tender_queryset()
        .filter(Q(project__owner_id=org_id) | Q(project__agency_id=org_id))
        .prefetch_related("lots")
    )


def tender_list_for_desk_staff(
    user: User, *, filters: Mapping[str, Any] | None = None
) -> QuerySet[Tender]:
    """Tenders of the user's desks, filtered by region, business type, procedure, status, date, q.

    `filters` keys (all optional): region, business_type, procedure (codes), status (a tender or
    lot status), date_from / date_to (dates, on the creation day), q (code or name), training.
    """
    if acting_organisation_id(user) is None:
        return Tender.objects.none()
    tenders = (
        tender_queryset()
        .filter(desk__in=desk_list_operated_by(user))
        .filter(~Q(status=TenderStatus.DRAFT) | Q(drafted_by_id=user.pk))
    )
    filters = {key: value for key, value in (filters or {}).items() if value not in (None, "")}
    if "region" in filters:
        tenders = tenders.filter(project__region__code=filters["region"])
    if "business_type" in filters:
        tenders = tenders.filter(project__business_type__code=filters["business_type"])
    if "procedure" in filters:
        tenders = tenders.filter(procedure__code=filters["procedure"])
    if "status" in filters:
        status = str(filters["status"])
        if status in TenderStatus.__members__.values():
            tenders = tenders.filter(status=status)
        else:
            tenders = tenders.filter(lots__status=status)
    if "date_from" in filters:
        tenders = tenders.filter(created_at__date__gte=filters["date_from"])
    if "date_to" in filters:
        tenders = tenders.filter(created_at__date__lte=filters["date_to"])
    if "q" in filters:
        q = str(filters["q"]).strip()
        tenders = tenders.filter(
            Q(code__icontains=q) | Q(name__icontains=q) | Q(project__name__icontains=q)
        )
    if "training" in filters:
        tenders = tenders.filter(project__training=bool(filters["training"]))
    return tenders.distinct().prefetch_related("lots")


def tender_list_review_queue(user: User, *, training: bool = False) -> QuerySet[Tender]:
    """Submitted tenders of the user's desks, oldest first (the user's own drafts included,
    marked by the page: a second staff member publishes them)."""
    return (
        tender_list_for_desk_staff(user, filters={})
        .filter(status=TenderStatus.PENDING_REVIEW, project__training=training)
        .select_related("project__owner", "procedure", "desk__region", "desk__business_type")
        .order_by("created_at", "pk")
    )


def lot_list_for_desk_staff(user: User, filters: Mapping[str, Any]) -> QuerySet[Lot]:
    """The lots of the user's desks for the staff console, filtered as its form says.

    Drafts are the owner's until submitted: staff see what was brought to them.
    """
    tenders = tender_list_for_desk_staff(user, filters={}).filter(
        project__training=bool(filters.get("training"))
    )
    lots = Lot.objects.filter(tender__in=tenders).select_related(
        "tender__project",
        "tender__procedure",
        "tender__desk__region",
        "tender__desk__business_type",
        # A contract departing from the award is marked on the list (招标投标法 第46条).
        "contract",
    )
    if filters.get("q"):
        term = str(filters["q"]).strip()
        lots = lots.filter(
            Q(code__icontains=term)
            | Q(name__icontains=term)
            | Q(tender__code__icontains=term)
            | Q(tender__name__icontains=term)
            | Q(tender__project__code__icontains=term)
            | Q(tender__project__name__icontains=term)
            | Q(tender__trade_id__icontains=term)
        )
    if filters.get("region"):
        lots = lots.filter(tender__desk__region=filters["region"])
    if filters.get("business_type"):
        lots = lots.filter(tender__desk__business_type=filters["business_type"])
    if filters.get("procedure"):
        lots = lots.filter(tender__procedure=filters["procedure"])
    status = str(filters.get("status") or "")
    if status.startswith("tender:"):
        lots = lots.filter(tender__status=status.removeprefix("tender:"))
    elif status.startswith("lot:"):
        lots = lots.filter(status=status.removeprefix("lot:"))
    if filters.get("date_from"):
        lots = lots.filter(closes_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        lots = lots.filter(closes_at__date__lte=filters["date_to"])
    return lots.exclude(tender__status=TenderStatus.DRAFT).order_by("-tender__created_at", "code")


def jurisdiction_condition(
    user: User, *, to_project: str = "project__", jurisdictions: list[Jurisdiction] | None = None
) -> Q:
    """A filter matching the projects (reached through `to_project`) the user supervises;
    `jurisdictions` are the user's, when the caller has them already."""
    condition = Q(pk__in=[])
    if acting_organisation_id(user) is None:
        return condition
    if jurisdictions is None:
        jurisdictions = list(jurisdiction_list_supervised_by(user))
    for jurisdiction in jurisdictions:
        scope = Q(
            **{
                f"{to_project}region_id__in": jurisdiction.region_ids(),
                f"{to_project}business_type_id__in": [
                    bt.pk for bt in jurisdiction.business_types.all()
                ],
            }
        )
        industries = [industry.pk for industry in jurisdiction.industries.all()]
        if industries:
            scope &= (
                Q(**{f"{to_project}industry__isnull": True})
                | Q(**{f"{to_project}industry_id__in": industries})
                | Q(**{f"{to_project}industry__parent_id__in": industries})
            )
        condition |= scope
    return condition


def tender_list_for_regulator(user: User) -> QuerySet[Tender]:
    """Submitted and published tenders inside the user's jurisdictions."""
    return (
        tender_queryset()
        .filter(jurisdiction_condition(user, to_project="project__"))
        .exclude(status=TenderStatus.DRAFT)
    )


def lot_ledger_entries(lot: Lot) -> QuerySet[LedgerEntry]:
    """The lot's entries and its tender's own, in chain order (the lot page's history).

    Only the tender's chain: the lot's sealed scope (downloads, later enrolments) never shows here.
    """
    return (
        LedgerEntry.objects.filter(scope__key=tender_scope_key(lot.tender_id))
        .filter(Q(object_type="lot", object_id=str(lot.pk)) | Q(object_type="tender"))
        .order_by("seq")
    )


@dataclass(frozen=True)
class ReviewDecision:
    """The desk's last answer to a submitted tender: who returned it, when, and why."""

    actor_label: str
    decided_at: datetime
    reason: str


def tender_last_return(tender: Tender) -> ReviewDecision | None:
    """The desk's return of a draft, shown on its page until the draft is submitted again."""
    if tender.status != TenderStatus.DRAFT:
        return None
    entry = (
        LedgerEntry.objects.filter(
            scope__key=tender_scope_key(tender.pk),
            action__in=("tender.submitted", "tender.rejected"),
        )
        .order_by("-seq")
        .first()
    )
    if entry is None or entry.action != "tender.rejected":
        return None
    return ReviewDecision(
        actor_label=entry.actor_label,
        decided_at=entry.recorded_at,
        reason=str(entry.payload.get("reason", "")),
    )
