"""Row locks in one fixed order, so two services that lock the same rows cannot deadlock.

The order, outermost first (later issues extend it; never lock against it):
    organisation → user → desk/jurisdiction → region → project → tender → question → lot → hold
    → objection → complaint → contract → … → ledger scope head

The ledger scope head is always locked last (DESIGN.md invariant 6): `ledger_append` takes it,
so call it as the final write of a service's transaction.
"""

from __future__ import annotations

from trading.models import (
    Complaint,
    Contract,
    Hold,
    Lot,
    Notification,
    Objection,
    Organisation,
    OutboundMessage,
    Project,
    Question,
    Region,
    Tender,
    User,
)


def lock_organisation(pk: int) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=pk)


def lock_user(pk: int) -> User:
    return User.objects.select_for_update().get(pk=pk)


# Issue 3: the trading chain. A service takes only the links it needs, outermost first:
#     region (code serials) → project → tender → lot (by pk) → hold (by pk)
# The chronograph claims a lot alone (SKIP LOCKED) and never takes its tender afterwards.


def lock_region(pk: int) -> Region:
    """Serialises the allocation of project codes (C17 serials are per region and year)."""
    return Region.objects.select_for_update().get(pk=pk)


def lock_project(pk: int) -> Project:
    return Project.objects.select_for_update().get(pk=pk)


def lock_tender(pk: int) -> Tender:
    return Tender.objects.select_for_update(of=("self",)).select_related("procedure").get(pk=pk)


def lock_lot(pk: int) -> Lot:
    return Lot.objects.select_for_update().get(pk=pk)


def lock_lots_of_tender(tender_pk: int) -> list[Lot]:
    """Every lot of a tender, in primary-key order (two services then take them alike)."""
    return list(Lot.objects.select_for_update().filter(tender_id=tender_pk).order_by("pk"))


def lock_active_holds(lot_pk: int) -> list[Hold]:
    return list(
        Hold.objects.select_for_update()
        .filter(lot_id=lot_pk, lifted_at__isnull=True)
        .order_by("pk")
    )


def lock_questions(tender_pk: int, pks: list[int]) -> list[Question]:
    """The tender's questions among `pks`, in primary-key order."""
    return list(
        Question.objects.select_for_update().filter(pk__in=pks, tender_id=tender_pk).order_by("pk")
    )


def lock_objection(pk: int) -> Objection:
    """Taken after its lot and the lot's holds."""
    return Objection.objects.select_for_update().get(pk=pk)


def lock_contract_of_lot(lot_pk: int) -> Contract | None:
    """The lot's contract, if one is recorded; taken after the lot."""
    return Contract.objects.select_for_update().filter(lot_id=lot_pk).first()


# Notifications and outbound messages stand apart from the trading chain: their services lock
# nothing else.


def lock_notification_of(user_pk: int, pk: int) -> Notification | None:
    """One of the user's own notifications (None for anybody else's)."""
    return Notification.objects.select_for_update().filter(pk=pk, recipient_id=user_pk).first()


def lock_unread_notifications_of(user_pk: int) -> list[Notification]:
    return list(
        Notification.objects.select_for_update()
        .filter(recipient_id=user_pk, read_at__isnull=True)
        .order_by("pk")
    )


def lock_outbound_message(pk: int) -> OutboundMessage | None:
    return OutboundMessage.objects.select_for_update().filter(pk=pk).first()


def lock_complaint(pk: int) -> Complaint:
    """Taken after its lot and the lot's holds."""
    return Complaint.objects.select_for_update().get(pk=pk)
