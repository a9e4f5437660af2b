"""What the center's administrator oversees: every desk, its staff and its work, read-only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, QuerySet
from guardian.models import UserObjectPermission

from trading.domain.employer import Grant
from trading.domain.lifecycle import TERMINAL, LotStatus, TenderStatus
from trading.models import Desk, Lot, Organisation, Tender, User
from trading.selectors.access import tender_queryset


@dataclass
class DeskRow:
    """One desk as the center's administrator sees it: who operates it and what it holds."""

    desk: Desk
    staff: list[User] = field(default_factory=list)
    pending: int = 0
    active_lots: int = 0


def desk_overview() -> list[DeskRow]:
    """Every desk with its staff, the tenders awaiting its review and its lots under way."""
    desks = list(
        Desk.objects.select_related("region", "business_type").order_by(
            "region__code", "business_type__number"
        )
    )
    staff: dict[str, list[User]] = defaultdict(list)
    grants = (
        UserObjectPermission.objects.filter(
            permission__codename=Grant.OPERATE_DESK.value,
            content_type=ContentType.objects.get_for_model(Desk),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__username")
    )
    for grant in grants:
        staff[grant.object_pk].append(grant.user)
    pending = dict(
        Tender.objects.filter(status=TenderStatus.PENDING_REVIEW, project__training=False)
        .values_list("desk_id")
        .annotate(n=Count("pk"))
        .values_list("desk_id", "n")
    )
    finished = [s.value for s in TERMINAL] + [LotStatus.DRAFT.value]
    active = dict(
        Lot.objects.filter(tender__project__training=False)
        .exclude(status__in=finished)
        .values_list("tender__desk_id")
        .annotate(n=Count("pk"))
        .values_list("tender__desk_id", "n")
    )
    return [
        DeskRow(
            desk=desk,
            staff=staff.get(str(desk.pk), []),
            pending=pending.get(desk.pk, 0),
            active_lots=active.get(desk.pk, 0),
        )
        for desk in desks
    ]


def tender_list_pending_everywhere() -> QuerySet[Tender]:
    """Tenders awaiting review at any desk, oldest first: the center's whole review queue."""
    return (
        tender_queryset()
        .filter(status=TenderStatus.PENDING_REVIEW)
        .select_related("desk__region", "desk__business_type", "submitted_by")
        .order_by("created_at", "pk")
    )


def center_user_list(center: Organisation) -> QuerySet[User]:
    """The center's active users, who may be given a desk (管办分离: nobody else may)."""
    return User.objects.filter(organisation=center, is_active=True).order_by("username")
