"""The opening (开标) of a sealed-bid lot: start, check-in, the decryption window, 唱标, close.

招标投标法 第34–36条, 实施条例 第44条, 电子招标投标办法 第29–31条. Every service takes the
caller's `RoomSeat` from `access_opening_room`, refuses with a translated ValidationError that
changes nothing, and otherwise appends the room's event and the ledger entry in the transaction
that makes the fact true. Each locks the lot first and only reads the Opening row (the window's
due work locks that row before the lot, so taking both here could deadlock with it).
The bid's unlocking is in `bidding.services.opening_unlock`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bidding.domain.opening import offer_read_out, window_minutes_valid
from bidding.models import (
    BidOutcome,
    BidStatus,
    Enrolment,
    Opening,
    OpeningAttendance,
    SealedBid,
)
from bidding.models.rooms import OpeningStage
from bidding.opening_records import opening_record_link
from bidding.selectors.opening import RoomSeat, Seat
from bidding.services.rooms import room_event_append, room_key_opening, room_seq
from trading.clock import Clock, get_clock
from trading.domain.lifecycle import LotStatus
from trading.events import event_emit
from trading.lock_objects import lock_lot
from trading.models import Lot, Objection, Tender
from trading.models.tenders import ObjectionStage
from trading.services.common import fixed_clock, ledger, lot_tender, record_text
from trading.services.objections import objection_answer, objection_raise
from trading.services.outcomes import lot_record_bid_count

__all__ = [
    "opening_check_in",
    "opening_close",
    "opening_confirm",
    "opening_objection_answer",
    "opening_objection_raise",
    "opening_read_out",
    "opening_snapshot",
    "opening_start",
    "opening_window_open",
    "received_bids",
]

MAX_OBJECTION_LENGTH = 1000
RUNNING_SEATS = (Seat.HOST, Seat.STAFF)


def received_bids(lot_id: int) -> QuerySet[SealedBid]:
    """The bids standing at the deadline: each enrolment's committed version, by bidder number."""
    return (
        SealedBid.objects.filter(
            lot_id=lot_id, status=BidStatus.COMMITTED, enrolment__withdrawn_at__isnull=True
        )
        .select_related("enrolment__lead")
        .order_by("enrolment__bidder_number", "pk")
    )


def _emit(lot: Lot, kind: str, payload: dict[str, Any], now: datetime) -> None:
    room_event_append(room_key_opening(lot.pk), kind, payload, now=now)


# --- the start, at the deadline ---------------------------------------------------------------


def opening_start(lot: Lot, now: datetime) -> Opening | None:
    """At the bid deadline the opening starts and counts the bids (法 第34条); too few fail the
    lot (流标, 实施条例 第44条). Idempotent: the outbox delivers at least once."""
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        existing = Opening.objects.filter(lot=lot).first()
        if existing is not None:
            return existing
        tender = lot_tender(lot)
        if lot.status != LotStatus.OPENING or not tender.procedure.sealed_bids:
            return None
        count = received_bids(lot.pk).count()
        opening = Opening.objects.create(lot=lot, started_at=now, bids_received=count)
        _emit(lot, "opening.started", {"bids": count}, now)
        ledger(
            tender,
            action="opening.started",
            actor=None,
            obj=lot,
            payload={"bids": count, "min_bids": tender.procedure.min_bids},
            now=now,
        )
        if count >= tender.procedure.min_bids:
            return opening
        # Too few bids: no opening (实施条例 第44条); the platform's count fails the lot and the
        # notices registry announces the failure with the number of bids.
        lot_record_bid_count(lot=lot, count=count, actor=None, clock=fixed_clock(now))
        opening.stage = OpeningStage.CLOSED
        opening.closed_at = now
        opening.save(update_fields=["stage", "closed_at"])
        _emit(lot, "opening.closed", {"count": count, "failed": True}, now)
    return opening


# --- refusals ---------------------------------------------------------------------------------


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _require_seat(seat: RoomSeat, *seats: Seat) -> None:
    if seat.read_only:
        raise _refuse(_("监督席位只能观看开标，不能操作。"), "read_only")
    if seat.seat not in seats:
        raise _refuse(_("您的席位不能进行此操作。"), "seat")


def _open(seat: RoomSeat, *stages: OpeningStage) -> tuple[Lot, Opening, Tender]:
    """Lock the lot, read its opening and refuse a stage that does not take the action."""
    lot = lock_lot(seat.lot.pk)
    opening = Opening.objects.filter(lot=lot).first()
    if opening is None:
        raise _refuse(_("开标尚未开始。"), "not_started")
    if opening.stage not in stages:
        raise _refuse(
            _("开标当前环节为“%(stage)s”，不能进行此操作。")
            % {"stage": opening.get_stage_display()},
            "stage",
        )
    return lot, opening, lot_tender(lot)


