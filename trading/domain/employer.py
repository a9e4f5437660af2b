"""管办分离 by employer: which kind of organisation may hold which grant (DESIGN.md invariant 5).

The same table is enforced three times: by the granting service (with a message a person can act
on), and by database triggers on PostgreSQL and SQLite (for every other path). The trigger SQL is
generated from this table so the three cannot drift apart.
"""

from __future__ import annotations

import enum
from typing import Final


class OrganisationKind(enum.StrEnum):
    CENTER = "center"
    REGULATOR = "regulator"
    OWNER = "owner"
    AGENCY = "agency"
    BIDDER = "bidder"
    EXPERT_POOL = "expert_pool"


class Grant(enum.StrEnum):
    """Object permissions that carry the power to run or to supervise transactions."""

    OPERATE_DESK = "operate_desk"
    SUPERVISE_JURISDICTION = "supervise_jurisdiction"


# 政府主导、管办分离: the center operates, the regulator supervises, nobody else does either.
GRANT_HOLDER: Final[dict[Grant, OrganisationKind]] = {
    Grant.OPERATE_DESK: OrganisationKind.CENTER,
    Grant.SUPERVISE_JURISDICTION: OrganisationKind.REGULATOR,
}

# The model each grant is held on (app_label.model).
GRANT_TARGET: Final[dict[Grant, str]] = {
    Grant.OPERATE_DESK: "trading.desk",
    Grant.SUPERVISE_JURISDICTION: "trading.jurisdiction",
}


class GrantRefused(Exception):
    """A grant that would break 管办分离; `reason` is a stable code, the message is for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_grant(*, grant: str, target: str, holder_kind: str | None) -> None:
    """Refuse a grant unless the employer's kind is the one the grant belongs to."""
    try:
        known = Grant(grant)
    except ValueError:
        raise GrantRefused("unknown_grant") from None
    if GRANT_TARGET[known] != target:
        raise GrantRefused("wrong_target")
    if holder_kind is None:
        raise GrantRefused("no_organisation")
    if GRANT_HOLDER[known] != holder_kind:
        raise GrantRefused("wrong_employer")


def grants_allowed_for(kind: str) -> frozenset[Grant]:
    return frozenset(grant for grant, holder in GRANT_HOLDER.items() if holder == kind)
