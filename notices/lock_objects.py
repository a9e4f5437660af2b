"""Row locks of notices in one fixed order (trading's own order comes first, DESIGN.md §3).

    notice → publication counter → ledger scope head (taken by the ledger helper, last)

The publication counter is the single publisher: held until commit, it hands out gap-free
numbers in commit order, so keep what runs after it short.
"""

from __future__ import annotations

from notices.models import Notice, PublicationCounter


def lock_notice(pk: int) -> Notice:
    return Notice.objects.select_for_update().get(pk=pk)


def lock_publication_counter() -> PublicationCounter:
    """The counter row, created on first use (two first publishers race to insert it)."""
    PublicationCounter.objects.bulk_create([PublicationCounter(id=1)], ignore_conflicts=True)
    return PublicationCounter.objects.select_for_update().get(id=1)
