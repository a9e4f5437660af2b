"""The chokepoint of a deposit page: only the enrolment's own organisations learn it exists."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from bidding.models import Enrolment
from trading.models import User
from trading.selectors.access import acting_organisation_id


def access_enrolment_deposit(
    user: User, enrolment_id: int, *, withdrawn_ok: bool = False
) -> Enrolment:
    """The enrolment if `user` acts for one of its verified members; 404 for everybody else (法
    第22条: nobody else may learn who enrolled). A withdrawn enrolment is read (its refund) only
    where `withdrawn_ok`; nothing may be paid into it."""
    organisation_id = acting_organisation_id(user)
    enrolments = Enrolment.objects.select_related(
        "lot__tender__project__business_type",
        "lot__tender__project__owner",
        "lot__tender__procedure",
        "lead",
    ).filter(pk=enrolment_id)
    if not withdrawn_ok:
        enrolments = enrolments.filter(withdrawn_at__isnull=True)
    enrolment = enrolments.first()
    if (
        organisation_id is None
        or user.organisation is None
        or not user.organisation.is_verified
        or enrolment is None
        or (
            enrolment.lead_id != organisation_id
            and not enrolment.members.filter(organisation_id=organisation_id).exists()
        )
    ):
        raise Http404(_("没有找到该报名。"))
    return enrolment
