"""Bidding's row locks, after trading's (trading.lock_objects): lot → enrolment → … → ledger head.

A lot's enrolments are serialised by the lot's lock, which also orders them against the close of
bidding (DESIGN.md invariant 1); an enrolment's own row is locked after it.
"""

from __future__ import annotations

from bidding.models import Enrolment
from trading.lock_objects import lock_lot

__all__ = ["lock_enrolment", "lock_lot"]


def lock_enrolment(pk: int) -> Enrolment:
    return Enrolment.objects.select_for_update().get(pk=pk)
