"""The auction room's socket, `ws/lots/<lot_id>/auction/` (国土资源部令第39号 第14–20条): bidders
bid and declare, the public watches price and countdown, supervisors watch and may reveal a
bidder number, the desk's staff suspend (中止) and resume.

A bid goes through `bid_place`, the same path as the HTTP endpoint; the sender gets the ack or
the refusal, the room gets the "bid" event when it commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from bidding.consumers.room import RoomConsumer
from bidding.selectors.auction_room import (
    AuctionRoomSeat,
    AuctionSeat,
    access_auction_room,
    auction_room_snapshot,
)
from bidding.services.auction_bids import bid_place, declaration_place
from bidding.services.auction_reveal import auction_bidder_reveal
from bidding.services.auction_suspension import auction_resume, auction_suspend
from bidding.services.auctions import room_key_auction
from trading.clock import get_clock
from trading.models import User

# Which seat may do what; "refresh" (a fresh snapshot, after a phase changes) is everyone's.
SEAT_ACTIONS: dict[AuctionSeat, frozenset[str]] = {
    AuctionSeat.BIDDER: frozenset({"bid", "declare"}),
    AuctionSeat.SUPERVISOR: frozenset({"reveal"}),
    AuctionSeat.STAFF: frozenset({"suspend", "resume"}),
    AuctionSeat.PUBLIC: frozenset(),
}
ACTIONS = frozenset().union(*SEAT_ACTIONS.values())


def _announced_time(value: Any) -> datetime:
    """The resumption time as staff typed it (ISO 8601; the platform's zone when none is given)."""
    moment = parse_datetime(value) if isinstance(value, str) and len(value) <= 40 else None
    if moment is None:
        raise ValidationError(_("恢复时间格式错误，应为“2026-12-01T10:00”这样的日期时间。"))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def auction_act(seat: AuctionRoomSeat, kind: str, message: dict[str, Any]) -> dict[str, Any]:
    """Carry out one action for `seat` through the auction's services; the answer's fields."""
    actor = seat.user
    if not isinstance(actor, User):  # the public seat has no action to reach here
        raise PermissionDenied(_("您的席位不能进行此操作。"))
    if kind == "bid":
        if seat.enrolment is None or not seat.is_lead:
            raise PermissionDenied(_("联合体由牵头人报价。"))
        key = message.get("idempotency_key")
        ack = bid_place(
            lot_id=seat.lot.pk,
            enrolment=seat.enrolment,
            amount=message.get("amount"),
            idempotency_key=key if isinstance(key, str) else "",
            actor=actor,
        )
        answer: dict[str, Any] = {"idempotency_key": key, "code": ack.code}
        if not ack.accepted:
            return {"type": "error", **answer, "message": ack.message}
        return {"type": "ack", **answer, "bid_seq": ack.seq, "amount": f"{ack.amount:.2f}"}
    if kind == "declare":
        if seat.enrolment is None or not seat.is_lead:
            raise PermissionDenied(_("联合体由牵头人要求报价。"))
        declared = declaration_place(lot_id=seat.lot.pk, enrolment=seat.enrolment, actor=actor)
        if not declared.accepted:
            return {"type": "error", "code": declared.code, "message": declared.message}
        return {"type": "ack", "message": declared.message}
    if kind == "reveal":
        name = auction_bidder_reveal(
            lot=seat.lot, bidder_number=message.get("bidder_number"), actor=actor
        )
        return {"type": "ack", "bidder_number": message.get("bidder_number"), "name": name}
    if kind == "suspend":
        reason = message.get("reason")
        auction_suspend(lot=seat.lot, reason=reason if isinstance(reason, str) else "", actor=actor)
        return {"type": "ack"}
    if kind == "resume":
        auction_resume(lot=seat.lot, at=_announced_time(message.get("at")), actor=actor)
        return {"type": "ack"}
    raise ValidationError(_("未知的消息类型。"))


class AuctionRoomConsumer(RoomConsumer):
    """The auction room: bidders, the public (anonymous too), supervisors, the desk's staff."""

    allow_anonymous = True

    def room_enter(self, user: Any, **url_kwargs: Any) -> AuctionRoomSeat:
        return access_auction_room(user, int(url_kwargs["lot_id"]))

    def room_key_for(self, seat: AuctionRoomSeat) -> str:
        return room_key_auction(seat.lot.pk)

    def room_snapshot(self, seat: AuctionRoomSeat) -> dict[str, Any]:
        return auction_room_snapshot(seat, get_clock()())

    async def room_action(self, kind: str, message: dict[str, Any]) -> None:
        seat: AuctionRoomSeat = self.seat
        if kind == "refresh":
            self.send_json(await database_sync_to_async(self._snapshot)())
            return
        if kind not in ACTIONS:
            self.send_error(_("未知的消息类型。"))
            return
        if kind not in SEAT_ACTIONS[seat.seat]:
            self.send_json(
                {"type": "error", "action": kind, "message": _("您的席位不能进行此操作。")}
            )
            return
        # A worker thread of its own: a bid waits for the lot's lock behind the other bidders'
        # and must not hold the process's one database thread (every snapshot and resync) meanwhile.
        act = database_sync_to_async(self._act, thread_sensitive=False)
        self.send_json(await act(seat, kind, message))

    def _act(self, seat: AuctionRoomSeat, kind: str, message: dict[str, Any]) -> dict[str, Any]:
        with translation.override(self.language):
            try:
                answer = auction_act(seat, kind, message)
            except ValidationError as error:
                answer = {"type": "error", "message": " ".join(error.messages)}
            except (PermissionDenied, Http404) as error:
                answer = {"type": "error", "message": str(error) or _("您无权执行此操作。")}
            return {**answer, "action": kind}
