"""The opening room's chokepoint: who sits where (法 第35条; DESIGN.md invariant 3)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from bidding.models import Enrolment
from bidding.selectors.enrolment import enrolment_get_own
from trading.domain.employer import OrganisationKind
from trading.models import Lot, User
from trading.selectors.access import (
    Purpose,
    access_lot_for_supervision,
    acting_organisation_id,
    is_owner_side,
    may,
)


class Seat(enum.StrEnum):
    # The owner or its agency hosts the opening (招标投标法 第35条).
    HOST = "host"
    # The desk's staff operate the platform and witness.
    STAFF = "staff"
    BIDDER = "bidder"
    # Regulators watch, read-only (管办分离).
    SUPERVISOR = "supervisor"


@dataclass(frozen=True)
class RoomSeat:
    lot: Lot
    seat: Seat
    user: User
    # The bidder's own enrolment; None for every other seat.
    enrolment: Enrolment | None = None

    @property
    def read_only(self) -> bool:
        return self.seat is Seat.SUPERVISOR


def access_opening_room(user: User, lot_id: int) -> RoomSeat:
    """The user's seat in a sealed-bid lot's opening room: 403 for strangers, 404 for no such lot.

    Bidders sit only in lots they enrolled in; nobody learns from this who else did.
    """
    if not user.is_authenticated or acting_organisation_id(user) is None:
        raise PermissionDenied(_("请先登录。"))
    if user.organisation_kind == OrganisationKind.REGULATOR:
        watched = access_lot_for_supervision(user, lot_id)
        if not watched.tender.procedure.sealed_bids:
            raise Http404(_("该标段没有开标。"))
        return RoomSeat(lot=watched, seat=Seat.SUPERVISOR, user=user)
    lot = (
        Lot.objects.select_related(
            "tender__procedure", "tender__project__region", "tender__project__business_type"
        )
        .filter(pk=lot_id)
        .first()
    )
    if lot is None or not lot.tender.procedure.sealed_bids:
        raise Http404(_("没有找到该标段的开标室。"))
    if user.organisation_kind == OrganisationKind.BIDDER:
        enrolment = enrolment_get_own(user, lot)
        if enrolment is None:
            raise Http404(_("没有找到该标段的开标室。"))
        return RoomSeat(lot=lot, seat=Seat.BIDDER, user=user, enrolment=enrolment)
    if is_owner_side(user, lot.tender.project):
        return RoomSeat(lot=lot, seat=Seat.HOST, user=user)
    if may(user, lot.tender, purpose=Purpose.OPERATE):
        return RoomSeat(lot=lot, seat=Seat.STAFF, user=user)
    raise PermissionDenied(_("您无权进入该开标室。"))
