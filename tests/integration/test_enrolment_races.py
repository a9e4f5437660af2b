"""Two enrolments at once naming the same organisation: one goes through, the other is told
why (PostgreSQL row locks; 招标投标法实施条例 第37条)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bidding.models import Enrolment, EnrolmentMember
from bidding.services.enrolment import enrolment_create, enrolment_withdraw
from tests.concurrency import in_threads
from tests.conftest import ControlledClock
from tests.tenders import first_lot, make_tender, make_world, pdf_file
from trading.models import LedgerEntry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _outcome(action: Callable[[], Any]) -> Callable[[], str]:
    def run() -> str:
        try:
            action()
        except ValidationError as refused:
            if hasattr(refused, "error_dict"):
                return f"refused:{next(iter(refused.error_dict.values()))[0].code}"
            return f"refused:{refused.code}"
        return "done"

    return run


def test_two_consortiums_naming_the_same_member_at_once_enrol_one(clock: ControlledClock) -> None:
    world = make_world()
    lot = first_lot(make_tender(world))
    member = world.bidders[2]
    leads = iter([world.bidder_users[0], world.bidder_users[1]])

    def enrol_with_member() -> None:
        enrolment_create(
            lot_id=lot.pk,
            actor=next(leads),
            members=[member],
            agreement=pdf_file("agreement.pdf"),
        )

    results = in_threads(2, _outcome(enrol_with_member))

    assert sorted(results) == ["done", "refused:member_taken"]
    assert Enrolment.objects.filter(lot=lot).count() == 1
    assert EnrolmentMember.objects.filter(lot=lot, organisation=member).count() == 1
    assert LedgerEntry.objects.filter(action="enrolment.created").count() == 1


def test_the_same_bidder_twice_at_once_enrols_once(clock: ControlledClock) -> None:
    world = make_world()
    lot = first_lot(make_tender(world))
    results = in_threads(
        2, _outcome(lambda: enrolment_create(lot_id=lot.pk, actor=world.bidder_users[0]))
    )
    assert sorted(results) == ["done", "refused:already_enrolled"]
    assert Enrolment.objects.filter(lot=lot).count() == 1


def test_a_withdrawal_and_its_retry_at_once_withdraw_once(clock: ControlledClock) -> None:
    world = make_world()
    lot = first_lot(make_tender(world))
    enrolment_create(lot_id=lot.pk, actor=world.bidder_users[0])
    results = in_threads(
        2, _outcome(lambda: enrolment_withdraw(lot_id=lot.pk, actor=world.bidder_users[0]))
    )
    assert sorted(results) == ["done", "refused:withdrawn"]
    assert LedgerEntry.objects.filter(action="enrolment.withdrawn").count() == 1
