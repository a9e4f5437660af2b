"""Staff suspend (中止) a running auction with a reason and resume it at an announced time with
a fresh countdown; bad input changes nothing (issue 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from bidding.models import RoomEvent
from bidding.models.auctions import Auction
from bidding.services.auction_suspension import auction_resume, auction_suspend
from bidding.services.auctions import room_key_auction
from tests.auction_life import START, bid, bidding_lot, enrolments, live_until, tick
from tests.conftest import ControlledClock
from tests.tenders import World, closes, make_world
from trading.models import LedgerEntry, Lot

pytestmark = pytest.mark.django_db


def running_auction(clock: ControlledClock) -> tuple[World, Lot]:
    world = make_world(business_type="land")
    lot = bidding_lot(world, clock, "auction", bidders=2)
    clock.set(closes(lot) + timedelta(seconds=1))
    tick(clock)
    first, _second = enrolments(lot)
    assert bid(lot, first, str(START)).accepted
    return world, lot


def snapshot(lot: Lot) -> tuple[object, ...]:
    auction = Auction.objects.get(lot=lot)
    return (
        auction.phase,
        auction.opens_at,
        auction.ends_at,
        auction.suspended_reason,
        RoomEvent.objects.filter(room__key=room_key_auction(lot.pk)).count(),
        LedgerEntry.objects.count(),
    )


def test_staff_suspend_and_resume_with_a_fresh_countdown(clock: ControlledClock) -> None:
    world, lot = running_auction(clock)
    first, second = enrolments(lot)
    step = Auction.objects.get(lot=lot).step
    live_until(clock, clock.now + timedelta(seconds=60))
    auction_suspend(lot=lot, reason="网络故障，暂停竞价", actor=world.staff)
    auction = Auction.objects.get(lot=lot)
    assert auction.phase == "suspended" and auction.suspended_reason == "网络故障，暂停竞价"
    ack = bid(lot, second, str(START + step))
    assert ack.code == "suspended" and "中止" in ack.message
    # The close does not end a suspended auction, however long it waits.
    live_until(clock, clock.now + timedelta(minutes=10))
    tick(clock)
    assert Auction.objects.get(lot=lot).phase == "suspended"
    resumes_at = clock.now + timedelta(minutes=5)
    auction_resume(lot=lot, at=resumes_at, actor=world.staff2)
    auction = Auction.objects.get(lot=lot)
    assert auction.phase == "timed" and auction.opens_at == resumes_at
    assert auction.ends_at == resumes_at + timedelta(seconds=240)
    kinds = list(
        RoomEvent.objects.filter(room__key=room_key_auction(lot.pk))
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds[-2:] == ["suspended", "resumed"]
    assert (
        LedgerEntry.objects.filter(action__in=["auction.suspended", "auction.resumed"]).count() == 2
    )
    assert bid(lot, second, str(START + step)).code == "not_started"
    live_until(clock, resumes_at)
    assert bid(lot, second, str(START + step)).accepted
    live_until(clock, Auction.objects.get(lot=lot).ends_at + timedelta(seconds=1))
    tick(clock)
    lot.refresh_from_db()
    assert lot.status == "publicity"
    assert lot.candidates.get(rank=1).organisation == second.lead
    assert first.lead != second.lead


def test_bad_suspensions_and_resumptions_change_nothing(clock: ControlledClock) -> None:
    world, lot = running_auction(clock)
    before = snapshot(lot)
    for reason, message in (("", "请填写中止原因"), ("因" * 201, "不得超过 200 字")):
        with pytest.raises(ValidationError, match=message):
            auction_suspend(lot=lot, reason=reason, actor=world.staff)
    with pytest.raises(ValidationError, match="只有已中止的竞价可以恢复"):
        auction_resume(lot=lot, at=clock.now + timedelta(minutes=5), actor=world.staff)
    # Only the desk's staff operate the auction.
    for outsider in (world.other_desk_staff, world.owner_user, world.bidder_users[0]):
        with pytest.raises((PermissionDenied, Http404)):
            auction_suspend(lot=lot, reason="无权中止", actor=outsider)
    assert snapshot(lot) == before
    auction_suspend(lot=lot, reason="系统维护", actor=world.staff)
    suspended = snapshot(lot)
    with pytest.raises(ValidationError, match="只有进行中的竞价可以中止"):
        auction_suspend(lot=lot, reason="再次中止", actor=world.staff)
    for at in (clock.now, clock.now - timedelta(minutes=1)):
        with pytest.raises(ValidationError, match="恢复时间须晚于当前时间"):
            auction_resume(lot=lot, at=at, actor=world.staff)
    assert snapshot(lot) == suspended
