"""The enrolment list of a lot (报名名单) as the desk's staff and the owner read it after the
opening: bidder numbers and names then, nothing before (招标投标法 第22条)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from bidding.models import Enrolment
from trading.models import Lot, User
from trading.selectors.access import Purpose, Role, access_lot, project_role
from trading.selectors.jurisdiction import sealed_scope_open


def lot_roster_readable(lot: Lot) -> bool:
    """Whether the lot's enrolments may be named: after its opening, and where the bidder list
    is secret, once no lot of its tender still takes bids (the sealed scope's own rule)."""
    return sealed_scope_open(lot, list(lot.tender.lots.select_related("tender__procedure")))


def access_lot_roster(user: User, lot_id: int) -> Lot:
    """The lot, for its desk's staff and its owner (or agency) once the roster may be read:
    403 for the lot's other readers, and 404 before the opening, whether anybody enrolled or not."""
    lot = access_lot(user, lot_id, purpose=Purpose.VIEW)
    if project_role(user, lot.tender.project) not in (Role.STAFF, Role.OWNER):
        raise PermissionDenied(_("报名名单只向本科室工作人员和招标人开放。"))
    if not lot_roster_readable(lot):
        raise Http404(_("没有找到该标段。"))
    return lot


def lot_roster(lot: Lot) -> QuerySet[Enrolment]:
    """Every enrolment of the lot, withdrawn ones included, by bidder number."""
    return (
        Enrolment.objects.filter(lot=lot)
        .select_related("lead", "lot__tender")
        .prefetch_related("members__organisation")
        .order_by("bidder_number", "pk")
    )
