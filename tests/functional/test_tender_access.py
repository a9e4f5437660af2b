"""Who may see and act on a lot: everyone else gets 404, never 403 (DESIGN.md §3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.http import Http404

from tests.conftest import ControlledClock
from tests.factories import make_platform_admin
from tests.tenders import World, first_lot, make_tender, make_world
from trading.models import User
from trading.selectors.tenders import (
    access_lot,
    access_tender,
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


# (who, purpose, allowed) on a published lot.
MATRIX = [
    ("owner_user", "view", True),
    ("agency_user", "view", True),
    ("owner_user", "edit", True),
    ("owner_user", "operate", False),
    ("owner_user", "supervise", False),
    ("staff", "view", True),
    ("staff", "operate", True),
    ("staff", "edit", False),
    ("staff", "supervise", False),
    ("regulator", "view", True),
    ("regulator", "supervise", True),
    ("regulator", "edit", False),
    ("regulator", "operate", False),
    ("other_owner_user", "view", False),
    ("other_desk_staff", "view", False),
    ("other_desk_staff", "operate", False),
    ("other_regulator", "view", False),
    ("bidder", "view", False),
    ("superuser", "view", False),
    ("superuser", "operate", False),
]


@pytest.mark.parametrize(("who", "purpose", "allowed"), MATRIX)
def test_access_to_a_published_lot(world: World, who: str, purpose: str, allowed: bool) -> None:
    lot = first_lot(make_tender(world))
    user = person(world, who)

    if allowed:
        assert access_lot(user, lot.pk, purpose=purpose) == lot
        assert access_tender(user, lot.tender_id, purpose=purpose) == lot.tender
    else:
        with pytest.raises(Http404):
            access_lot(user, lot.pk, purpose=purpose)
        with pytest.raises(Http404):
            access_tender(user, lot.tender_id, purpose=purpose)


def test_an_unknown_lot_is_404_like_a_forbidden_one(world: World) -> None:
    with pytest.raises(Http404):
        access_lot(world.owner_user, 999_999, purpose="view")


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("owner_user", True), ("staff", False), ("regulator", False), ("other_owner_user", False)],
)
def test_an_owners_draft_is_its_own_until_submitted(world: World, who: str, allowed: bool) -> None:
    lot = first_lot(make_tender(world, submit=False))
    user = person(world, who)
    if allowed:
        assert access_lot(user, lot.pk, purpose="view") == lot
    else:
        with pytest.raises(Http404):
            access_lot(user, lot.pk, purpose="view")


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
