"""An auction's life: set up when its lot opens (or reaches the auction), closed when due, the
result handed to trading (国土资源部令第39号 第14–20条; DESIGN.md invariants 1 and 2).

- Set-up (`auction_setup`): a listing (挂牌) runs from the lot's opening to its bid deadline
  (`Lot.closes_at`, the listing close); an auction (拍卖, 网络竞价, 反向竞价) starts its
  countdown when the lot reaches AUCTION at that deadline. The start price is the lot's
  estimate (起始价; a purchaser's budget for a reverse auction), the step its `increment`, or
  `AUCTION_DEFAULT_STEP_RATIO` (1%) of the start rounded to whole yuan (at least 1 yuan) when
  the lot names none. The countdown is `AUCTION_COUNTDOWN_SECONDS` (240), the declaration window
  before a listing close `AUCTION_DECLARATION_WINDOW_SECONDS` (600).
- The close (`AUCTION_CLOSES`, chronograph due work on the lot, locked before its auction): a
  listing with two or more declarants goes on to timed bidding (第20条), otherwise it and every
  expired countdown closes; the leader buys if its price reaches the revealed reserve (底价).
  The result goes to trading through `lot_record_auction_result` as the platform (actor None).
- An outage (`bidding.services.auction_outages`) over the countdown's last run suspends a timed
  auction instead (中止); it resumes `AUCTION_RESUME_NOTICE_SECONDS` (300) later, announced in
  the room's "suspended" event, with a fresh countdown.
- A procurement lot's auction buys (反向竞价, direction down) from its budget; no floor is set
  (the lot has no field for one yet), so the countdown alone decides.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bidding.domain.auction import (
    Direction,
    Phase,
    Rules,
    State,
    auction_start,
    is_due,
    listing_close,
    listing_start,
    outage_during_countdown,
    outcome,
    resume,
    suspend,
    timed_close,
)
from bidding.models import Enrolment
from bidding.models.auctions import Auction, AuctionBid, AuctionKind, PlatformOutage
from bidding.services.auction_outages import auction_heartbeat, outage_threshold
from bidding.services.auction_reserve import auction_reserve_reveal
from bidding.services.auctions import auction_lock, auction_state, auction_store, room_key_auction
from bidding.services.rooms import room_event_append
from trading.domain.lifecycle import Family, LotStatus
from trading.lock_objects import lock_lot
from trading.models import Lot
from trading.services.common import fixed_clock
from trading.services.ledger import ledger_append_tender
from trading.services.outcomes import BUYING_BUSINESS_TYPES, lot_record_auction_result
from trading.services.procedures import lot_record_listing_close

# Families whose listing bids are taken on the platform during the lot's bidding period; a
# property disclosure's (32号令) bidding is an auction the lot reaches after its close.
LISTING_FAMILIES = frozenset({Family.LISTING, Family.LISTING_AUCTION})


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def auction_default_step(start: Decimal) -> Decimal:
    """The step when the lot names none: a share of the start, whole yuan, at least 1 yuan."""
    ratio = Decimal(str(_setting("AUCTION_DEFAULT_STEP_RATIO", "0.01")))
    return max(Decimal(1), (start * ratio).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def auction_rules_for(lot: Lot) -> Rules | None:
    """The sale's rules from the lot, or None when it cannot run on the platform (no price)."""
    start = lot.estimate
    if start is None or start <= 0:
        return None
    buying = lot.tender.project.business_type.code in BUYING_BUSINESS_TYPES
    step = lot.increment if lot.increment and lot.increment > 0 else auction_default_step(start)
    listing = _is_listing(lot)
    return Rules(
        direction=Direction.DOWN if buying else Direction.UP,
        start=start,
        step=step,
        countdown=timedelta(seconds=int(_setting("AUCTION_COUNTDOWN_SECONDS", 240))),
        declaration_window=timedelta(
            seconds=int(_setting("AUCTION_DECLARATION_WINDOW_SECONDS", 600)) if listing else 0
        ),
    )


def _is_listing(lot: Lot) -> bool:
    procedure = lot.tender.procedure
    return bool(procedure.listing) and Family(procedure.family) in LISTING_FAMILIES


