"""Two clicks at once on a complaint give one effect and a clear answer (PostgreSQL row locks)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.concurrency import in_threads
from tests.conftest import ControlledClock
from tests.tenders import first_lot, make_tender, make_world
from trading.models import Complaint, Hold, LedgerEntry
from trading.services.complaints import (
    complaint_accept,
    complaint_decide,
    complaint_file,
    complaint_hold,
)
from trading.services.objections import objection_answer, objection_raise

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _accepted(clock: ControlledClock) -> tuple[Any, Complaint]:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    clock.advance(days=1)
    objection = objection_raise(
        lot=lot, stage="documents", text="倾向性", actor=world.bidder_users[0]
    )
    objection_answer(objection=objection, answer="合法", actor=world.owner_user)
    clock.advance(hours=1)
    complaint = complaint_file(
        lot=lot, objection=objection, grounds="答复不成立", actor=world.bidder_users[0]
    )
    complaint_accept(complaint=complaint, actor=world.regulator)
    return world, complaint


def _refused(action: Callable[[], Any]) -> Callable[[], str]:
    def run() -> str:
        try:
            action()
        except ValidationError as refused:
            return f"refused:{refused.code}"
        return "done"

    return run


def test_two_holds_at_once_place_one(clock: ControlledClock) -> None:
    world, complaint = _accepted(clock)
    results = in_threads(
        2,
        _refused(lambda: complaint_hold(complaint=complaint, note="暂停", actor=world.regulator)),
    )
    assert sorted(results) == ["done", "refused:held"]
    assert Hold.objects.filter(lot=complaint.lot, reason="complaint").count() == 1


def test_two_decisions_at_once_decide_once(clock: ControlledClock) -> None:
    world, complaint = _accepted(clock)
    clock.advance(days=1, minutes=1)
    results = in_threads(
        2,
        _refused(
            lambda: complaint_decide(
                complaint=complaint, upheld=False, reasons="驳回", actor=world.regulator
            )
        ),
    )
    assert sorted(results) == ["done", "refused:status"]
    assert LedgerEntry.objects.filter(action="complaint.decided").count() == 1
