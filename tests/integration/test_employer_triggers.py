"""The database half of 管办分离 (DESIGN.md invariant 5): every clause of every employer trigger.

The granting service refuses a bad grant before the database sees it, so these tests write around
it: through the ORM and raw SQL, and through the admin with its own check taken out. Cases are
generated from the tables the triggers are generated from (trading.domain.employer, RULES), so a
clause removed by hand, or a rule added without a case, fails here. Both engines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.test import Client
from guardian.models import GroupObjectPermission, UserObjectPermission

from tests.factories import make_organisation, make_platform_admin, make_user
from tests.tenders import seed_reference_data
from trading.db_triggers import EMPLOYER_ERROR, RULES
from trading.domain.employer import GRANT_HOLDER, GRANT_TARGET, Grant, OrganisationKind
from trading.models import Desk, Jurisdiction, Organisation, User

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


@dataclass
class World:
    users: dict[str, User]  # by organisation kind, plus "none" (a platform administrator)
    targets: dict[str, Desk | Jurisdiction]  # desk, jurisdiction (of users["regulator"]), foreign
    regulator: Organisation
    other_regulator: Organisation


@pytest.fixture
def world(clock: Callable[[], object]) -> World:
    seed_reference_data()
    organisations = {kind.value: make_organisation(kind.value) for kind in OrganisationKind}
    users = {kind: make_user(org, username=f"u-{kind}") for kind, org in organisations.items()}
    users["none"] = make_platform_admin(username="u-none")
    other_regulator = make_organisation("regulator")
    return World(
        users=users,
        targets={
            "desk": Desk.objects.get(region__code="460100", business_type__code="engineering"),
            "jurisdiction": Jurisdiction.objects.create(
                regulator=organisations["regulator"], name="本部门范围"
            ),
            "foreign_jurisdiction": Jurisdiction.objects.create(
                regulator=other_regulator, name="他部门范围"
            ),
        },
        regulator=organisations["regulator"],
        other_regulator=other_regulator,
    )


def refused() -> pytest.RaisesExc[IntegrityError]:
    return pytest.raises(IntegrityError, match=EMPLOYER_ERROR)


def _sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _ids(codename: str, target: Desk | Jurisdiction) -> tuple[int, int, str]:
    permission = Permission.objects.get(codename=codename).pk
    return permission, ContentType.objects.get_for_model(target).pk, str(target.pk)


# --- object grants: the employer, the target and the regulator clauses ---------------------------

TARGET_KEY = {Grant.OPERATE_DESK: "desk", Grant.SUPERVISE_JURISDICTION: "jurisdiction"}


def _object_grant_cases() -> tuple[list[Any], list[Any]]:
    """(refused, accepted) as (grant, holder key, target key, clause) from the employer table."""
    refusals, accepted = [], []
    for grant, holder in GRANT_HOLDER.items():
        assert GRANT_TARGET[grant] == f"trading.{TARGET_KEY[grant]}"
        accepted.append((grant, holder.value, TARGET_KEY[grant], "fits"))
        for kind in [*OrganisationKind, "none"]:
            if kind != holder:
                refusals.append((grant, str(kind), TARGET_KEY[grant], "employer"))
        for other_grant, other_target in TARGET_KEY.items():
            if other_grant != grant:
                refusals.append((grant, holder.value, other_target, "target"))
    refusals.append(
        (Grant.SUPERVISE_JURISDICTION, "regulator", "foreign_jurisdiction", "regulator")
    )
    return refusals, accepted


REFUSED_GRANTS, ACCEPTED_GRANTS = _object_grant_cases()


def _case_id(case: tuple[Grant, str, str, str]) -> str:
    grant, holder, target, clause = case
    return f"{clause}: {grant.value} of a {holder} user on {target}"


def _insert_orm(world: World, codename: str, user: User, target: Desk | Jurisdiction) -> None:
    # bulk_create: guardian's save() would itself refuse a permission of another model.
    permission, content_type, object_pk = _ids(codename, target)
    UserObjectPermission.objects.bulk_create(
        [
            UserObjectPermission(
                user=user,
                permission_id=permission,
                content_type_id=content_type,
                object_pk=object_pk,
            )
        ]
    )


def _insert_sql(world: World, codename: str, user: User, target: Desk | Jurisdiction) -> None:
    _sql(
        "INSERT INTO guardian_userobjectpermission"
        " (user_id, permission_id, content_type_id, object_pk) VALUES (%s, %s, %s, %s)",
        [user.pk, *_ids(codename, target)],
    )


def _valid_row(world: World) -> UserObjectPermission:
    """A grant the database accepts, for the updates to turn into a bad one."""
    permission, content_type, object_pk = _ids("operate_desk", world.targets["desk"])
    return UserObjectPermission.objects.create(
        user=world.users["center"],
        permission_id=permission,
        content_type_id=content_type,
        object_pk=object_pk,
    )


def _update_orm(world: World, codename: str, user: User, target: Desk | Jurisdiction) -> None:
    row = _valid_row(world)
    permission, content_type, object_pk = _ids(codename, target)
    UserObjectPermission.objects.filter(pk=row.pk).update(
        user=user, permission_id=permission, content_type_id=content_type, object_pk=object_pk
    )


def _update_sql(world: World, codename: str, user: User, target: Desk | Jurisdiction) -> None:
    row = _valid_row(world)
    _sql(
        "UPDATE guardian_userobjectpermission SET user_id = %s, permission_id = %s,"
        " content_type_id = %s, object_pk = %s WHERE id = %s",
        [user.pk, *_ids(codename, target), row.pk],
    )


WRITES = {
    "ORM bulk_create": _insert_orm,
    "SQL insert": _insert_sql,
    "ORM update": _update_orm,
    "SQL update": _update_sql,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES)
@pytest.mark.parametrize("case", REFUSED_GRANTS, ids=[_case_id(c) for c in REFUSED_GRANTS])
def test_the_database_refuses_an_object_grant_that_breaks_a_clause(
    world: World, case: tuple[Grant, str, str, str], write: Callable[..., None]
) -> None:
    grant, holder, target, _clause = case
    before = set(UserObjectPermission.objects.values_list("pk", "user_id", "object_pk"))
    with refused(), transaction.atomic():
        write(world, grant.value, world.users[holder], world.targets[target])
    assert set(UserObjectPermission.objects.values_list("pk", "user_id", "object_pk")) == before


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES)
@pytest.mark.parametrize("case", ACCEPTED_GRANTS, ids=[_case_id(c) for c in ACCEPTED_GRANTS])
def test_the_database_accepts_the_grants_the_employer_table_allows(
    world: World, case: tuple[Grant, str, str, str], write: Callable[..., None]
) -> None:
    grant, holder, target, _clause = case
    write(world, grant.value, world.users[holder], world.targets[target])
    assert world.users[holder].has_perm(f"trading.{grant.value}", world.targets[target])


def test_every_clause_has_refusals() -> None:
    assert {case[3] for case in REFUSED_GRANTS} == {"employer", "target", "regulator"}


# --- every other rule, each of its events, through the ORM and raw SQL ---------------------------


def _grant_permission() -> Permission:
    return Permission.objects.get(codename=Grant.OPERATE_DESK.value)


def _harmless_permission() -> Permission:
    return Permission.objects.get(codename="view_desk")


def _group_object(world: World, *, orm: bool, update: bool) -> None:
    desk = world.targets["desk"]
    values: dict[str, Any] = {
        "group": Group.objects.create(name="海口工程组"),
        "content_type": ContentType.objects.get_for_model(Desk),
        "object_pk": str(desk.pk),
    }
    if update:
        row = GroupObjectPermission.objects.create(permission=_harmless_permission(), **values)
        if orm:
            GroupObjectPermission.objects.filter(pk=row.pk).update(permission=_grant_permission())
        else:
            _sql(
                "UPDATE guardian_groupobjectpermission SET permission_id = %s WHERE id = %s",
                [_grant_permission().pk, row.pk],
            )
    elif orm:
        GroupObjectPermission.objects.create(permission=_grant_permission(), **values)
    else:
        _sql(
            "INSERT INTO guardian_groupobjectpermission"
            " (group_id, permission_id, content_type_id, object_pk) VALUES (%s, %s, %s, %s)",
            [values["group"].pk, _grant_permission().pk, values["content_type"].pk, str(desk.pk)],
        )


def _global(table: str, owner: str, world: World, *, orm: bool, update: bool) -> None:
    if owner == "user_id":
        holder: Any = world.users["center"]
        relation = holder.user_permissions
    else:
        holder = Group.objects.create(name="g")
        relation = holder.permissions
    if not update:
        if orm:
            relation.add(_grant_permission())
        else:
            _sql(
                f"INSERT INTO {table} ({owner}, permission_id) VALUES (%s, %s)",  # noqa: S608
                [holder.pk, _grant_permission().pk],
            )
        return
    relation.add(_harmless_permission())
    if orm:
        relation.through.objects.filter(**{owner: holder.pk}).update(permission=_grant_permission())
    else:
        _sql(f"UPDATE {table} SET permission_id = %s", [_grant_permission().pk])  # noqa: S608


def _granted(world: World) -> User:
    staff = world.users["center"]
    _insert_orm(world, Grant.OPERATE_DESK.value, staff, world.targets["desk"])
    return staff


def _user_changes_employer(world: World, *, orm: bool, update: bool) -> None:
    staff, bidder = _granted(world), world.users["bidder"].organisation_id
    if orm:
        User.objects.filter(pk=staff.pk).update(organisation_id=bidder)
    else:
        _sql("UPDATE trading_user SET organisation_id = %s WHERE id = %s", [bidder, staff.pk])


def _organisation_changes_kind(world: World, *, orm: bool, update: bool) -> None:
    center = world.users["center"].organisation_id
    _granted(world)
    assert center is not None
    if orm:
        Organisation.objects.filter(pk=center).update(kind="bidder")
    else:
        _sql("UPDATE trading_organisation SET kind = %s WHERE id = %s", ["bidder", center])


def _supervised(world: World) -> Jurisdiction:
    jurisdiction = world.targets["jurisdiction"]
    _insert_orm(world, Grant.SUPERVISE_JURISDICTION.value, world.users["regulator"], jurisdiction)
    assert isinstance(jurisdiction, Jurisdiction)
    return jurisdiction


def _jurisdiction_changes_regulator(world: World, *, orm: bool, update: bool) -> None:
    # Its supervisor would then watch another regulator's jurisdiction.
    jurisdiction, other = _supervised(world), world.other_regulator.pk
    if orm:
        Jurisdiction.objects.filter(pk=jurisdiction.pk).update(regulator_id=other)
    else:
        _sql(
            "UPDATE trading_jurisdiction SET regulator_id = %s WHERE id = %s",
            [other, jurisdiction.pk],
        )


RULE_CASES: dict[tuple[str, str], Callable[..., None]] = {
    ("group_object_grant", "INSERT"): _group_object,
    ("group_object_grant", "UPDATE"): _group_object,
    ("user_global_grant", "INSERT"): lambda world, **how: _global(
        "trading_user_user_permissions", "user_id", world, **how
    ),
    ("user_global_grant", "UPDATE"): lambda world, **how: _global(
        "trading_user_user_permissions", "user_id", world, **how
    ),
    ("group_global_grant", "INSERT"): lambda world, **how: _global(
        "auth_group_permissions", "group_id", world, **how
    ),
    ("group_global_grant", "UPDATE"): lambda world, **how: _global(
        "auth_group_permissions", "group_id", world, **how
    ),
    ("user_changes_employer", "UPDATE"): _user_changes_employer,
    ("organisation_changes_kind", "UPDATE"): _organisation_changes_kind,
    ("jurisdiction_changes_regulator", "UPDATE"): _jurisdiction_changes_regulator,
}
OBJECT_GRANT_RULE = {("object_grant", "INSERT"), ("object_grant", "UPDATE")}


def test_every_rule_and_event_of_the_triggers_has_cases() -> None:
    events = {(name, event) for name, _table, events, *_ in RULES for event in events}
    assert events == set(RULE_CASES) | OBJECT_GRANT_RULE


@pytest.mark.parametrize("orm", [True, False], ids=["ORM", "SQL"])
@pytest.mark.parametrize("rule", RULE_CASES, ids=[f"{n} {e}" for n, e in RULE_CASES])
def test_the_database_refuses_what_each_rule_forbids(
    world: World, rule: tuple[str, str], orm: bool
) -> None:
    with refused(), transaction.atomic():
        RULE_CASES[rule](world, orm=orm, update=rule[1] == "UPDATE")


# --- the admin, with its own check taken out -----------------------------------------------------


@pytest.fixture
def admin(client: Client, world: World) -> Client:
    client.force_login(world.users["none"])
    return client


def _no_service_check(monkeypatch: pytest.MonkeyPatch) -> None:
    from trading import admin as trading_admin
    from trading.services import grants

    monkeypatch.setattr(grants, "grant_check", lambda **kwargs: None)
    monkeypatch.setattr(trading_admin, "grant_check", lambda **kwargs: None)


@pytest.mark.parametrize(
    ("holder", "target", "message"),
    [
        ("regulator", "foreign_jurisdiction", "只能授予本部门监管范围的监督权限"),
        ("center", "jurisdiction", "管办分离"),
        ("bidder", "desk", "管办分离"),
    ],
    ids=["regulator clause", "employer clause (jurisdiction)", "employer clause (desk)"],
)
def test_the_admin_grant_page_refuses_and_the_database_backs_it(
    admin: Client,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    holder: str,
    target: str,
    message: str,
) -> None:
    key = "desk" if target == "desk" else "jurisdiction"
    form = {"user": world.users[holder].pk, key: world.targets[target].pk}

    response = admin.post("/admin/guardian/userobjectpermission/add/", form)
    assert response.status_code == 200
    assert message in response.content.decode()

    _no_service_check(monkeypatch)
    with refused():
        admin.post("/admin/guardian/userobjectpermission/add/", form)
    assert not UserObjectPermission.objects.exists()


def test_the_admin_user_page_cannot_move_a_granted_user_even_without_its_check(
    admin: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trading.admin import UserAdminForm

    staff = _granted(world)
    monkeypatch.setattr(
        UserAdminForm, "clean_organisation", lambda form: form.cleaned_data["organisation"]
    )
    with refused():
        admin.post(
            f"/admin/trading/user/{staff.pk}/change/",
            {
                "username": staff.username,
                "organisation": world.users["bidder"].organisation_id,
                "is_active": "on",
                "date_joined_0": "2026-11-30",
                "date_joined_1": "12:00:00",
            },
        )
    staff.refresh_from_db()
    assert staff.organisation.kind == "center"  # type: ignore[union-attr]


def test_the_admin_organisation_page_cannot_change_a_granted_kind_even_without_its_check(
    admin: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trading.admin import OrganisationAdminForm

    center = _granted(world).organisation
    assert center is not None
    monkeypatch.setattr(OrganisationAdminForm, "clean_kind", lambda form: form.cleaned_data["kind"])
    with refused():
        admin.post(
            f"/admin/trading/organisation/{center.pk}/change/",
            {"name": center.name, "kind": "bidder", "uscc": center.uscc},
        )
    center.refresh_from_db()
    assert center.kind == "center"


def test_a_jurisdiction_nobody_supervises_may_change_regulator(world: World) -> None:
    jurisdiction = world.targets["jurisdiction"]
    Jurisdiction.objects.filter(pk=jurisdiction.pk).update(regulator=world.other_regulator)
    jurisdiction.refresh_from_db()
    assert isinstance(jurisdiction, Jurisdiction)
    assert jurisdiction.regulator == world.other_regulator


def test_the_admin_refuses_to_give_a_supervised_jurisdiction_to_another_regulator(
    admin: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trading.admin import JurisdictionAdminForm

    jurisdiction = _supervised(world)
    form = {
        "regulator": world.other_regulator.pk,
        "name": jurisdiction.name,
        "include_subregions": "on",
        "regions": [world.targets["desk"].region_id],  # type: ignore[union-attr]
        "business_types": [world.targets["desk"].business_type_id],  # type: ignore[union-attr]
    }
    url = f"/admin/trading/jurisdiction/{jurisdiction.pk}/change/"

    response = admin.post(url, form)
    assert response.status_code == 200
    assert "不能更换监管部门" in response.content.decode()

    monkeypatch.setattr(
        JurisdictionAdminForm, "clean_regulator", lambda form: form.cleaned_data["regulator"]
    )
    with refused():
        admin.post(url, form)
    jurisdiction.refresh_from_db()
    assert jurisdiction.regulator == world.regulator


def test_the_admin_user_page_cannot_give_a_global_grant_even_without_its_filter(
    admin: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trading import admin as trading_admin

    staff = world.users["center"]
    monkeypatch.setattr(trading_admin, "_permissions_without_grants", Permission.objects.all)
    with refused():
        admin.post(
            f"/admin/trading/user/{staff.pk}/change/",
            {
                "username": staff.username,
                "organisation": staff.organisation_id,
                "is_active": "on",
                "user_permissions": [_grant_permission().pk],
                "date_joined_0": "2026-11-30",
                "date_joined_1": "12:00:00",
            },
        )
    assert not staff.user_permissions.exists()
