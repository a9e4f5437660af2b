"""The platform's heartbeat: a process with room clients beats; a silence over the threshold is
recorded as an outage, which a timed auction's close must respect (issue 13)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async as sync_to_async

from bidding.models.auctions import PlatformHeartbeat, PlatformOutage
from tests.conftest import ControlledClock
from tests.rooms import RoomWorld, connect, make_room_world, opening_path, receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


def _beat_at() -> Any:
    beat = PlatformHeartbeat.objects.filter(key="web").first()
    return beat.beat_at if beat else None


def _outages() -> list[tuple[Any, Any]]:
    return list(PlatformOutage.objects.values_list("started_at", "ended_at"))


async def _beat_reaches(moment: Any) -> None:
    for _ in range(200):
        if await sync_to_async(_beat_at)() == moment:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"no beat at {moment}")


async def test_the_room_ticker_beats_and_a_long_silence_is_an_outage(
    clock: ControlledClock, settings: Any
) -> None:
    settings.ROOM_TICK_SECONDS = 0.05
    settings.AUCTION_HEARTBEAT_SECONDS = 0
    room: RoomWorld = await sync_to_async(make_room_world)()
    socket, _, _ = await connect(opening_path(room.lot.pk), room.cookies["bidder1"])
    await receive(socket, "snapshot")
    start = clock.now
    await _beat_reaches(start)
    # 30 s between beats is no outage; five silent minutes are.
    await sync_to_async(clock.advance)(seconds=30)
    await _beat_reaches(clock.now)
    assert await sync_to_async(_outages)() == []
    before = clock.now
    await sync_to_async(clock.advance)(minutes=5)
    await _beat_reaches(clock.now)
    assert await sync_to_async(_outages)() == [(before, clock.now)]
    await socket.disconnect()