def _clock(clock: Clock | None) -> Clock:
    return clock or get_clock()


def _enrolment(seat: RoomSeat) -> Enrolment:
    if seat.enrolment is None:
        raise _refuse(_("您的席位不能进行此操作。"), "seat")
    return seat.enrolment


def _own_bid(seat: RoomSeat) -> SealedBid | None:
    return received_bids(seat.lot.pk).filter(enrolment=_enrolment(seat)).first()


def _attendance(opening: Opening, seat: RoomSeat) -> OpeningAttendance | None:
    return OpeningAttendance.objects.filter(opening=opening, enrolment=seat.enrolment).first()


# --- check-in and the window ------------------------------------------------------------------


def opening_check_in(*, seat: RoomSeat, clock: Clock | None = None) -> OpeningAttendance:
    """A bidder checks in (签到) to the remote opening (电子招标投标办法 第29条)."""
    _require_seat(seat, Seat.BIDDER)
    with transaction.atomic():
        lot, opening, tender = _open(seat, OpeningStage.CHECK_IN, OpeningStage.DECRYPTING)
        now = _clock(clock)()
        if _own_bid(seat) is None:
            raise _refuse(_("您没有递交投标文件，无需签到。"), "no_bid")
        if _attendance(opening, seat) is not None:
            raise _refuse(_("您已签到。"), "checked_in")
        enrolment = _enrolment(seat)
        attendance = OpeningAttendance.objects.create(
            opening=opening, enrolment=enrolment, checked_in_at=now, checked_in_by=seat.user
        )
        number = enrolment.bidder_number
        _emit(lot, "attendance.checked_in", {"bidder_number": number}, now)
        ledger(
            tender,
            action="opening.checked_in",
            actor=seat.user,
            obj=lot,
            payload={"bidder_number": number},
            now=now,
        )
    return attendance


def opening_window_open(
    *, seat: RoomSeat, minutes: int = 30, clock: Clock | None = None
) -> Opening:
    """The host (法 第35条) or the desk's staff open the decryption window (default 30 minutes)."""
    _require_seat(seat, *RUNNING_SEATS)
    if not window_minutes_valid(minutes):
        raise _refuse(_("解密时长应为5至240分钟的整数。"), "minutes")
    with transaction.atomic():
        lot, opening, tender = _open(seat, OpeningStage.CHECK_IN)
        now = _clock(clock)()
        opening.stage = OpeningStage.DECRYPTING
        opening.host = seat.user
        opening.window_opened_at = now
        opening.window_closes_at = now + timedelta(minutes=minutes)
        opening.save(update_fields=["stage", "host", "window_opened_at", "window_closes_at"])
        closes_at = opening.window_closes_at.isoformat()
        _emit(lot, "window.opened", {"closes_at": closes_at}, now)
        ledger(
            tender,
            action="opening.window_opened",
            actor=seat.user,
            obj=lot,
            payload={"minutes": minutes, "closes_at": closes_at},
            now=now,
        )
    return opening


# --- 唱标, confirmations and objections --------------------------------------------------------


def bidder_name(enrolment: Enrolment) -> str:
    """The bidder as read out: a consortium by its members, the lead first (实施条例 第37条)."""
    if not enrolment.is_consortium:
        return enrolment.lead.name
    members = sorted(enrolment.members.all(), key=lambda member: (not member.is_lead, member.pk))
    names = "、".join(member.organisation.name for member in members)
    # Stored in the room's events and the ledger: in the platform's language.
    return record_text(gettext_noop("%(names)s（联合体）"), names=names)


def read_out_rows(lot_id: int) -> list[dict[str, Any]]:
    """Each received bid as 唱标 reads it: name, price, duration, quality, ciphertext hashes."""
    rows = []
    bids = received_bids(lot_id).prefetch_related("files", "enrolment__members__organisation")
    for bid in bids:
        opened = bid.outcome == BidOutcome.OPENED
        read = offer_read_out(bid.offer if opened else None)
        rows.append(
            {
                "bidder_number": bid.enrolment.bidder_number,
                "name": bidder_name(bid.enrolment),
                "outcome": bid.outcome,
                "price": read["price"],
                "duration": read["duration"],
                "quality": read["quality"],
                "files": [file.ciphertext_sha256 for file in bid.files.all()],
            }
        )
    return rows


