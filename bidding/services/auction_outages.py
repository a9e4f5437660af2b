"""The platform's heartbeat: a gap longer than `AUCTION_OUTAGE_SECONDS` (60) is an outage.

Any process that can take bids beats (the room ticker every `AUCTION_HEARTBEAT_SECONDS`, the
chronograph every tick, the close itself); a beat that finds the last one older than the
threshold records the silence between them as a `PlatformOutage`. An auction whose countdown
such an outage overlapped is suspended rather than closed (bidding.domain.auction:
`outage_during_countdown`): never close an auction that bidders could not reach.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from bidding.models.auctions import PlatformHeartbeat, PlatformOutage

HEARTBEAT_KEY = "web"


def outage_threshold() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "AUCTION_OUTAGE_SECONDS", 60)))


def auction_heartbeat(now: datetime) -> PlatformOutage | None:
    """Beat: the platform takes bids at `now`; returns the outage this beat ended, if any."""
    with transaction.atomic():
        beat, created = PlatformHeartbeat.objects.get_or_create(
            key=HEARTBEAT_KEY, defaults={"beat_at": now}
        )
        if created:
            return None
        beat = PlatformHeartbeat.objects.select_for_update().get(pk=beat.pk)
        if now <= beat.beat_at:
            return None  # a beat from a process whose clock reads earlier: nothing new
        outage = None
        if now - beat.beat_at > outage_threshold():
            outage = PlatformOutage.objects.create(started_at=beat.beat_at, ended_at=now)
        beat.beat_at = now
        beat.save(update_fields=["beat_at"])
        return outage


def heartbeats_due(now: datetime) -> QuerySet[PlatformHeartbeat]:
    """Every chronograph tick beats (the row is made by the first beat of any process)."""
    if not PlatformHeartbeat.objects.filter(key=HEARTBEAT_KEY).exists():
        auction_heartbeat(now)
    return PlatformHeartbeat.objects.filter(key=HEARTBEAT_KEY, beat_at__lt=now)


def heartbeat_advance(beat: PlatformHeartbeat, now: datetime) -> None:
    auction_heartbeat(now)
