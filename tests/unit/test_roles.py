"""The navigation of each role follows 管办分离: nobody is offered another role's pages."""

from __future__ import annotations

import pytest

from trading.domain.employer import OrganisationKind
from trading.domain.roles import NAV_BY_KIND, NavKey, nav_keys

K = NavKey


@pytest.mark.parametrize(
    ("authenticated", "kind", "staff", "expected"),
    [
        (False, None, False, [K.HOME, K.LOGIN]),
        (True, "center", False, [K.WORKSPACE, K.DESKS, K.INBOX]),
        (True, "regulator", False, [K.SUPERVISION, K.INBOX]),
        (True, "owner", False, [K.MY_PROJECTS, K.INBOX]),
        (True, "agency", False, [K.MY_PROJECTS, K.INBOX]),
        (True, "bidder", False, [K.MY_BIDS, K.MY_ENROLMENTS, K.PROFILE, K.INBOX]),
        (True, "expert_pool", False, [K.EVALUATION_TASKS, K.INBOX]),
        (True, None, True, [K.PLATFORM_ADMIN]),
        (
            True,
            "center",
            True,
            [K.WORKSPACE, K.DESKS, K.INBOX, K.PLATFORM_ADMIN],
        ),
        (True, None, False, []),
        (True, "no-such-kind", False, []),
    ],
)
def test_each_role_sees_its_own_navigation(
    authenticated: bool, kind: str | None, staff: bool, expected: list[NavKey]
) -> None:
    assert nav_keys(authenticated=authenticated, kind=kind, staff=staff) == expected


@pytest.mark.parametrize(
    ("operates_desk", "organisation_admin", "expected"),
    [
        # Desk staff: their desks and the registrations to check.
        (True, False, [K.WORKSPACE, K.DESKS, K.ORGANISATION_QUEUE, K.INBOX]),
        # The center's administrator without a desk: its console, never an empty desks page.
        (False, True, [K.WORKSPACE, K.CENTER_ADMIN, K.ORGANISATION_QUEUE, K.INBOX]),
        (True, True, [K.WORKSPACE, K.DESKS, K.CENTER_ADMIN, K.ORGANISATION_QUEUE, K.INBOX]),
        # Neither: the desks' page says why it is empty; no queue they would be refused.
        (False, False, [K.WORKSPACE, K.DESKS, K.INBOX]),
    ],
)
def test_center_navigation_follows_desks_and_the_administrator_flag(
    operates_desk: bool, organisation_admin: bool, expected: list[NavKey]
) -> None:
    keys = nav_keys(
        authenticated=True,
        kind="center",
        operates_desk=operates_desk,
        organisation_admin=organisation_admin,
    )
    assert keys == expected


def test_center_flags_give_nothing_to_other_kinds() -> None:
    for kind in ("regulator", "owner", "bidder"):
        keys = nav_keys(authenticated=True, kind=kind, operates_desk=True, organisation_admin=True)
        assert K.CENTER_ADMIN not in keys and K.ORGANISATION_QUEUE not in keys


def test_anonymous_navigation_ignores_the_kind_and_staff_flags() -> None:
    assert nav_keys(authenticated=False, kind="center", staff=True) == [K.HOME, K.LOGIN]


def test_every_organisation_kind_has_a_navigation_ending_in_the_inbox() -> None:
    assert set(NAV_BY_KIND) == set(OrganisationKind)
    for kind in OrganisationKind:
        assert nav_keys(authenticated=True, kind=kind.value)[-1] == K.INBOX


@pytest.mark.parametrize(
    ("page", "holders"),
    [
        (K.DESKS, {OrganisationKind.CENTER}),
        (K.ORGANISATION_QUEUE, {OrganisationKind.CENTER}),
        (K.SUPERVISION, {OrganisationKind.REGULATOR}),
    ],
)
def test_operating_and_supervising_pages_are_offered_to_their_employer_only(
    page: NavKey, holders: set[OrganisationKind]
) -> None:
    offered = {
        kind
        for kind in OrganisationKind
        if page in nav_keys(authenticated=True, kind=kind, operates_desk=True)
    }
    assert offered == holders


def test_the_list_returned_is_a_copy_callers_may_change() -> None:
    keys = nav_keys(authenticated=True, kind="bidder")
    keys.append(K.PLATFORM_ADMIN)
    assert K.PLATFORM_ADMIN not in nav_keys(authenticated=True, kind="bidder")