def opening_read_out(*, seat: RoomSeat, clock: Clock | None = None) -> Opening:
    """唱标: every bid's name, price, duration and quality with its ciphertext hashes, so each
    bidder can check that what was opened is what it submitted (实施条例 第44条)."""
    _require_seat(seat, *RUNNING_SEATS)
    with transaction.atomic():
        lot, opening, tender = _open(seat, OpeningStage.READ_OUT)
        now = _clock(clock)()
        if opening.read_out_at is not None:
            raise _refuse(_("已唱标。"), "read_out")
        rows = read_out_rows(lot.pk)
        opening.read_out_at = now
        opening.save(update_fields=["read_out_at"])
        _emit(lot, "opening.read_out", {"bids": rows}, now)
        ledger(
            tender,
            action="opening.read_out",
            actor=seat.user,
            obj=lot,
            payload={"bids": rows},
            now=now,
        )
    return opening


def opening_confirm(*, seat: RoomSeat, clock: Clock | None = None) -> OpeningAttendance:
    """A bidder confirms the opening record after 唱标 (电子招标投标办法 第29条)."""
    _require_seat(seat, Seat.BIDDER)
    with transaction.atomic():
        lot, opening, tender = _open(seat, OpeningStage.READ_OUT)
        now = _clock(clock)()
        if opening.read_out_at is None:
            raise _refuse(_("唱标后才能确认开标记录。"), "not_read_out")
        attendance = _attendance(opening, seat)
        if attendance is None:
            raise _refuse(_("您未签到，不能确认开标记录。"), "not_checked_in")
        if attendance.confirmed_at is not None:
            raise _refuse(_("您已确认开标记录。"), "confirmed")
        attendance.confirmed_at = now
        attendance.save(update_fields=["confirmed_at"])
        number = attendance.enrolment.bidder_number
        _emit(lot, "record.confirmed", {"bidder_number": number}, now)
        ledger(
            tender,
            action="opening.confirmed",
            actor=seat.user,
            obj=lot,
            payload={"bidder_number": number},
            now=now,
        )
    return attendance


def opening_objection_raise(*, seat: RoomSeat, text: str, clock: Clock | None = None) -> Objection:
    """A bidder objects to the opening on the spot; the host answers at once (实施条例 第44条)."""
    _require_seat(seat, Seat.BIDDER)
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise _refuse(_("请填写异议内容。"), "text")
    if len(text) > MAX_OBJECTION_LENGTH:
        raise _refuse(_("异议内容不能超过%(n)s个字。") % {"n": MAX_OBJECTION_LENGTH}, "text_length")
    with transaction.atomic():
        lot, opening, tender = _open(seat, OpeningStage.DECRYPTING, OpeningStage.READ_OUT)
        now = _clock(clock)()
        attendance = _attendance(opening, seat)
        if attendance is None:
            raise _refuse(_("您未签到，不能提出异议。"), "not_checked_in")
        try:
            objection = objection_raise(
                lot=lot, stage=ObjectionStage.OPENING, text=text, actor=seat.user, clock=lambda: now
            )
        except PermissionDenied as denied:
            # The room answers every refusal the same way (a ValidationError it shows).
            raise _refuse(str(denied), "denied") from None
        attendance.objection = objection
        attendance.save(update_fields=["objection"])
        number = attendance.enrolment.bidder_number
        payload = {"id": objection.pk, "bidder_number": number, "text": text}
        _emit(lot, "objection.raised", payload, now)
        # Everything said in the room is in the ledger (objection_raise records the hold).
        ledger(
            tender,
            action="opening.objection_raised",
            actor=seat.user,
            obj=lot,
            payload={"objection": objection.pk, "bidder_number": number, "text": text},
            now=now,
        )
    return objection


def opening_objection_answer(
    *, seat: RoomSeat, objection_id: int, answer: str, clock: Clock | None = None
) -> Objection:
    """The host answers an objection to the opening in the room (实施条例 第44条: 当场作出答复)."""
    _require_seat(seat, Seat.HOST)
    answer = (answer or "").strip() if isinstance(answer, str) else ""
    if not answer:
        raise _refuse(_("请填写答复内容。"), "answer")
    if len(answer) > MAX_OBJECTION_LENGTH:
        raise _refuse(
            _("答复内容不能超过%(n)s个字。") % {"n": MAX_OBJECTION_LENGTH}, "answer_length"
        )
    with transaction.atomic():
        lot, _opening, tender = _open(seat, OpeningStage.DECRYPTING, OpeningStage.READ_OUT)
        now = _clock(clock)()
        objection = Objection.objects.filter(
            pk=objection_id if isinstance(objection_id, int) else None,
            lot=lot,
            stage=ObjectionStage.OPENING,
        ).first()
        if objection is None:
            raise _refuse(_("没有找到该异议。"), "objection")
        if objection.answered_at is not None:
            raise _refuse(_("该异议已答复。"), "answered")
        try:
            objection = objection_answer(
                objection=objection, answer=answer, actor=seat.user, clock=lambda: now
            )
        except PermissionDenied as denied:
            raise _refuse(str(denied), "denied") from None
        _emit(lot, "objection.answered", {"id": objection.pk, "answer": answer}, now)
        ledger(
            tender,
            action="opening.objection_answered",
            actor=seat.user,
            obj=lot,
            payload={"objection": objection.pk, "answer": answer},
            now=now,
        )
    return objection


