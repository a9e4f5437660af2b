"""Two supervisors clicking together get one effect and one clear answer (PostgreSQL row locks)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from tests.concurrency import in_threads
from tests.conftest import ControlledClock
from tests.factories import grant_jurisdictions, make_organisation, make_user
from tests.tenders import World, first_lot, make_tender, make_world
from trading.models import Hold, Jurisdiction, LedgerEntry, Lot, User
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


def _second_regulator(world: World) -> User:
    """A supervisor of another regulator (财政 beside 住建, say) over the same regions and types."""
    jurisdiction = jurisdiction_list_supervised_by(world.regulator)[0]
    organisation = make_organisation("regulator")
    twin = Jurisdiction.objects.create(regulator=organisation, name=f"同域监管 {organisation.pk}")
    twin.regions.set(jurisdiction.regions.all())
    twin.business_types.set(jurisdiction.business_types.all())
    user = make_user(organisation, first_name="另一部门")
    grant_jurisdictions(user, twin)
    return user


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
    assert _entries(lot, "lot.suspended") == 1
    lot.refresh_from_db()
    assert lot.suspended_at is not None


def test_two_regulators_suspending_together_hold_once_each_and_suspend_once(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    second = _second_regulator(world)
    users = iter([world.regulator, second])
    clock.advance(hours=1)

    outcomes = _race(
        lambda: intervention_hold_place(target=lot, reason="监督检查", actor=next(users))
    )

    # Each regulator holds the lot on its own (each lifts only its own); the lot stops once.
    assert outcomes == ["done", "done"]
    holds = Hold.objects.filter(lot=lot, lifted_at__isnull=True).select_related("placed_by")
    assert {hold.placed_by.organisation_id for hold in holds} == {
        world.regulator.organisation_id,
        second.organisation_id,
    }
    assert len(holds) == 2
    assert _entries(lot, "intervention.hold_placed") == 2
    assert _entries(lot, "lot.suspended") == 1
    lot.refresh_from_db()
    assert lot.suspended_at == clock()


def test_two_regulators_lifting_together_resume_the_lot_once(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    second = _second_regulator(world)
    (first_hold,) = intervention_hold_place(target=lot, reason="监督检查", actor=world.regulator)
    (second_hold,) = intervention_hold_place(target=lot, reason="专项检查", actor=second)
    clock.advance(hours=1)
    lifts = iter([(first_hold, world.regulator), (second_hold, second)])

    def lift() -> None:
        hold, actor = next(lifts)
        intervention_hold_lift(hold=hold, reason="整改完毕", actor=actor)

    assert _race(lift) == ["done", "done"]
    lot.refresh_from_db()
    assert lot.suspended_at is None
    assert not Hold.objects.filter(lot=lot, lifted_at__isnull=True).exists()
    assert _entries(lot, "intervention.hold_lifted") == 2
    assert _entries(lot, "lot.resumed") == 1


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
