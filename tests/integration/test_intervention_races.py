"""Two supervisors clicking together get one effect and one clear answer (PostgreSQL row locks)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from tests.concurrency import in_threads
from tests.conftest import ControlledClock
from tests.factories import grant_jurisdictions, make_user
from tests.tenders import first_lot, make_tender, make_world
from trading.models import Hold, LedgerEntry, Lot, User
from trading.selectors.grants import jurisdiction_list_supervised_by
from trading.services.interventions import (
    intervention_hold_lift,
    intervention_hold_place,
    intervention_terminate_order,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(action: Callable[[], object]) -> list[str]:
    """Run `action` in two threads at once; what each got: 'done' or the refusal's code."""

    def attempt() -> str:
        try:
            action()
        except ValidationError as refused:
            return str(refused.code)
        return "done"

    return sorted(in_threads(2, attempt))


def _colleague(regulator: User) -> User:
    """A second supervisor of the same regulator, granted the same jurisdictions."""
    assert regulator.organisation is not None
    colleague = make_user(regulator.organisation, first_name="同事")
    grant_jurisdictions(colleague, *jurisdiction_list_supervised_by(regulator))
    return colleague


def _entries(lot: Lot, action: str) -> int:
    return LedgerEntry.objects.filter(action=action, object_id=str(lot.pk)).count()


def test_two_supervisors_suspending_together_place_one_hold(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    colleague = _colleague(world.regulator)
    users = iter([world.regulator, colleague])

    outcomes = _race(
        lambda: intervention_hold_place(target=lot, reason="监督检查", actor=next(users))
    )

    assert outcomes == ["already_held", "done"]
    assert Hold.objects.filter(lot=lot, lifted_at__isnull=True).count() == 1
    assert _entries(lot, "intervention.hold_placed") == 1


def test_two_supervisors_lifting_together_lift_once(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    (hold,) = intervention_hold_place(target=lot, reason="监督检查", actor=world.regulator)
    colleague = _colleague(world.regulator)
    users = iter([world.regulator, colleague])
    clock.advance(hours=1)

    outcomes = _race(
        lambda: intervention_hold_lift(hold=hold, reason="整改完毕", actor=next(users))
    )

    assert outcomes == ["done", "lifted"]
    lot.refresh_from_db()
    assert lot.suspended_at is None
    assert _entries(lot, "intervention.hold_lifted") == 1
    assert _entries(lot, "lot.resumed") == 1


def test_two_termination_orders_together_terminate_once(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    colleague = _colleague(world.regulator)
    users = iter([world.regulator, colleague])

    outcomes = _race(
        lambda: intervention_terminate_order(lot=lot, reason="责令终止", actor=next(users))
    )

    assert outcomes == ["done", "not_open"]
    lot.refresh_from_db()
    assert lot.status == "terminated"
    assert _entries(lot, "lot.terminated") == 1
    assert _entries(lot, "intervention.termination_ordered") == 1
