"""Staff suspend (中止) a running auction with a reason and resume it at a time they announce
(国土资源部令第39号 第14–16条; the rules in `bidding.domain.auction`: suspend, resume).

Resumption is announced in advance: timed bidding resumes with a fresh countdown from the
announced time, and no bid is taken before it; a listing resumes its period, which ends after
it (at the latest of its old end and the announced time plus a declaration window or countdown).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bidding.domain.auction import Phase, resume, suspend
from bidding.models.auctions import Auction
from bidding.services.auctions import auction_lock, auction_state, auction_store, room_key_auction
from bidding.services.rooms import room_event_append
from trading.clock import Clock, get_clock
from trading.models import Lot, User
from trading.selectors.access import Purpose, access_lot
from trading.services.ledger import ledger_append_tender

REASON_MAX = 200


def _ledger(
    lot: Lot, auction: Auction, action: str, actor: User, now: datetime, **payload: object
) -> None:
    ledger_append_tender(
        tender_id=lot.tender_id,
        action=action,
        actor=actor,
        obj_type="auction",
        obj_id=str(auction.pk),
        payload={"lot": lot.pk, **payload},
        now=now,
    )


def auction_suspend(*, lot: Lot, reason: str, actor: User, clock: Clock | None = None) -> Auction:
    """中止 a running auction: no bid is taken until staff resume it; the price and leader stand."""
    access_lot(actor, lot.pk, purpose=Purpose.OPERATE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写中止原因。")}, code="reason")
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("中止原因不得超过 %(n)s 字。") % {"n": REASON_MAX}}, code="reason"
        )
    clock = clock or get_clock()
    with transaction.atomic():
        lot, auction = _locked(lot)
        now = clock()
        state = auction_state(auction)
        if state.phase not in (Phase.LISTING, Phase.TIMED):
            raise ValidationError(_("只有进行中的竞价可以中止。"), code="not_running")
        auction_store(auction, suspend(state))
        auction.suspended_reason = reason
        auction.save(update_fields=["suspended_reason"])
        payload = {"reason": reason, "resumes_at": None}
        room_event_append(room_key_auction(lot.pk), "suspended", payload, now=now)
        _ledger(lot, auction, "auction.suspended", actor, now, **payload)
        return auction


def auction_resume(*, lot: Lot, at: datetime, actor: User, clock: Clock | None = None) -> Auction:
    """Resume a suspended auction at the announced time `at` (after now), a fresh countdown."""
    access_lot(actor, lot.pk, purpose=Purpose.OPERATE)
    clock = clock or get_clock()
    with transaction.atomic():
        lot, auction = _locked(lot)
        now = clock()
        if at is None or at <= now:
            raise ValidationError({"at": _("恢复时间须晚于当前时间，并提前公告。")}, code="at")
        state = auction_state(auction)
        if state.phase is not Phase.SUSPENDED:
            raise ValidationError(_("只有已中止的竞价可以恢复。"), code="not_suspended")
        listing_ends_at = None
        if state.suspended_from is Phase.LISTING:
            least = max(state.rules.declaration_window, state.rules.countdown)
            listing_ends_at = max(state.ends_at, at + least)
        after = resume(state, at, listing_ends_at=listing_ends_at)
        auction_store(auction, after)
        payload = {
            "phase": after.phase.value,
            "resumes_at": timezone.localtime(at).isoformat(),
            "ends_at": timezone.localtime(after.ends_at).isoformat(),
        }
        room_event_append(room_key_auction(lot.pk), "resumed", payload, now=now)
        _ledger(lot, auction, "auction.resumed", actor, now, **payload)
        return auction


def _locked(lot: Lot) -> tuple[Lot, Auction]:
    try:
        return auction_lock(lot.pk)
    except Auction.DoesNotExist:
        raise ValidationError(_("本标段没有网上竞价。"), code="no_auction") from None
