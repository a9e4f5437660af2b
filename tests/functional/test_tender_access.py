"""Who may see and act on a lot: 404 for who may not know it, 403 for who may only read it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tests.conftest import ControlledClock
from tests.factories import make_platform_admin
from tests.tenders import World, first_lot, make_tender, make_world
from trading.models import User
from trading.selectors.access import Purpose, access_lot, access_tender
from trading.selectors.tenders import (
    tender_list_for_desk_staff,
    tender_list_for_owner,
    tender_list_for_regulator,
    tender_list_review_queue,
)

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world(business_type="engineering")


def person(world: World, who: str) -> User:
    if who == "bidder":
        return world.bidder_users[0]
    if who == "superuser":
        return make_platform_admin(username="root-admin")
    return getattr(world, who)


OK, FORBIDDEN, HIDDEN = "ok", "403", "404"
VIEW, EDIT, OPERATE, SUPERVISE = Purpose.VIEW, Purpose.EDIT, Purpose.OPERATE, Purpose.SUPERVISE

# (who, purpose, outcome) on a published lot. It is public (the portal lists it), so everybody
# signed in knows it exists: who may not use it for the purpose gets 403.
MATRIX = [
    ("owner_user", VIEW, OK),
    ("agency_user", VIEW, OK),
    ("owner_user", EDIT, OK),
    ("owner_user", OPERATE, FORBIDDEN),
    ("owner_user", SUPERVISE, FORBIDDEN),
    ("staff", VIEW, OK),
    ("staff", OPERATE, OK),
    ("staff", EDIT, FORBIDDEN),
    ("staff", SUPERVISE, FORBIDDEN),
    ("regulator", VIEW, OK),
    ("regulator", SUPERVISE, OK),
    ("regulator", EDIT, FORBIDDEN),
    ("regulator", OPERATE, FORBIDDEN),
    ("other_owner_user", VIEW, FORBIDDEN),
    ("other_owner_user", EDIT, FORBIDDEN),
    ("other_desk_staff", VIEW, FORBIDDEN),
    ("other_desk_staff", OPERATE, FORBIDDEN),
    ("other_regulator", VIEW, FORBIDDEN),
    ("other_regulator", SUPERVISE, FORBIDDEN),
    ("bidder", VIEW, FORBIDDEN),
    ("bidder", EDIT, FORBIDDEN),
    ("superuser", VIEW, FORBIDDEN),
    ("superuser", OPERATE, FORBIDDEN),
]


@pytest.mark.parametrize(("who", "purpose", "outcome"), MATRIX)
def test_access_to_a_published_lot(world: World, who: str, purpose: Purpose, outcome: str) -> None:
    lot = first_lot(make_tender(world))
    user = person(world, who)

    if outcome == OK:
        assert access_lot(user, lot.pk, purpose=purpose) == lot
        assert access_tender(user, lot.tender_id, purpose=purpose) == lot.tender
        return
    refusal = PermissionDenied if outcome == FORBIDDEN else Http404
    with pytest.raises(refusal):
        access_lot(user, lot.pk, purpose=purpose)
    with pytest.raises(refusal):
        access_tender(user, lot.tender_id, purpose=purpose)


def test_an_unknown_lot_is_404_like_a_hidden_one(world: World) -> None:
    with pytest.raises(Http404):
        access_lot(world.owner_user, 999_999, purpose=VIEW)


@pytest.mark.parametrize(
    ("who", "submit", "allowed"),
    [
        ("owner_user", False, True),
        ("staff", False, False),
        ("regulator", False, False),
        ("other_owner_user", False, False),
        ("bidder", False, False),
        ("other_desk_staff", True, False),
        ("other_regulator", True, False),
        ("bidder", True, False),
    ],
)
def test_an_unpublished_tender_is_hidden_from_who_may_not_read_it(
    world: World, who: str, submit: bool, allowed: bool
) -> None:
    lot = first_lot(make_tender(world, submit=submit, publish=False))
    user = person(world, who)
    if allowed:
        assert access_lot(user, lot.pk, purpose=VIEW) == lot
    else:
        with pytest.raises(Http404):
            access_lot(user, lot.pk, purpose=VIEW)


def test_lists_show_each_user_their_own_tenders(world: World) -> None:
    published = make_tender(world, name="已发布")
    pending = make_tender(world, name="待审核", publish=False)
    draft = make_tender(world, name="草稿", submit=False)

    assert set(tender_list_for_owner(world.owner_user)) == {published, pending, draft}
    assert not tender_list_for_owner(world.other_owner_user).exists()
    assert set(tender_list_for_desk_staff(world.staff)) == {published, pending}
    assert not tender_list_for_desk_staff(world.other_desk_staff).exists()
    assert list(tender_list_review_queue(world.staff)) == [pending]
    assert set(tender_list_for_regulator(world.regulator)) == {published, pending}
    assert not tender_list_for_regulator(world.other_regulator).exists()


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"status": "published"}, {"已发布"}),
        ({"status": "pending_review"}, {"待审核"}),
        ({"status": "published", "business_type": "engineering"}, {"已发布"}),
        ({"business_type": "procurement"}, set()),
        ({"procedure": "open"}, {"已发布", "待审核"}),
        ({"q": "待审"}, {"待审核"}),
        ({"region": "460200"}, set()),
    ],
)
def test_staff_lists_filter(world: World, filters: dict[str, str], names: set[str]) -> None:
    make_tender(world, name="已发布")
    make_tender(world, name="待审核", publish=False)
    found = tender_list_for_desk_staff(world.staff, filters=filters)
    assert {tender.name for tender in found} == names
