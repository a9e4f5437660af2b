"""Enrolments (报名) for tests: through the service while the lot takes them, else as rows.

`enrol(lot, organisation)` enrols one bidder (or a consortium led by it, with `members`);
`enrol_all(lot, organisations)` makes sure each takes part, so that candidates may name them.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from bidding.models import Enrolment, EnrolmentMember
from bidding.selectors.enrolment import enrolment_lot_refusal
from bidding.services.enrolment import enrolment_create, enrolment_record
from tests.tenders import pdf_file
from trading.clock import get_clock
from trading.lock_objects import lock_lot
from trading.models import Lot, Organisation, User


def bidder_user(organisation: Organisation) -> User:
    user = User.objects.filter(organisation=organisation, is_active=True).order_by("pk").first()
    assert user is not None, f"{organisation} has no user to enrol with"
    return user


def enrol(
    lot: Lot,
    organisation: Organisation,
    *,
    members: Sequence[Organisation] = (),
    user: User | None = None,
) -> Enrolment:
    """`organisation` enrols in `lot` (leading `members`): through `enrolment_create` while the
    lot takes enrolments at the clock's now, else written as the service would have then."""
    user = user or bidder_user(organisation)
    agreement = pdf_file("consortium-agreement.pdf") if members else None
    lot = Lot.objects.select_related("tender__procedure").get(pk=lot.pk)
    now = get_clock()()
    if enrolment_lot_refusal(lot, now) is None:
        return enrolment_create(lot_id=lot.pk, actor=user, members=members, agreement=agreement)
    with transaction.atomic():
        locked = lock_lot(lot.pk)
        return enrolment_record(
            lot=locked,
            lead=organisation,
            members=members,
            agreement=agreement,
            actor=user,
            now=now,
        )


def enrol_all(lot: Lot, organisations: Sequence[Organisation]) -> None:
    """Each of `organisations` takes part in `lot` (those already in it are left alone)."""
    taken = set(EnrolmentMember.objects.filter(lot=lot).values_list("organisation_id", flat=True))
    for organisation in organisations:
        if organisation.pk not in taken:
            enrol(lot, organisation)
