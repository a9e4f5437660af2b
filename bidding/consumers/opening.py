"""The opening room's socket, `ws/lots/<lot_id>/opening/` (招标投标法 第34–36条; 电子招标投标办法
第29–31条): the host opens the decryption window, bidders check in, unlock, confirm or object.

Each action goes through the opening's service (bidding.services.opening), the same one an HTTP
form would call; the sender gets an ack or the reason, the room gets the event when it commits.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from bidding.consumers.room import RoomConsumer
from bidding.selectors.opening import RoomSeat, Seat, access_opening_room
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
from bidding.services.rooms import room_key_opening

ACTIONS = ("check_in", "open_window", "unlock", "read_out", "confirm", "object", "answer", "close")


def seat_snapshot(seat: RoomSeat) -> dict[str, Any]:
    """What the room shows this seat (the opening's own snapshot), with the seat's number."""
    shown = opening_snapshot(seat)
    shown["bidder_number"] = seat.enrolment.bidder_number if seat.enrolment else None
    return shown


def _whole_number(value: Any, refusal: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(refusal)
    return value


def opening_act(seat: RoomSeat, kind: str, message: dict[str, Any]) -> dict[str, Any]:
    """Carry out one action of the room for `seat` through the opening's services (which check
    the seat, the stage and the input); the ack's extra fields."""
    if kind == "check_in":
        opening_check_in(seat=seat)
    elif kind == "open_window":
        minutes = _whole_number(message.get("minutes", 30), _("解密时长应为5至240分钟的整数。"))
        opening_window_open(seat=seat, minutes=minutes)
    elif kind == "unlock":
        bid = bid_unlock(seat=seat, key_file=message.get("key_file") or {})
        return {"outcome": bid.outcome}
    elif kind == "read_out":
        opening_read_out(seat=seat)
    elif kind == "confirm":
        opening_confirm(seat=seat)
    elif kind == "object":
        objection = opening_objection_raise(seat=seat, text=message.get("text") or "")
        return {"objection": objection.pk}
    elif kind == "answer":
        opening_objection_answer(
            seat=seat,
            objection_id=_whole_number(message.get("objection"), _("请指明要答复的异议。")),
            answer=message.get("text") or "",
        )
    elif kind == "close":
        opening_close(seat=seat)
    return {}


class OpeningRoomConsumer(RoomConsumer):
    """The opening room: host, staff, the lot's bidders, and supervisors watching read-only."""

    def room_enter(self, user: Any, **url_kwargs: Any) -> RoomSeat:
        return access_opening_room(user, int(url_kwargs["lot_id"]))

    def room_key_for(self, seat: RoomSeat) -> str:
        return room_key_opening(seat.lot.pk)

    def room_snapshot(self, seat: RoomSeat) -> dict[str, Any]:
        return seat_snapshot(seat)

    async def room_action(self, kind: str, message: dict[str, Any]) -> None:
        seat: RoomSeat = self.seat
        if kind not in ACTIONS:
            self.send_error(_("未知的消息类型。"))
            return
        if seat.seat is Seat.SUPERVISOR:
            self.send_json(
                {"type": "error", "action": kind, "message": _("监督席位只能观看开标，不能操作。")}
            )
            return
        # A worker thread, not the process's one database thread: an unlock decrypts a bid's
        # documents (up to tens of MB) and must not hold every other room's snapshot and resync.
        act = database_sync_to_async(self._act, thread_sensitive=False)
        reply = await act(seat, kind, message)
        self.send_json(reply)

    def _act(self, seat: RoomSeat, kind: str, message: dict[str, Any]) -> dict[str, Any]:
        with translation.override(self.language):
            try:
                return {"type": "ack", "action": kind, **opening_act(seat, kind, message)}
            except ValidationError as error:
                text = " ".join(error.messages)
            except (PermissionDenied, Http404) as error:
                text = str(error) or _("您无权执行此操作。")
            return {"type": "error", "action": kind, "message": text}
