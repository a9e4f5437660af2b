"""Rooms' event sequences: append a committed fact, read what a client missed (DESIGN.md §5).

An event is appended inside the transaction that makes the fact true, under the lot's lock and
before the ledger entry (lock order: lot → room head → ledger head); it reaches the room's clients
only when that transaction commits, so a room never shows what was rolled back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from bidding.broadcast import room_publish
from bidding.models import RoomEvent, RoomHead


def room_key_opening(lot_id: int) -> str:
    return f"opening:{lot_id}"


def room_event_message(event: RoomEvent) -> dict[str, Any]:
    """The frame a client receives for one event (the same for every reader of the room)."""
    return {
        "type": "event",
        "seq": event.seq,
        "kind": event.kind,
        "payload": event.payload,
        # The platform's time zone, whether the event was just made or read back for a resync.
        "at": timezone.localtime(event.at).isoformat(),
    }


def room_event_append(key: str, kind: str, payload: dict[str, Any], *, now: datetime) -> RoomEvent:
    """Give the event the room's next sequence number and publish it once the caller commits."""
    # One read in the usual case (the room exists): every bid of a hot room comes through here.
    head = RoomHead.objects.select_for_update().filter(key=key).first()
    if head is None:
        created, _created = RoomHead.objects.get_or_create(key=key)
        head = RoomHead.objects.select_for_update().get(pk=created.pk)
    head.seq += 1
    head.save(update_fields=["seq"])
    event = RoomEvent.objects.create(room=head, seq=head.seq, kind=kind, payload=payload, at=now)
    message = room_event_message(event)
    transaction.on_commit(lambda: room_publish(key, message))
    return event


def room_seq(key: str) -> int:
    """The room's last sequence number (0 for a room with no event yet)."""
    return RoomHead.objects.filter(key=key).values_list("seq", flat=True).first() or 0


def room_events_after(key: str, after: int, *, limit: int = 1000) -> list[dict[str, Any]]:
    """The events a client that saw `after` missed, in order (at most `limit`)."""
    events = RoomEvent.objects.filter(room__key=key, seq__gt=after).order_by("seq")[:limit]
    return [room_event_message(event) for event in events]


def room_heads(keys: list[str]) -> dict[str, int]:
    """The last sequence number of each of these rooms, in one read (no lot lock: a server's
    catch-up asks it every few seconds for all the rooms it serves)."""
    return dict(RoomHead.objects.filter(key__in=keys).values_list("key", "seq"))
