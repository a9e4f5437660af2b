"""Row locks in one fixed order, so two services that lock the same rows cannot deadlock.

The order, outermost first (later issues extend it; never lock against it):
    organisation → user → desk/jurisdiction → (project → tender → lot …) → ledger scope head

The ledger scope head is always locked last (DESIGN.md invariant 6): `ledger_append` takes it,
so call it as the final write of a service's transaction.
"""

from __future__ import annotations

from trading.models import Organisation, User


def lock_organisation(pk: int) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=pk)


def lock_user(pk: int) -> User:
    return User.objects.select_for_update().get(pk=pk)
