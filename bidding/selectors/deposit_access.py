"""The chokepoint of a deposit page: only the enrolment's own organisations learn it exists."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from bidding.models import Enrolment
from trading.models import User
from trading.selectors.access import acting_organisation_id


def access_enrolment_deposit(user: User, enrolment_id: int) -> Enrolment:
    """The enrolment if `user` acts for one of its members; 404 for everybody else (法 第22条:
    nobody else may learn who enrolled)."""
    organisation_id = acting_organisation_id(user)
    enrolment = (
        Enrolment.objects.select_related("lot__tender__project__business_type", "lead")
        .filter(pk=enrolment_id, withdrawn_at__isnull=True)
        .first()
    )
    if (
        organisation_id is None
        or enrolment is None
        or (
            enrolment.lead_id != organisation_id
            and not enrolment.members.filter(organisation_id=organisation_id).exists()
        )
    ):
        raise Http404(_("没有找到该报名。"))
    return enrolment