def auction_setup(lot: Lot, now: datetime) -> Auction | None:
    """Create the lot's auction if the lot is at the moment it starts; idempotent.

    A listing starts when bidding opens and closes at the bid deadline (39号令 第19条); any
    other live auction starts its countdown when the lot reaches AUCTION (第14–16条).
    """
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        lot = Lot.objects.select_related("tender__procedure", "tender__project__business_type").get(
            pk=lot.pk
        )
        existing = Auction.objects.filter(lot=lot).first()
        if existing is not None or not lot.tender.procedure.live_auction:
            return existing
        if lot.tender.project.training:
            # The training scenario runs days in minutes and records its auctions' results
            # itself; the live demonstration is `demo_auction`'s lot.
            return None
        rules = auction_rules_for(lot)
        if rules is None:
            return None
        if lot.status == LotStatus.BIDDING and _is_listing(lot):
            if lot.closes_at is None or lot.closes_at <= now:
                return None  # a listing whose period is over by now cannot be held any more
            kind = AuctionKind.LISTING
            state = listing_start(rules, opens_at=now, closes_at=lot.closes_at)
        elif lot.status == LotStatus.AUCTION:
            kind = AuctionKind.REVERSE if rules.direction is Direction.DOWN else AuctionKind.AUCTION
            state = auction_start(rules, opens_at=now)
        else:
            return None
        auction = Auction(
            lot=lot,
            kind=kind,
            direction=rules.direction,
            start_price=rules.start,
            step=rules.step,
            whole_multiples=rules.whole_multiples,
            floor=rules.floor,
            countdown_seconds=int(rules.countdown.total_seconds()),
            declaration_window_seconds=int(rules.declaration_window.total_seconds()),
            phase=state.phase,
            opens_at=state.opens_at,
            ends_at=state.ends_at,
        )
        auction.save()
        ledger_append_tender(
            tender_id=lot.tender_id,
            action="auction.started",
            actor=None,
            obj_type="auction",
            obj_id=str(auction.pk),
            payload={
                "lot": lot.pk,
                "kind": kind.value,
                "start": str(rules.start),
                "step": str(rules.step),
                "direction": rules.direction.value,
                "opens_at": timezone.localtime(state.opens_at).isoformat(),
                "ends_at": timezone.localtime(state.ends_at).isoformat(),
            },
            now=now,
        )
        room_event_append(
            room_key_auction(lot.pk),
            "started",
            {"phase": state.phase.value, "ends_at": timezone.localtime(state.ends_at).isoformat()},
            now=now,
        )
        return auction


def auction_stop(lot: Lot, now: datetime) -> None:
    """The lot moved on without the platform's close (staff recorded it, it was terminated):
    its auction takes no more bids. Idempotent."""
    with transaction.atomic():
        lot, auction = auction_lock(lot.pk)
        if auction.phase == Phase.CLOSED:
            return
        auction.phase = Phase.CLOSED
        auction.closed_at = now
        auction.save(update_fields=["phase", "closed_at"])
        payload = {"sold": None, "lot_status": lot.status}
        room_event_append(room_key_auction(lot.pk), "closed", payload, now=now)
        ledger_append_tender(
            tender_id=lot.tender_id,
            action="auction.stopped",
            actor=None,
            obj_type="auction",
            obj_id=str(auction.pk),
            payload={"lot": lot.pk, **payload},
            now=now,
        )


# --- the close ----------------------------------------------------------------------------


def auctions_due(now: datetime) -> QuerySet[Lot]:
    """Lots whose listing period or countdown ran out, once trading closed their bidding."""
    return Lot.objects.filter(
        auction__phase__in=[Phase.LISTING, Phase.TIMED],
        auction__ends_at__lte=now,
        status__in=[LotStatus.LISTING_CLOSED, LotStatus.AUCTION],
        suspended_at__isnull=True,
    )


def auction_close(lot: Lot, now: datetime) -> None:
    """Close (or move on, or suspend) the lot's due auction; idempotent under the lot's lock."""
    auction_heartbeat(now)  # an outage that ends now is on record before the outage check
    lot, auction = auction_lock(lot.pk)
    state = auction_state(auction)
    if not is_due(state, now):
        return
    if state.phase is Phase.LISTING:
        after = listing_close(state, now)
        if after.phase is Phase.TIMED:
            _timed_start(lot, auction, state, after, now)
            return
    else:
        if outage_during_countdown(state, _outages(state), outage_threshold()):
            auction_outage_suspend(lot, auction, state, now)
            return
        after = timed_close(state, now)
    _close(lot, auction, after, now)


def _outages(state: State) -> list[tuple[datetime, datetime]]:
    rows = PlatformOutage.objects.filter(ended_at__gt=state.opens_at - state.rules.countdown)
    return [(row.started_at, row.ended_at) for row in rows]


