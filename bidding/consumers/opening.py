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
from bidding.services.rooms import room_key_opening

ACTIONS = ("check_in", "open_window", "unlock", "read_out", "confirm", "object", "answer", "close")
MAX_TEXT = 1000  # an objection or an answer said in the room; the ledger keeps every word


def seat_snapshot(seat: RoomSeat) -> dict[str, Any]:
    """What the room shows this seat: who it is, and the opening's state (sbopening's service)."""
    shown: dict[str, Any] = {
        "seat": seat.seat.value,
        "read_only": seat.read_only,
        "lot": {"id": seat.lot.pk, "code": seat.lot.code, "name": seat.lot.name},
        "bidder_number": seat.enrolment.bidder_number if seat.enrolment else None,
    }
    try:
        from bidding.services.opening import opening_snapshot
    except ImportError:  # until sbopening's services are merged
        return shown | {"opening": None}
    return shown | opening_snapshot(seat)


def _text(message: dict[str, Any], field: str) -> str:
    value = message.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(_("请填写内容。"))
    if len(value) > MAX_TEXT:
        raise ValidationError(_("内容过长：不得超过 %(n)s 个字。") % {"n": MAX_TEXT})
    return value.strip()


def _minutes(message: dict[str, Any]) -> int:
    value = message.get("minutes", 30)
    if not isinstance(value, int) or isinstance(value, bool) or not 5 <= value <= 120:
        raise ValidationError(_("解密时长应为 5 至 120 分钟。"))
    return value


def _objection_id(message: dict[str, Any]) -> int:
    value = message.get("objection")
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(_("请指明要答复的异议。"))
    return value


def opening_act(seat: RoomSeat, kind: str, message: dict[str, Any]) -> dict[str, Any]:
    """Carry out one action of the room for `seat` (runs in a worker thread); the ack's fields."""
    from bidding.services import opening as services

    lot, actor = seat.lot, seat.user
    if kind == "check_in":
        services.opening_check_in(lot=lot, actor=actor)
    elif kind == "open_window":
        services.opening_window_open(lot=lot, actor=actor, minutes=_minutes(message))
    elif kind == "unlock":
        key_file = message.get("key_file")
        if not isinstance(key_file, dict):
            raise ValidationError(_("请选择密钥文件。"))
        bid = services.bid_unlock(lot=lot, actor=actor, key_file=key_file)
        return {"outcome": bid.outcome}
    elif kind == "read_out":
        services.opening_read_out(lot=lot, actor=actor)
    elif kind == "confirm":
        services.opening_confirm(lot=lot, actor=actor)
    elif kind == "object":
        objection = services.opening_objection_raise(
            lot=lot, actor=actor, text=_text(message, "text")
        )
        return {"objection": objection.pk}
    elif kind == "answer":
        services.opening_objection_answer(
            lot=lot, actor=actor, objection_id=_objection_id(message), answer=_text(message, "text")
        )
    elif kind == "close":
        services.opening_close(lot=lot, actor=actor)
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
                {"type": "error", "action": kind, "message": _("监督席只能观看开标，不能操作。")}
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
