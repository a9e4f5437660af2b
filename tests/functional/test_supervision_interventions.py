"""A regulator's interventions through the supervision pages (实施条例 第62条; 管办分离).

The regulator of the lot's jurisdiction suspends it, lifts its own suspension, orders it
terminated or evaluated again, each with a written reason; nobody else reaches these actions.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse

from notices.models import Notice, NoticeKind
from tests.conftest import ControlledClock
from tests.notices import deliver_events
from tests.tenders import World, closes, first_lot, make_tender, make_world, record_outcome
from tests.write_guard import SupervisionWriteError
from trading.chronograph import chronograph_tick
from trading.models import Hold, LedgerEntry, Lot, Notification, User
from trading.selectors.tenders import tender_scope_key
from trading.services.holds import hold_place
from trading.services.interventions import (
    intervention_hold_place,
    intervention_terminate_order,
)

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world(business_type="engineering")


def _as(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _post(user: User, name: str, pk: int, reason: str = "监督检查发现评标程序问题") -> Any:
    return _as(user).post(reverse(name, args=[pk]), {_PREFIX[name] + "-reason": reason})


_PREFIX = {
    "supervision_lot_hold": "hold",
    "supervision_hold_lift": "lift",
    "supervision_lot_terminate": "terminate",
    "supervision_lot_reevaluate": "reevaluate",
}


def _actions(lot: Lot) -> list[str]:
    return list(
        LedgerEntry.objects.filter(
            scope__key=tender_scope_key(lot.tender_id), object_type="lot", object_id=str(lot.pk)
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )


def _lot(world: World) -> Lot:
    return first_lot(make_tender(world))


def test_the_regulator_suspends_a_lot_and_the_owner_and_desk_are_told(world: World) -> None:
    lot = _lot(world)
    lot_page = _as(world.regulator).get(reverse("lot_detail", args=[lot.pk])).content.decode()
    assert f'href="{reverse("supervision_lot", args=[lot.pk])}"' in lot_page
    page = _as(world.regulator).get(reverse("supervision_lot", args=[lot.pk]))
    assert page.status_code == 200 and lot.code in page.content.decode()

    response = _post(world.regulator, "supervision_lot_hold", lot.pk)

    assert response.status_code == 302
    lot.refresh_from_db()
    assert lot.suspended_at is not None
    assert _actions(lot)[-2:] == ["intervention.hold_placed", "lot.suspended"]
    told = set(
        Notification.objects.filter(kind="lot.suspended").values_list("recipient", flat=True)
    )
    assert {world.owner_user.pk, world.staff.pk} <= told
    owner_page = _as(world.owner_user).get(reverse("lot_detail", args=[lot.pk]))
    assert "已暂停" in owner_page.content.decode()


def test_an_intervention_without_a_reason_is_refused_and_changes_nothing(world: World) -> None:
    lot = _lot(world)
    before = _actions(lot)

    response = _post(world.regulator, "supervision_lot_hold", lot.pk, reason="   ")

    assert response.status_code == 400
    assert "请填写监督干预的理由" in response.content.decode()
    lot.refresh_from_db()
    assert lot.suspended_at is None and not Hold.objects.filter(lot=lot).exists()
    assert _actions(lot) == before


def test_the_same_regulator_does_not_suspend_a_lot_twice(world: World) -> None:
    lot = _lot(world)
    assert _post(world.regulator, "supervision_lot_hold", lot.pk).status_code == 302

    again = _post(world.regulator, "supervision_lot_hold", lot.pk)

    assert again.status_code == 400 and "无需重复暂停" in again.content.decode()
    assert Hold.objects.filter(lot=lot, lifted_at__isnull=True).count() == 1


def test_lifting_its_own_hold_leaves_a_lot_held_by_another_source_suspended(
    world: World, clock: ControlledClock
) -> None:
    lot = _lot(world)
    outage = hold_place(lot=lot, reason="outage", note="机房断电", actor=world.staff)
    clock.advance(minutes=5)
    _post(world.regulator, "supervision_lot_hold", lot.pk)
    own = Hold.objects.get(lot=lot, reason="intervention")

    # The desk's hold is not the regulator's to lift.
    refused = _post(world.regulator, "supervision_hold_lift", outage.pk)
    assert refused.status_code == 400 and "只能解除本部门作出的暂停" in refused.content.decode()

    clock.advance(minutes=5)
    assert _post(world.regulator, "supervision_hold_lift", own.pk, "整改完毕").status_code == 302
    lot.refresh_from_db()
    assert lot.suspended_at is not None
    assert Notification.objects.filter(kind="lot.hold_lifted").exists()
    assert _actions(lot)[-1] == "intervention.hold_lifted"


def test_lifting_the_last_hold_resumes_the_lot(world: World, clock: ControlledClock) -> None:
    lot = _lot(world)
    _post(world.regulator, "supervision_lot_hold", lot.pk)
    own = Hold.objects.get(lot=lot)
    clock.advance(hours=2)

    assert _post(world.regulator, "supervision_hold_lift", own.pk, "整改完毕").status_code == 302

    lot.refresh_from_db()
    assert lot.suspended_at is None
    assert _actions(lot)[-2:] == ["intervention.hold_lifted", "lot.resumed"]
    again = _post(world.regulator, "supervision_hold_lift", own.pk, "整改完毕")
    assert again.status_code == 400 and "该暂停已解除" in again.content.decode()


def test_an_ordered_termination_drafts_the_termination_notice(
    world: World, clock: ControlledClock
) -> None:
    lot = _lot(world)
    _post(world.regulator, "supervision_lot_hold", lot.pk)

    response = _post(world.regulator, "supervision_lot_terminate", lot.pk, "招标文件违法，责令终止")

    assert response.status_code == 302
    lot.refresh_from_db()
    assert (lot.status, lot.suspended_at) == ("terminated", None)
    assert lot.termination_reason == "招标文件违法，责令终止"
    assert not Hold.objects.filter(lot=lot, lifted_at__isnull=True).exists()
    assert "intervention.termination_ordered" in _actions(lot)
    deliver_events(clock)
    assert Notice.objects.filter(tender=lot.tender, kind=NoticeKind.TERMINATION).exists()

    # A terminated lot has nothing left to stop.
    for name in ("supervision_lot_hold", "supervision_lot_terminate", "supervision_lot_reevaluate"):
        refused = _post(world.regulator, name, lot.pk)
        assert refused.status_code == 400, name
        assert "不能进行监督干预" in refused.content.decode()


def test_an_ordered_reevaluation_sends_the_result_back_to_evaluation(
    world: World, clock: ControlledClock
) -> None:
    lot = _lot(world)
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot = record_outcome(world, lot)
    assert lot.status == "publicity"

    response = _post(
        world.regulator, "supervision_lot_reevaluate", lot.pk, "评标委员会未按标准评审"
    )

    assert response.status_code == 302
    lot.refresh_from_db()
    assert lot.status == "evaluation"
    assert "intervention.reevaluation_ordered" in _actions(lot)
    assert Notification.objects.filter(kind="lot.reevaluation", recipient=world.owner_user).exists()


def test_nobody_but_the_lots_regulator_reaches_an_intervention(world: World) -> None:
    lot = _lot(world)
    # Outside its jurisdiction the lot does not exist for a regulator.
    assert _post(world.other_regulator, "supervision_lot_hold", lot.pk).status_code == 404
    assert (
        _as(world.other_regulator).get(reverse("supervision_lot", args=[lot.pk])).status_code == 404
    )
    for user in (world.staff, world.owner_user, world.agency_user, world.bidder_users[0]):
        for name in _PREFIX:
            if name != "supervision_hold_lift":
                assert _post(user, name, lot.pk).status_code == 403, (user, name)
    lot.refresh_from_db()
    assert lot.suspended_at is None and not Hold.objects.filter(lot=lot).exists()


def _rogue(request: HttpRequest, lot_id: int) -> HttpResponse:
    Lot.objects.filter(pk=lot_id).update(termination_reason="written behind the services")
    return HttpResponse("done")


urlpatterns = [path("supervision/rogue/<int:lot_id>/", _rogue)]


def test_the_write_guard_fails_a_supervision_view_that_writes_trading_data_itself(
    world: World, settings: Any, _supervision_write_guard: list[str]
) -> None:
    settings.ROOT_URLCONF = __name__
    lot = _lot(world)
    client = Client()
    client.force_login(world.regulator)

    with pytest.raises(SupervisionWriteError, match="trading_lot"):
        client.get(f"/supervision/rogue/{lot.pk}/")

    assert _supervision_write_guard
    _supervision_write_guard.clear()  # the failure was this test's point


def test_a_tender_is_suspended_lot_by_lot_and_a_closed_tender_is_refused(
    world: World, clock: ControlledClock
) -> None:
    tender = make_tender(world)
    holds = intervention_hold_place(target=tender, reason="项目整体核查", actor=world.regulator)

    assert [hold.lot_id for hold in holds] == list(tender.lots.values_list("pk", flat=True))
    assert all(lot.suspended_at is not None for lot in tender.lots.all())

    for lot in tender.lots.all():
        intervention_terminate_order(lot=lot, reason="责令终止", actor=world.regulator)
    with pytest.raises(ValidationError, match="没有正在进行的标段"):
        intervention_hold_place(target=tender, reason="再次核查", actor=world.regulator)


def test_the_regulator_suspends_a_whole_tender_from_its_page(world: World) -> None:
    tender = make_tender(world)
    page = _as(world.regulator).get(reverse("tender_detail", args=[tender.pk])).content.decode()
    action = reverse("supervision_tender_hold", args=[tender.pk])
    assert f'action="{action}"' in page
    owner_page = _as(world.owner_user).get(reverse("tender_detail", args=[tender.pk]))
    assert action not in owner_page.content.decode()

    blank = _as(world.regulator).post(action, {"hold-reason": " "}, follow=True)
    assert "请填写监督干预的理由" in blank.content.decode()
    assert not Hold.objects.filter(lot__tender=tender).exists()

    done = _as(world.regulator).post(action, {"hold-reason": "项目整体核查"}, follow=True)
    assert "已暂停该招标项目正在进行的标段" in done.content.decode()
    assert all(lot.suspended_at is not None for lot in tender.lots.all())
    assert _as(world.other_regulator).post(action, {"hold-reason": "越权"}).status_code == 404
    assert _as(world.staff).post(action, {"hold-reason": "越权"}).status_code == 403


def test_a_reevaluation_before_any_result_is_refused_and_changes_nothing(world: World) -> None:
    lot = _lot(world)
    before = _actions(lot)

    refused = _post(world.regulator, "supervision_lot_reevaluate", lot.pk)

    assert refused.status_code == 400 and "不能进行此操作" in refused.content.decode()
    lot.refresh_from_db()
    assert lot.status == "published" and _actions(lot) == before


def test_the_demo_has_a_lot_suspended_by_its_regulator(
    demo: dict[str, int], clock: ControlledClock, settings: Any
) -> None:
    from trading.services.demo_tenders import demo_tenders_seed

    settings.DEMO = True
    demo_tenders_seed()

    hold = Hold.objects.get(reason="intervention", lifted_at__isnull=True)
    assert hold.lot.suspended_at is not None and hold.lot.status == "bidding"
    regulator = User.objects.get(username="reg_housing")
    page = _as(regulator).get(reverse("supervision_lot", args=[hold.lot_id])).content.decode()
    assert "核查期间暂停" in page and "解除本部门的暂停" in page
