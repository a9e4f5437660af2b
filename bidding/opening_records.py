"""Where a lot's published opening record (开标记录表) is: a registry notices fills.

Notices renders and publishes the record and imports bidding, never the other way: it
registers, from `NoticesConfig.ready`, a reader of the record's verification code and download
link; without it the room shows none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class OpeningRecordLink:
    """The published record as the room links it."""

    verification_code: str
    url: str
    sha256: str


RecordOf = Callable[[int], OpeningRecordLink | None]
_readers: list[RecordOf] = []


def opening_record_link_register(reader: RecordOf) -> None:
    """Notices' answer to where a lot's record is (the last registration wins)."""
    _readers[:] = [reader]


def opening_record_link(lot_id: int) -> OpeningRecordLink | None:
    """The lot's published opening record, once notices has rendered and published it."""
    return _readers[0](lot_id) if _readers else None
