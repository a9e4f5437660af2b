"""The published notices of a bidder's lots (candidates, results): a registry notices fills.

Notices imports bidding, never the other way: notices registers, from `NoticesConfig.ready`,
a reader of the published notices of many lots at once; without it the workspace shows none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ResultNotice:
    """A published notice of a lot, as the bidder's workspace links it."""

    lot_id: int
    kind: str  # the kind's display name
    title: str
    url: str
    published_at: datetime | None


NoticesOf = Callable[[Sequence[int]], list[ResultNotice]]
_readers: list[NoticesOf] = []


def result_notices_register(reader: NoticesOf) -> None:
    """Notices' answer to which notices the lots have published (the last registration wins)."""
    _readers[:] = [reader]


def result_notices_for(lot_ids: Sequence[int]) -> dict[int, list[ResultNotice]]:
    """The published result notices of each lot, oldest first; one read for all of them."""
    found: dict[int, list[ResultNotice]] = {}
    if not _readers or not lot_ids:
        return found
    for notice in _readers[0](lot_ids):
        found.setdefault(notice.lot_id, []).append(notice)
    return found
