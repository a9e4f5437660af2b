"""Reads of enrolments (报名) and their chokepoints.

Who enrolled, and how many did, is sealed until the opening (招标投标法 第22条): a bidder reads
its own enrolments only, and nothing here counts or lists another organisation's.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from bidding.domain.enrolment import Refusal, enrolment_deadline, enrolment_refusal
from bidding.models import Enrolment
from trading.domain.employer import OrganisationKind
from trading.domain.lifecycle import LotStatus, TenderStatus
from trading.domain.uscc import normalise
from trading.models import Lot, Organisation, User
from trading.selectors.access import acting_organisation_id


def access_bidder(user: User) -> Organisation:
    """The bidder organisation the user acts for; 403 for every other role."""
    if (
        acting_organisation_id(user) is None
        or user.organisation_kind != OrganisationKind.BIDDER
        or user.organisation is None
    ):
        raise PermissionDenied(_("此页面只向投标人开放。"))
    return user.organisation


def access_enrolment_lot(user: User, lot_id: int) -> Lot:
    """A published lot as a bidder reaches it to enrol: 404 for a lot not announced."""
    access_bidder(user)
    lot = (
        Lot.objects.select_related("tender__procedure", "tender__project__business_type")
        .filter(pk=lot_id)
        .first()
    )
    if lot is None or lot.tender.status != TenderStatus.PUBLISHED or lot.status == LotStatus.DRAFT:
        raise Http404(_("没有找到该标段。"))
    return lot


def enrolment_lot_refusal(lot: Lot, now: datetime) -> Refusal | None:
    """Why `lot` takes no enrolment or withdrawal now (None when it does)."""
    family = lot.tender.procedure.family
    return enrolment_refusal(
        family=family,
        status=lot.status,
        now=now,
        deadline=lot_enrolment_deadline(lot),
        suspended=lot.suspended_at is not None,
    )


def lot_enrolment_deadline(lot: Lot) -> datetime | None:
    """When enrolment in `lot` ends."""
    return enrolment_deadline(
        lot.tender.procedure.family,
        closes_at=lot.closes_at,
        applications_close_at=lot.applications_close_at,
    )


def enrolment_get_own(user: User, lot: Lot) -> Enrolment | None:
    """The enrolment of the user's organisation in `lot`, as lead or consortium member."""
    org_id = acting_organisation_id(user)
    if org_id is None:
        return None
    return (
        Enrolment.objects.filter(lot=lot, members__organisation_id=org_id)
        .select_related("lead")
        .prefetch_related("members__organisation")
        .first()
    )


def access_enrolment_agreement(user: User, lot_id: int) -> Enrolment:
    """The consortium agreement of the user's own enrolment in the lot: its members only."""
    lot = access_enrolment_lot(user, lot_id)
    enrolment = enrolment_get_own(user, lot)
    if enrolment is None or not enrolment.agreement:
        raise Http404(_("没有找到联合体协议书。"))
    return enrolment


def lot_participants_of(lot: Lot) -> QuerySet[Organisation]:
    """Who takes part in `lot`: the bidder (or consortium lead) of each enrolment not withdrawn.

    For trading's candidate forms after the opening only: before it, this is sealed.
    """
    return (
        Organisation.objects.filter(
            enrolments_led__lot=lot, enrolments_led__withdrawn_at__isnull=True
        )
        .distinct()
        .order_by("name")
    )


def organisation_find_by_uscc(raw: str) -> Organisation | None:
    """A registered organisation by its 统一社会信用代码 (as typed: spaces and case ignored)."""
    return Organisation.objects.filter(uscc=normalise(raw)).first()