def _numbers(enrolment_ids: frozenset[int] | None) -> list[str]:
    if not enrolment_ids:
        return []
    return sorted(
        Enrolment.objects.filter(pk__in=enrolment_ids).values_list("bidder_number", flat=True)
    )


def _timed_start(lot: Lot, auction: Auction, before: State, after: State, now: datetime) -> None:
    """Two or more declarants: timed bidding among them from the listing price (第20条)."""
    auction_store(auction, after)
    declarants = _numbers(after.bidders)
    room_event_append(
        room_key_auction(lot.pk),
        "listing_closed",
        {"declarants": declarants, "timed": True, "price": _text(before.price)},
        now=now,
    )
    room_event_append(
        room_key_auction(lot.pk),
        "timed_started",
        {
            "bidders": declarants,
            "price": _text(after.price),
            "opens_at": timezone.localtime(after.opens_at).isoformat(),
            "ends_at": timezone.localtime(after.ends_at).isoformat(),
        },
        now=now,
    )
    ledger_append_tender(
        tender_id=lot.tender_id,
        action="auction.timed_started",
        actor=None,
        obj_type="auction",
        obj_id=str(auction.pk),
        payload={"lot": lot.pk, "declarants": declarants, "price": _text(after.price)},
        now=now,
    )
    if lot.status == LotStatus.LISTING_CLOSED:
        # A land listing's lot waits at its close; it goes on to timed bidding (限时竞价).
        lot_record_listing_close(
            lot=lot, bidders=len(declarants), actor=None, clock=fixed_clock(now)
        )


def _close(lot: Lot, auction: Auction, closed: State, now: datetime) -> None:
    auction_store(auction, closed)
    auction.closed_at = now  # closed before the reserve is unsealed: the reveal checks it
    reserve = auction_reserve_revealed(auction)
    result = outcome(closed, reserve)
    winner = None
    if result.sold and result.winner is not None:
        winner = Enrolment.objects.select_related("lead").get(pk=result.winner)
    auction.sold = result.sold
    auction.reserve = reserve
    auction.save(update_fields=["closed_at", "sold", "reserve"])
    bids = AuctionBid.objects.filter(auction=auction).count()
    payload = {
        "sold": result.sold,
        "winner": winner.bidder_number if winner else None,
        "price": _text(result.price),
        "reserve": _text(reserve),
        "bids": bids,
    }
    room_event_append(room_key_auction(lot.pk), "closed", payload, now=now)
    ledger_append_tender(
        tender_id=lot.tender_id,
        action="auction.closed",
        actor=None,
        obj_type="auction",
        obj_id=str(auction.pk),
        payload={"lot": lot.pk, **payload},
        now=now,
    )
    lot_record_auction_result(
        lot=lot,
        sold=result.sold,
        winner=winner.lead if winner else None,
        price=result.price,
        actor=None,
        clock=fixed_clock(now),
    )


def auction_reserve_revealed(auction: Auction) -> Decimal | None:
    """The reserve (底价), unsealed now the auction is closed; None when none was set."""
    if auction.reserve_sealed is None:
        return None
    return auction_reserve_reveal(auction)


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


# --- suspension (中止) ----------------------------------------------------------------------


def auction_outage_suspend(lot: Lot, auction: Auction, state: State, now: datetime) -> None:
    """Bidders could not reach the countdown's end: suspend, resume later with a fresh countdown."""
    notice = timedelta(seconds=int(_setting("AUCTION_RESUME_NOTICE_SECONDS", 300)))
    resumes_at = now + notice
    reason = "平台中断超过规定时长，竞价中止"  # stored as a record in Chinese
    # Suspended now, resumption announced: bids before `resumes_at` are refused as not started.
    after = resume(suspend(state), resumes_at)
    auction_store(auction, after)
    auction.suspended_reason = reason
    auction.save(update_fields=["suspended_reason"])
    payload = {
        "reason": reason,
        "resumes_at": timezone.localtime(resumes_at).isoformat(),
        "ends_at": timezone.localtime(after.ends_at).isoformat(),
        "outage": True,
    }
    room_event_append(room_key_auction(lot.pk), "suspended", payload, now=now)
    ledger_append_tender(
        tender_id=lot.tender_id,
        action="auction.suspended",
        actor=None,
        obj_type="auction",
        obj_id=str(auction.pk),
        payload={"lot": lot.pk, **payload},
        now=now,
    )
