"""Which pages each role sees in its navigation: by the kind of the user's employer.

Pure data: the context processor turns keys into labels and URLs. The same table is what the
views enforce, so a menu never offers a page its user would be refused.
"""

from __future__ import annotations

import enum
from typing import Final

from trading.domain.employer import OrganisationKind


class NavKey(enum.StrEnum):
    HOME = "home"
    LOGIN = "login"
    WORKSPACE = "workspace"
    DESKS = "desks"
    CENTER_ADMIN = "center_admin"
    ORGANISATION_QUEUE = "organisation_queue"
    SUPERVISION = "supervision"
    MY_PROJECTS = "my_projects"
    MY_BIDS = "my_bids"
    MY_ENROLMENTS = "my_enrolments"
    # A bidder's profile, users and certificate vault (bidding's pages).
    PROFILE = "profile"
    EVALUATION_TASKS = "evaluation_tasks"
    INBOX = "inbox"
    PLATFORM_ADMIN = "platform_admin"


ANONYMOUS_NAV: Final = (NavKey.HOME, NavKey.LOGIN)

# 管办分离: the center operates (desks, verification), the regulator supervises, the parties act
# on their own projects, bids and evaluations only.
NAV_BY_KIND: Final[dict[OrganisationKind, tuple[NavKey, ...]]] = {
    OrganisationKind.CENTER: (
        NavKey.WORKSPACE,
        NavKey.DESKS,
        NavKey.ORGANISATION_QUEUE,
        NavKey.INBOX,
    ),
    OrganisationKind.REGULATOR: (NavKey.SUPERVISION, NavKey.INBOX),
    OrganisationKind.OWNER: (NavKey.MY_PROJECTS, NavKey.INBOX),
    OrganisationKind.AGENCY: (NavKey.MY_PROJECTS, NavKey.INBOX),
    OrganisationKind.BIDDER: (NavKey.MY_BIDS, NavKey.MY_ENROLMENTS, NavKey.PROFILE, NavKey.INBOX),
    OrganisationKind.EXPERT_POOL: (NavKey.EVALUATION_TASKS, NavKey.INBOX),
}


def _center_nav(*, operates_desk: bool, organisation_admin: bool) -> list[NavKey]:
    """Desk staff run their desks and check registrations; the center's administrator checks
    registrations and oversees every desk; a user with neither is told on the desks' page why
    it is empty."""
    keys = [NavKey.WORKSPACE]
    if operates_desk or not organisation_admin:
        keys.append(NavKey.DESKS)
    if organisation_admin:
        keys.append(NavKey.CENTER_ADMIN)
    if operates_desk or organisation_admin:
        keys.append(NavKey.ORGANISATION_QUEUE)
    keys.append(NavKey.INBOX)
    return keys


def nav_keys(
    *,
    authenticated: bool,
    kind: str | None,
    staff: bool = False,
    operates_desk: bool = False,
    organisation_admin: bool = False,
) -> list[NavKey]:
    """The navigation of one user: anonymous, a member of an organisation, or a platform admin.

    Platform administrators manage reference data, not transactions: without an organisation
    they see the admin site only; `staff` adds it for anybody allowed into it.
    """
    if not authenticated:
        return list(ANONYMOUS_NAV)
    keys: list[NavKey] = []
    if kind == OrganisationKind.CENTER:
        keys = _center_nav(operates_desk=operates_desk, organisation_admin=organisation_admin)
    elif kind is not None:
        try:
            keys = list(NAV_BY_KIND[OrganisationKind(kind)])
        except ValueError:
            keys = []
    if staff:
        keys.append(NavKey.PLATFORM_ADMIN)
    return keys
