"""管办分离 by employer (DESIGN.md invariant 5): the service refuses, and so does every other path.

Runs on PostgreSQL and (marked sqlite) on the embedded SQLite database: both have the triggers.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import assign_perm

from tests.tenders import seed_reference_data
from trading.db_triggers import EMPLOYER_ERROR
from trading.domain import uscc
from trading.models import BusinessType, Desk, Jurisdiction, Organisation, Region, User
from trading.services.grants import grant_assign
from trading.services.organisations import organisation_register, user_create

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]

_serial = iter(range(100, 10_000))


def _org(kind: str, *, verified: bool = True, admin: User) -> Organisation:
    body = f"91460100MA{next(_serial):07d}"
    organisation = organisation_register(
        name=f"{kind} {body}", kind=kind, uscc_code=body + uscc.check_character(body)
    )
    if verified:
        Organisation.objects.filter(pk=organisation.pk).update(
            verified_at=organisation.registered_at, verification_method="staff"
        )
        organisation.refresh_from_db()
    return organisation


@pytest.fixture
def world(clock: Callable[[], object]) -> dict[str, object]:
    seed_reference_data()
    admin = User.objects.create_superuser("root", "", "pw")
    orgs = {
        kind: _org(kind, admin=admin)
        for kind in ("center", "regulator", "owner", "agency", "bidder", "expert_pool")
    }
    other_regulator = _org("regulator", admin=admin)
    users = {
        kind: user_create(organisation=org, username=f"u-{kind}", password="pw")
        for kind, org in orgs.items()
    }
    desk = Desk.objects.get(region__code="460100", business_type__code="engineering")
    jurisdiction = Jurisdiction.objects.create(regulator=orgs["regulator"], name="海口工程")
    jurisdiction.regions.set(Region.objects.filter(code="460100"))
    jurisdiction.business_types.set(BusinessType.objects.filter(code="engineering"))
    foreign = Jurisdiction.objects.create(regulator=other_regulator, name="他部门范围")
    return {
        "admin": admin,
        "orgs": orgs,
        "users": users,
        "desk": desk,
        "jurisdiction": jurisdiction,
        "foreign_jurisdiction": foreign,
    }


def _refused_by_database() -> pytest.RaisesExc[IntegrityError]:
    return pytest.raises(IntegrityError, match=EMPLOYER_ERROR)


@pytest.mark.parametrize(
    ("kind", "target", "allowed"),
    [
        ("center", "desk", True),
        ("center", "jurisdiction", False),
        ("regulator", "jurisdiction", True),
        ("regulator", "desk", False),
        ("owner", "desk", False),
        ("owner", "jurisdiction", False),
        ("agency", "desk", False),
        ("bidder", "desk", False),
        ("bidder", "jurisdiction", False),
        ("expert_pool", "desk", False),
    ],
)
def test_grant_service_follows_the_employer_table(
    world: dict, kind: str, target: str, allowed: bool
) -> None:
    user = world["users"][kind]
    if allowed:
        grant_assign(user=user, target=world[target], actor=world["admin"])
        assert user.has_perm(
            f"trading.{'operate_desk' if target == 'desk' else 'supervise_jurisdiction'}",
            world[target],
        )
    else:
        with pytest.raises(ValidationError) as refused:
            grant_assign(user=user, target=world[target], actor=world["admin"])
        assert "管办分离" in refused.value.messages[0]
        assert not UserObjectPermission.objects.filter(user=user).exists()


def test_a_regulator_cannot_supervise_another_regulators_jurisdiction(world: dict) -> None:
    with pytest.raises(ValidationError) as refused:
        grant_assign(
            user=world["users"]["regulator"],
            target=world["foreign_jurisdiction"],
            actor=world["admin"],
        )
    assert refused.value.code == "wrong_regulator"


def test_an_unverified_organisation_gets_no_grant(world: dict) -> None:
    center = _org("center", verified=False, admin=world["admin"])
    user = user_create(organisation=center, username="fresh", password="pw")
    with pytest.raises(ValidationError) as refused:
        grant_assign(user=user, target=world["desk"], actor=world["admin"])
    assert refused.value.code == "unverified"


def test_a_grant_is_written_to_the_platform_ledger(world: dict) -> None:
    grant_assign(user=world["users"]["center"], target=world["desk"], actor=world["admin"])
    from trading.models import LedgerEntry

    entry = LedgerEntry.objects.filter(scope__key="platform", action="grant.assigned").get()
    assert entry.payload["grant"] == "operate_desk"
    assert entry.actor_label == "root"


def _desk_permission() -> Permission:
    return Permission.objects.get(codename="operate_desk")


def test_orm_create_of_a_bidder_desk_grant_is_refused(world: dict) -> None:
    with _refused_by_database(), transaction.atomic():
        UserObjectPermission.objects.create(
            user=world["users"]["bidder"],
            permission=_desk_permission(),
            content_type=ContentType.objects.get_for_model(Desk),
            object_pk=str(world["desk"].pk),
        )
    assert not UserObjectPermission.objects.exists()


def test_guardian_shortcut_bypassing_the_service_is_refused(world: dict) -> None:
    with _refused_by_database(), transaction.atomic():
        assign_perm("trading.operate_desk", world["users"]["regulator"], world["desk"])


def test_bulk_create_is_refused(world: dict) -> None:
    rows = [
        UserObjectPermission(
            user=world["users"][kind],
            permission=_desk_permission(),
            content_type=ContentType.objects.get_for_model(Desk),
            object_pk=str(world["desk"].pk),
        )
        for kind in ("center", "owner")
    ]
    with _refused_by_database(), transaction.atomic():
        UserObjectPermission.objects.bulk_create(rows)
    assert not UserObjectPermission.objects.exists()


def test_raw_sql_insert_is_refused(world: dict) -> None:
    ct = ContentType.objects.get_for_model(Desk)
    with _refused_by_database(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO guardian_userobjectpermission"
            " (object_pk, content_type_id, permission_id, user_id) VALUES (%s, %s, %s, %s)",
            [str(world["desk"].pk), ct.pk, _desk_permission().pk, world["users"]["agency"].pk],
        )


def test_moving_a_valid_grant_to_another_user_is_refused(world: dict) -> None:
    grant_assign(user=world["users"]["center"], target=world["desk"], actor=world["admin"])
    with _refused_by_database(), transaction.atomic():
        UserObjectPermission.objects.update(user=world["users"]["bidder"])


def test_group_grants_are_refused_even_for_center_staff(world: dict) -> None:
    group = Group.objects.create(name="海口工程组")
    world["users"]["center"].groups.add(group)
    with _refused_by_database(), transaction.atomic():
        assign_perm("trading.operate_desk", group, world["desk"])
    assert not GroupObjectPermission.objects.exists()


@pytest.mark.parametrize("codename", ["operate_desk", "supervise_jurisdiction"])
def test_global_grants_are_refused_for_users_and_groups(world: dict, codename: str) -> None:
    permission = Permission.objects.get(codename=codename)
    with _refused_by_database(), transaction.atomic():
        world["users"]["center"].user_permissions.add(permission)
    group = Group.objects.create(name="g")
    with _refused_by_database(), transaction.atomic():
        group.permissions.add(permission)


def test_changing_the_organisation_of_a_user_with_grants_is_refused(world: dict) -> None:
    staff = world["users"]["center"]
    grant_assign(user=staff, target=world["desk"], actor=world["admin"])
    with _refused_by_database(), transaction.atomic():
        User.objects.filter(pk=staff.pk).update(organisation=world["orgs"]["bidder"])
    staff.refresh_from_db()
    assert staff.organisation == world["orgs"]["center"]


def test_a_user_without_grants_may_change_organisation(world: dict) -> None:
    user = world["users"]["owner"]
    User.objects.filter(pk=user.pk).update(organisation=world["orgs"]["agency"])
    user.refresh_from_db()
    assert user.organisation == world["orgs"]["agency"]


def test_changing_the_kind_of_an_organisation_whose_users_hold_grants_is_refused(
    world: dict,
) -> None:
    grant_assign(user=world["users"]["center"], target=world["desk"], actor=world["admin"])
    with _refused_by_database(), transaction.atomic():
        Organisation.objects.filter(pk=world["orgs"]["center"].pk).update(kind="bidder")


class TestAdmin:
    """The platform administrator's pages refuse the same grants with a form error, not a 500."""

    def test_admin_refuses_to_move_a_granted_user_to_another_organisation(
        self, world: dict, client
    ) -> None:
        staff = world["users"]["center"]
        grant_assign(user=staff, target=world["desk"], actor=world["admin"])
        client.force_login(world["admin"])
        response = client.post(
            f"/admin/trading/user/{staff.pk}/change/",
            {
                "username": staff.username,
                "organisation": world["orgs"]["bidder"].pk,
                "is_active": "on",
                "date_joined_0": "2026-11-30",
                "date_joined_1": "12:00:00",
            },
        )
        assert response.status_code == 200
        assert "不能更换所属主体" in response.content.decode()
        staff.refresh_from_db()
        assert staff.organisation == world["orgs"]["center"]

    def test_admin_does_not_offer_global_grants(self, world: dict, client) -> None:
        staff = world["users"]["center"]
        client.force_login(world["admin"])
        response = client.post(
            f"/admin/trading/user/{staff.pk}/change/",
            {
                "username": staff.username,
                "organisation": world["orgs"]["center"].pk,
                "is_active": "on",
                "user_permissions": [_desk_permission().pk],
                "date_joined_0": "2026-11-30",
                "date_joined_1": "12:00:00",
            },
        )
        assert response.status_code == 200
        assert not staff.user_permissions.exists()

    def test_admin_grant_page_refuses_a_bidder_with_the_reason(self, world: dict, client) -> None:
        client.force_login(world["admin"])
        response = client.post(
            "/admin/guardian/userobjectpermission/add/",
            {"user": world["users"]["bidder"].pk, "desk": world["desk"].pk},
        )
        assert response.status_code == 200
        assert "管办分离" in response.content.decode()
        assert not UserObjectPermission.objects.exists()

    def test_admin_grant_page_grants_a_center_user_through_the_service(
        self, world: dict, client
    ) -> None:
        client.force_login(world["admin"])
        response = client.post(
            "/admin/guardian/userobjectpermission/add/",
            {"user": world["users"]["center"].pk, "desk": world["desk"].pk},
        )
        assert response.status_code == 302
        assert world["users"]["center"].has_perm("trading.operate_desk", world["desk"])

    def test_admin_refuses_to_change_the_kind_of_a_granted_organisation(
        self, world: dict, client
    ) -> None:
        grant_assign(user=world["users"]["center"], target=world["desk"], actor=world["admin"])
        center = world["orgs"]["center"]
        client.force_login(world["admin"])
        response = client.post(
            f"/admin/trading/organisation/{center.pk}/change/",
            {"name": center.name, "kind": "bidder", "uscc": center.uscc},
        )
        assert response.status_code == 200
        assert "不能更改主体类型" in response.content.decode()
        center.refresh_from_db()
        assert center.kind == "center"
