"""The opening of sealed bids through its services: three bidders, attribution, the window, 流标.

电子招标投标办法 第29–31条; 实施条例 第44条. On PostgreSQL: the chronograph claims rows with
SKIP LOCKED and the services lock the lot.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bidding.domain import sealing
from bidding.models import (
    BidChunk,
    BidOutcome,
    Forfeiture,
    LotKey,
    Opening,
    RoomEvent,
    SealedBid,
)
from bidding.models.rooms import OpeningStage
from bidding.opening_receivers import OPENING_WINDOWS
from bidding.selectors.opening import access_opening_room
from bidding.services.lot_keys import lot_key_unwrap
from bidding.services.opening import (
    opening_check_in,
    opening_close,
    opening_confirm,
    opening_objection_answer,
    opening_objection_raise,
    opening_read_out,
    opening_snapshot,
    opening_window_open,
)
from bidding.services.opening_unlock import bid_unlock
from bidding.services.rooms import room_key_opening, room_seq
from notices.models import Notice, NoticeKind
from tests.concurrency import in_threads
from tests.conftest import ControlledClock
from tests.notices import deliver_events
from tests.sealed import PRICES, bid_store, deadline_pass, sealed_lot
from tests.tenders import COMMITTEE, make_world, pdf_file
from trading.chronograph import chronograph_tick, due_work_override
from trading.models import Candidate, LedgerEntry, Lot, Notification, OutboxEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _events(lot: Lot) -> list[str]:
    return list(
        RoomEvent.objects.filter(room__key=room_key_opening(lot.pk))
        .order_by("seq")
        .values_list("kind", flat=True)
    )


def _refused(call: Any, lot: Lot, **kwargs: Any) -> ValidationError:
    before = (room_seq(room_key_opening(lot.pk)), LedgerEntry.objects.count())
    with pytest.raises(ValidationError) as refused:
        call(**kwargs)
    assert (room_seq(room_key_opening(lot.pk)), LedgerEntry.objects.count()) == before
    return refused.value


def test_three_bidders_one_revoked_one_withdrawn_one_opened_and_read_out(
    clock: ControlledClock,
) -> None:
    world = make_world()
    lot, sealed = sealed_lot(world, clock)
    (wrong_e, _wrong_d, wrong_b, _), (lost_e, lost_d, lost_b, _), (good_e, good_d, good_b, pdf) = (
        sealed
    )
    # The good bidder replaces its bid: the first version's key file no longer opens anything.
    old_key_file = good_d.key_file()
    good_d, good_b = bid_store(
        lot,
        good_e,
        offer={"price": PRICES[2], "duration_days": "180", "quality": "合格"},
        documents=[("商务标.pdf", pdf)],
    )
    lot = deadline_pass(lot, clock)
    assert lot.status == "opening"
    opening = Opening.objects.get(lot=lot)
    assert opening.bids_received == 3 and opening.stage == OpeningStage.CHECK_IN
    host = access_opening_room(world.owner_user, lot.pk)
    staff = access_opening_room(world.staff, lot.pk)
    watcher = access_opening_room(world.regulator, lot.pk)
    wrong, lost, good = (access_opening_room(user, lot.pk) for user in world.bidder_users[:3])
    snapshot = opening_snapshot(wrong)
    assert snapshot["stage"] == "check_in" and snapshot["bids_received"] == 3
    # Before 唱标 nobody's name is in the room.
    assert world.bidders[1].name not in str(snapshot)

    # Refusals change nothing: a supervisor acting, a bidder hosting, unlocking before the window.
    assert _refused(opening_window_open, lot, seat=watcher).code == "read_only"
    assert _refused(opening_window_open, lot, seat=good).code == "seat"
    assert _refused(bid_unlock, lot, seat=good, key_file=good_d.key_file()).code == "stage"
    assert _refused(opening_read_out, lot, seat=staff).code == "stage"

    for seat in (wrong, lost, good):
        opening_check_in(seat=seat)
    assert _refused(opening_check_in, lot, seat=good).code == "checked_in"
    opening_window_open(seat=host, minutes=30)

    # 撤销: a key file whose share is not the one the bid committed to.
    forged = sealing.key_file(
        sealing.BidContext(lot.pk, wrong_e.pk, wrong_b.version), os.urandom(32)
    )
    assert bid_unlock(seat=wrong, key_file=forged).outcome == BidOutcome.BIDDER_FAULT
    wrong_b.refresh_from_db()
    assert wrong_b.fault_evidence["part"] == "bidder_share"
    assert wrong_b.fault_evidence["committed"] == wrong_b.bidder_share_commitment
    assert Forfeiture.objects.filter(enrolment=wrong_e).exists()  # 实施条例 第35条
    told = Notification.objects.filter(kind="bid.not_opened")
    assert {n.recipient.organisation_id for n in told} == {world.bidders[0].pk}

    # 撤回: the platform's stored chunk no longer matches the receipt.
    chunk = BidChunk.objects.filter(file__bid=lost_b, file__index=1).first()
    assert chunk is not None
    data = bytearray(bytes(chunk.data))
    data[5] ^= 0x01
    chunk.data = bytes(data)
    chunk.save()
    assert bid_unlock(seat=lost, key_file=lost_d.key_file()).outcome == BidOutcome.PLATFORM_FAULT
    lost_b.refresh_from_db()
    assert lost_b.fault_evidence["part"] == "ciphertext"
    assert lost_b.fault_evidence["file"] == 1
    assert not Forfeiture.objects.filter(enrolment=lost_e).exists()

    # A key file of the superseded version or of another lot, or a malformed one, is refused.
    assert _refused(bid_unlock, lot, seat=good, key_file=old_key_file).code == "key_file_context"
    assert _refused(bid_unlock, lot, seat=good, key_file={"format": "x"}).code == "key_file"
    assert bid_unlock(seat=good, key_file=good_d.key_file()).outcome == BidOutcome.OPENED
    good_b.refresh_from_db()
    assert good_b.offer == {"price": PRICES[2], "duration_days": "180", "quality": "合格"}
    assert good_b.features is not None
    [features] = good_b.features["documents"]
    assert features["author"] == "张工" and features["creator"] == "Microsoft Word"
    assert features["producer"] == "Tool 2"
    opened_file = good_b.files.get(index=1).opened_document
    with opened_file.open("rb") as handle:
        assert handle.read() == pdf
    # Every bid has its outcome: the window closed without waiting.
    opening.refresh_from_db()
    assert opening.stage == OpeningStage.READ_OUT
    assert _refused(opening_confirm, lot, seat=good).code == "not_read_out"

    opening_read_out(seat=staff)
    read_out = RoomEvent.objects.get(room__key=room_key_opening(lot.pk), kind="opening.read_out")
    rows = {row["bidder_number"]: row for row in read_out.payload["bids"]}
    assert rows[good_e.bidder_number]["name"] == world.bidders[2].name
    assert rows[good_e.bidder_number]["price"] == PRICES[2]
    assert rows[good_e.bidder_number]["files"] == [
        f.ciphertext_sha256 for f in good_b.files.order_by("index")
    ]
    assert rows[wrong_e.bidder_number]["price"] is None
    assert rows[wrong_e.bidder_number]["outcome"] == "bidder_fault"

    opening_confirm(seat=good)
    objection = opening_objection_raise(seat=lost, text="我方投标文件系平台原因无法解密，请说明。")
    assert _refused(opening_close, lot, seat=host).code == "objections"
    assert (
        _refused(
            opening_objection_answer, lot, seat=staff, objection_id=objection.pk, answer="x"
        ).code
        == "seat"
    )
    opening_objection_answer(
        seat=host, objection_id=objection.pk, answer="经核查，存储的密文与回执不符，按撤回处理。"
    )
    opening_close(seat=host)
    lot.refresh_from_db()
    assert lot.status == "evaluation" and lot.bid_count == 3
    assert OutboxEvent.objects.filter(kind="opening.closed", subject=f"lot:{lot.pk}").exists()
    assert _events(lot) == [
        "opening.started",
        "attendance.checked_in",
        "attendance.checked_in",
        "attendance.checked_in",
        "window.opened",
        "bid.unlocked",
        "bid.unlocked",
        "bid.unlocked",
        "window.closed",
        "opening.read_out",
        "record.confirmed",
        "objection.raised",
        "objection.answered",
        "opening.closed",
    ]
    actions = set(
        LedgerEntry.objects.filter(object_type="lot", object_id=str(lot.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"opening.started", "bid.unlocked", "lot_key.released", "opening.closed"} <= actions

    # The staff's evaluation form starts from the opened bid.
    from django.test import Client

    browser = Client()
    browser.force_login(world.staff)
    page = browser.get(reverse("lot_detail", args=[lot.pk]))
    form = page.context["evaluation_form"]
    assert form.initial["organisation_1"] == world.bidders[2].pk
    assert str(form.initial["price_1"]) == PRICES[2]
    assert list(form.fields["organisation_1"].queryset) == [world.bidders[2]]
    # A bid the opening did not open is no candidate; the opened one is, at its price.
    refused = browser.post(
        reverse("lot_evaluation", args=[lot.pk]),
        {"organisation_1": world.bidders[0].pk, "price_1": PRICES[0], "report_file": pdf_file()},
    )
    assert refused.status_code == 400
    assert not Candidate.objects.filter(lot=lot).exists()
    browser.post(
        reverse("lot_evaluation", args=[lot.pk]),
        {
            "organisation_1": world.bidders[2].pk,
            "price_1": PRICES[2],
            "report_file": pdf_file("report.pdf"),
            "committee": "\n".join(COMMITTEE),
        },
    )
    candidate = Candidate.objects.get(lot=lot)
    assert candidate.organisation == world.bidders[2] and str(candidate.price) == PRICES[2]


def test_the_window_closes_on_time_and_a_bid_not_unlocked_is_the_bidders(
    clock: ControlledClock,
) -> None:
    world = make_world()
    lot, sealed = sealed_lot(world, clock)
    lot = deadline_pass(lot, clock)
    host = access_opening_room(world.owner_user, lot.pk)
    first = access_opening_room(world.bidder_users[0], lot.pk)
    opening_window_open(seat=host, minutes=30)
    bid_unlock(seat=first, key_file=sealed[0][1].key_file())
    clock.advance(minutes=29)
    with due_work_override(OPENING_WINDOWS):
        assert chronograph_tick(clock=clock) == 0
    clock.advance(minutes=2)
    late = access_opening_room(world.bidder_users[1], lot.pk)
    assert _refused(bid_unlock, lot, seat=late, key_file=sealed[1][1].key_file()).code == (
        "window_closed"
    )
    with due_work_override(OPENING_WINDOWS):
        assert chronograph_tick(clock=clock) == 1
    outcomes = dict(SealedBid.objects.filter(lot=lot).values_list("enrolment_id", "outcome"))
    assert outcomes == {
        sealed[0][0].pk: BidOutcome.OPENED,
        sealed[1][0].pk: BidOutcome.BIDDER_FAULT,
        sealed[2][0].pk: BidOutcome.BIDDER_FAULT,
    }
    evidence = SealedBid.objects.get(pk=sealed[1][2].pk).fault_evidence
    assert evidence is not None and evidence["part"] == "not_unlocked"
    assert Opening.objects.get(lot=lot).stage == OpeningStage.READ_OUT
    assert _events(lot)[-1] == "window.closed"


def test_too_few_bids_fail_the_lot_by_the_platforms_count_with_its_notice(
    clock: ControlledClock,
) -> None:
    world = make_world()
    lot, _sealed = sealed_lot(world, clock, bids=2)
    lot = deadline_pass(lot, clock)
    assert lot.status == "failed" and lot.bid_count == 2
    opening = Opening.objects.get(lot=lot)
    assert opening.stage == OpeningStage.CLOSED
    assert _events(lot) == ["opening.started", "opening.closed"]
    deliver_events(clock)
    notice = Notice.objects.get(lot=lot, kind=NoticeKind.FAILURE)
    assert notice.data["bid_count"] == 2 and notice.data["min_bids"] == 3
    # A second delivery of the deadline's event starts nothing twice.
    deliver_events(clock)
    assert Opening.objects.filter(lot=lot).count() == 1


def test_staff_cannot_type_the_count_of_a_lot_the_platform_opens(clock: ControlledClock) -> None:
    world = make_world()
    lot, _sealed = sealed_lot(world, clock)
    # Before the deadline the lot key is refused, so no bid can be opened early.
    with pytest.raises(ValidationError):
        lot_key_unwrap(lot, actor=world.staff, now=clock())
    lot = deadline_pass(lot, clock)
    from django.test import Client

    browser = Client()
    browser.force_login(world.staff)
    page = browser.get(reverse("lot_detail", args=[lot.pk]))
    assert "bid_count_form" not in page.context
    response = browser.post(reverse("lot_bid_count", args=[lot.pk]), {"count": "5"})
    assert response.status_code == 400
    assert "平台开标统计" in response.content.decode()
    lot.refresh_from_db()
    assert lot.status == "opening" and lot.bid_count is None


def test_a_lost_lot_key_is_the_platforms_and_content_failing_under_matching_shares_the_bidders(
    clock: ControlledClock,
) -> None:
    world = make_world()
    lot, sealed = sealed_lot(world, clock)
    # The second bid's document was sealed under another key, though its shares are right and
    # the platform stores exactly what the receipt names: the content is the bidder's fault.
    (_e0, _d0, _b0, _p0), (e1, d1, b1, _p1), (_e2, d2, b2, _p2) = sealed
    foreign = BidChunk.objects.get(file__bid=b2, file__index=1)
    target = BidChunk.objects.get(file__bid=b1, file__index=1)
    target.data = bytes(foreign.data)
    target.save()
    digest = hashlib.sha256(bytes(foreign.data)).hexdigest()
    b1.files.filter(index=1).update(ciphertext_sha256=digest)
    assert b1.receipt is not None
    b1.receipt["files"][1]["sha256"] = digest
    b1.save(update_fields=["receipt"])
    lot = deadline_pass(lot, clock)
    host = access_opening_room(world.owner_user, lot.pk)
    opening_window_open(seat=host)
    second = access_opening_room(world.bidder_users[1], lot.pk)
    assert bid_unlock(seat=second, key_file=d1.key_file()).outcome == BidOutcome.BIDDER_FAULT
    b1.refresh_from_db()
    assert b1.fault_evidence is not None and b1.fault_evidence["part"] == "content"
    assert Forfeiture.objects.filter(enrolment=e1).exists()

    # The lot key no longer unwraps under the sealing secret: the platform's fault (撤回).
    LotKey.objects.filter(lot=lot).update(wrapped_private_key=b"\x00" * 48)
    third = access_opening_room(world.bidder_users[2], lot.pk)
    assert bid_unlock(seat=third, key_file=d2.key_file()).outcome == BidOutcome.PLATFORM_FAULT
    b2.refresh_from_db()
    assert b2.fault_evidence is not None and b2.fault_evidence["part"] == "lot_key"
    assert not Forfeiture.objects.filter(enrolment=sealed[2][0]).exists()


def test_unlocks_racing_the_windows_end_each_bid_gets_one_outcome(clock: ControlledClock) -> None:
    world = make_world()
    lot, sealed = sealed_lot(world, clock)
    lot = deadline_pass(lot, clock)
    opening_window_open(seat=access_opening_room(world.owner_user, lot.pk), minutes=30)
    opening = Opening.objects.get(lot=lot)
    assert opening.window_closes_at is not None
    # The last moment an unlock is taken is also the first the window's due work runs.
    clock.set(opening.window_closes_at)
    seats = [access_opening_room(user, lot.pk) for user in world.bidder_users[:3]]
    turns = iter(range(4))
    guard = threading.Lock()

    def act() -> str:
        with guard:
            turn = next(turns)
        if turn == 3:
            with due_work_override(OPENING_WINDOWS):
                return f"tick:{chronograph_tick(clock=clock)}"
        try:
            return bid_unlock(seat=seats[turn], key_file=sealed[turn][1].key_file()).outcome
        except ValidationError as refused:
            return f"refused:{refused.code}"

    results = in_threads(4, act)
    outcomes = list(SealedBid.objects.filter(lot=lot).values_list("outcome", flat=True))
    assert sorted(outcomes) == sorted(
        [r for r in results if not r.startswith(("tick", "refused"))]
        + ["bidder_fault"] * sum(r == "refused:stage" for r in results)
    )
    assert all(outcome in ("opened", "bidder_fault") for outcome in outcomes)
    assert _events(lot).count("bid.unlocked") == 3
    assert _events(lot).count("window.closed") == 1
    assert Opening.objects.get(lot=lot).stage == OpeningStage.READ_OUT
