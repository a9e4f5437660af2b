"""Stand-ins for the room's staff actions owned by auclose, until they merge:
`auction_suspend` / `auction_resume`.

Same signatures and the same transaction shape (lock, rules, store, room event, ledger); the
integrator points bidding/consumers/auction.py at the real ones and deletes this module.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bidding.domain.auction import Phase, resume, suspend
from bidding.services.auctions import (
    auction_lock,
    auction_state,
    auction_store,
    room_key_auction,
)
from bidding.services.rooms import room_event_append
from trading.clock import Clock, get_clock
from trading.models import Lot, User
from trading.services.ledger import ledger_append_tender


def auction_suspend(*, lot: Lot, reason: str, actor: User, clock: Clock | None = None) -> None:
    """中止: the desk stops a running auction, with a reason everyone in the room reads."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise ValidationError(_("请填写中止原因（不超过200字）。"))
    clock = clock or get_clock()
    with transaction.atomic():
        lot, auction = auction_lock(lot.pk)
        now = clock()
        state = auction_state(auction)
        if state.phase not in (Phase.LISTING, Phase.TIMED):
            raise ValidationError(_("只有进行中的竞价可以中止。"))
        auction_store(auction, suspend(state))
        auction.suspended_reason = reason
        auction.save(update_fields=["suspended_reason"])
        room_event_append(room_key_auction(lot.pk), "suspended", {"reason": reason}, now=now)
        ledger_append_tender(
            tender_id=lot.tender_id,
            action="auction.suspended",
            actor=actor,
            obj_type="auction",
            obj_id=str(auction.pk),
            payload={"lot": lot.pk, "reason": reason},
            now=now,
        )


def auction_resume(*, lot: Lot, at: datetime, actor: User, clock: Clock | None = None) -> None:
    """The auction resumes at the announced time `at` with a fresh countdown."""
    clock = clock or get_clock()
    with transaction.atomic():
        lot, auction = auction_lock(lot.pk)
        now = clock()
        state = auction_state(auction)
        if state.phase is not Phase.SUSPENDED:
            raise ValidationError(_("只有已中止的竞价可以恢复。"))
        if at <= now:
            raise ValidationError(_("恢复时间须晚于现在。"))
        try:
            state = resume(state, at)
        except ValueError:
            raise ValidationError(_("挂牌期在恢复时间之前已结束，不能按此时间恢复。")) from None
        auction_store(auction, state)
        auction.suspended_reason = ""
        auction.save(update_fields=["suspended_reason"])
        room_event_append(
            room_key_auction(lot.pk),
            "resumed",
            {"resumes_at": at.isoformat(), "ends_at": state.ends_at.isoformat()},
            now=now,
        )
        ledger_append_tender(
            tender_id=lot.tender_id,
            action="auction.resumed",
            actor=actor,
            obj_type="auction",
            obj_id=str(auction.pk),
            payload={"lot": lot.pk, "resumes_at": at.isoformat()},
            now=now,
        )