# --- the close --------------------------------------------------------------------------------


def opening_close(*, seat: RoomSeat, clock: Clock | None = None) -> Opening:
    """The opening ends: the platform's count moves the lot to evaluation and the opening record
    (开标记录表) is rendered and published (实施条例 第44条, 电子招标投标办法 第30条)."""
    _require_seat(seat, *RUNNING_SEATS)
    with transaction.atomic():
        lot, opening, tender = _open(seat, OpeningStage.READ_OUT)
        now = _clock(clock)()
        if opening.read_out_at is None:
            raise _refuse(_("唱标后才能结束开标。"), "not_read_out")
        if Objection.objects.filter(
            lot=lot, stage=ObjectionStage.OPENING, answered_at__isnull=True
        ).exists():
            raise _refuse(_("尚有未答复的异议，答复后才能结束开标。"), "objections")
        count = opening.bids_received
        opening.stage = OpeningStage.CLOSED
        opening.closed_at = now
        opening.save(update_fields=["stage", "closed_at"])
        _emit(lot, "opening.closed", {"count": count}, now)
        ledger(
            tender,
            action="opening.closed",
            actor=seat.user,
            obj=lot,
            payload={"count": count},
            now=now,
        )
        event_emit(
            kind="opening.closed",
            subject=f"lot:{lot.pk}",
            payload={"lot": lot.pk, "tender": tender.pk, "opening": opening.pk, "count": count},
            clock=fixed_clock(now),
        )
        # The platform counted the bids; no one types the number (actor None: the platform).
        lot_record_bid_count(lot=lot, count=count, actor=None, clock=fixed_clock(now))
    return opening


# --- the snapshot -----------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def opening_snapshot(seat: RoomSeat) -> dict[str, Any]:
    """What a client joining the room sees: the stage, progress by bidder number, the read-out
    once read (names only then), the objections, and the seat's own bid.

    `seq` is read first: every change after it reaches the client as an event or by resync.
    """
    lot = seat.lot
    seq = room_seq(room_key_opening(lot.pk))
    opening = Opening.objects.filter(lot_id=lot.pk).first()
    snapshot: dict[str, Any] = {
        "seq": seq,
        "lot": {"id": lot.pk, "code": lot.code, "name": lot.name},
        "seat": seat.seat.value,
        "read_only": seat.read_only,
        "deadline": _iso(lot.closes_at),
        "stage": opening.stage if opening is not None else None,
    }
    if opening is None:
        return snapshot
    bids = list(received_bids(lot.pk))
    numbers = {bid.enrolment.lead_id: bid.enrolment.bidder_number for bid in bids}
    attendance = {
        row.enrolment_id: row
        for row in OpeningAttendance.objects.filter(opening=opening).select_related("enrolment")
    }
    snapshot.update(
        {
            "bids_received": opening.bids_received,
            "window_opened_at": _iso(opening.window_opened_at),
            "window_closes_at": _iso(opening.window_closes_at),
            "read_out_at": _iso(opening.read_out_at),
            "closed_at": _iso(opening.closed_at),
            "progress": [
                {
                    "bidder_number": bid.enrolment.bidder_number,
                    "checked_in": bid.enrolment_id in attendance,
                    "outcome": bid.outcome,
                    "confirmed": bid.enrolment_id in attendance
                    and attendance[bid.enrolment_id].confirmed_at is not None,
                }
                for bid in bids
            ],
            "read_out": read_out_rows(lot.pk) if opening.read_out_at is not None else None,
            "objections": [
                {
                    "id": objection.pk,
                    "bidder_number": numbers.get(objection.raised_by_id),
                    "text": objection.text,
                    "answer": objection.answer or None,
                }
                for objection in Objection.objects.filter(
                    lot_id=lot.pk, stage=ObjectionStage.OPENING
                ).order_by("raised_at", "pk")
            ],
        }
    )
    record = opening_record_link(lot.pk) if opening.closed_at is not None else None
    snapshot["record"] = (
        {"verification_code": record.verification_code, "url": record.url, "sha256": record.sha256}
        if record is not None
        else None
    )
    if seat.enrolment is not None:
        own = next((bid for bid in bids if bid.enrolment_id == seat.enrolment.pk), None)
        mine = attendance.get(seat.enrolment.pk)
        snapshot["me"] = {
            "bidder_number": seat.enrolment.bidder_number,
            "has_bid": own is not None,
            "version": own.version if own is not None else None,
            "outcome": own.outcome if own is not None else None,
            "checked_in": mine is not None,
            "confirmed": mine is not None and mine.confirmed_at is not None,
        }
    return snapshot
