"""The bid path of a live auction: one transaction, the lot's auction row locked, rules re-checked
with the server's clock inside the lock (国土资源部令第39号 第15–20条; DESIGN.md invariant 1).

WebSocket and HTTP bids both call `bid_place` (declarations: `declaration_place`); the room hears
of an accepted bid from `on_commit` only (`room_event_append`), and a retried request with the
same idempotency key gets the first answer back without a second bid. A refusal never raises and
never writes: no bid, no room event, no ledger entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bidding.domain.auction import (
    CENT,
    Phase,
    Refusal,
    bid_accept,
    bid_refusal,
    declare,
    declare_refusal,
)
from bidding.models import Enrolment
from bidding.models.auctions import Auction, AuctionBid, AuctionDeclaration
from bidding.selectors.auctions import auction_deposit_blocker
from bidding.services.auctions import (
    REFUSAL_TEXT,
    auction_lock,
    auction_state,
    auction_store,
    room_key_auction,
)
from bidding.services.rooms import room_event_append
from trading.clock import Clock, get_clock
from trading.domain.lifecycle import TERMINAL
from trading.models import Lot, User
from trading.services.ledger import ledger_append_tender

IDEMPOTENCY_KEY_MAX = 64
# A client's own token (the page makes a UUID per intended bid): ASCII, no spaces.
IDEMPOTENCY_KEY = re.compile(rf"[A-Za-z0-9._:-]{{1,{IDEMPOTENCY_KEY_MAX}}}")
# Yuan as people type them: digits, thousands commas, at most two decimals; the columns hold
# 16 digits with 2 decimals, so at most 14 before the point.
AMOUNT = re.compile(r"\d{1,14}(\.\d{1,2})?")


@dataclass(frozen=True)
class BidAck:
    """The answer a bidder gets: accepted with its sequence number, or refused with a reason."""

    accepted: bool
    seq: int | None = None
    amount: Decimal | None = None
    # A Refusal value, "deposit", "enrolment", "idempotency" or "no_auction".
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class DeclarationAck:
    """The answer to 要求报价: accepted, or refused with a reason."""

    accepted: bool
    code: str = ""
    message: str = ""


def _refused(code: str, message: str) -> BidAck:
    return BidAck(accepted=False, code=code, message=message)


def _refusal(refusal: Refusal) -> BidAck:
    return _refused(refusal, str(REFUSAL_TEXT[refusal]))


def bid_amount_parse(text: object) -> Decimal | None:
    """A bid as typed: a positive amount in yuan with at most two decimals, else None."""
    if isinstance(text, bool) or not isinstance(text, str | int | float | Decimal):
        return None
    typed = str(text).strip().replace(",", "")
    # No exponents, signs, spaces or other digits than 0–9: what the bidder sees is what counts.
    if not AMOUNT.fullmatch(typed):
        return None
    try:
        amount = Decimal(typed)
    except InvalidOperation:  # pragma: no cover - the pattern admits decimals only
        return None
    # Always in cents: the ack, the room and a retry's answer (read back) show the same amount.
    return amount.quantize(CENT) if amount > 0 else None


def _ack_of(bid: AuctionBid) -> BidAck:
    message = _("报价 %(amount)s 元已被接受（第 %(seq)s 号）。") % {
        "amount": bid.amount,
        "seq": bid.seq,
    }
    return BidAck(accepted=True, seq=bid.seq, amount=bid.amount, message=message)


def _retried(enrolment: Enrolment, idempotency_key: str, amount: Decimal) -> BidAck | None:
    """The first answer to a retried request; a key reused for another amount is refused."""
    earlier = AuctionBid.objects.filter(
        enrolment=enrolment, idempotency_key=idempotency_key
    ).first()
    if earlier is None:
        return None
    if earlier.amount != amount:
        return _refused("idempotency", _("该请求编号已用于另一笔报价，请刷新页面后重新报价。"))
    return _ack_of(earlier)


def _seat_refusal(enrolment: Enrolment, now: datetime) -> BidAck | None:
    """The enrolment's right to bid or declare at `now`: still enrolled, its deposit arrived.

    Read before the lot's lock is taken, so that the five reads of the deposit do not lengthen
    the one section every bid of the lot passes alone. Neither fact moves while the auction runs:
    an enrolment is withdrawn and a deposit refunded only before the deadline or after the result.
    """
    fresh = Enrolment.objects.select_related("lot__tender").filter(pk=enrolment.pk).first()
    if fresh is None or fresh.withdrawn_at is not None:
        return _refused("enrolment", _("您的主体没有报名本标段，不能报价。"))
    blocker = auction_deposit_blocker(fresh, now)
    if blocker:
        return _refused("deposit", blocker)
    return None


def _lot_refusal(lot: Lot, enrolment: Enrolment) -> BidAck | None:
    """The (locked) lot's own state: suspended or ended, or not the enrolment's lot at all."""
    if enrolment.lot_id != lot.pk:
        return _refused("enrolment", _("您的主体没有报名本标段，不能报价。"))
    if lot.suspended_at is not None:
        return _refusal(Refusal.SUSPENDED)
    if lot.status in TERMINAL:
        return _refusal(Refusal.CLOSED)
    return None


def bid_place(
    *,
    lot_id: int,
    enrolment: Enrolment,
    amount: object,
    idempotency_key: str,
    actor: User,
    clock: Clock | None = None,
) -> BidAck:
    """Place one bid (39号令 第15、18条): accepted with its sequence number, or refused."""
    if not isinstance(idempotency_key, str) or not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        return _refused("idempotency", _("请求编号无效，请刷新页面后重新报价。"))
    parsed = bid_amount_parse(amount)
    if parsed is None:
        return _refusal(Refusal.MALFORMED)
    clock = clock or get_clock()
    seat_refused = _seat_refusal(enrolment, clock())
    if seat_refused is not None:
        # A retry of a bid accepted before gets its first answer, whatever changed since.
        return _retried(enrolment, idempotency_key, parsed) or seat_refused
    try:
        with transaction.atomic():
            try:
                lot, auction = auction_lock(lot_id)
            except (Lot.DoesNotExist, Auction.DoesNotExist):
                return _refused("no_auction", _("本标段没有网上竞价。"))
            # The server's clock, read under the lock: a bid that commits after the end is late
            # even when no close ran at that instant.
            now = clock()
            state = auction_state(auction)
            refused = _lot_refusal(lot, enrolment)
            if refused is None:
                refusal = bid_refusal(state, enrolment.pk, parsed, now)
                refused = None if refusal is None else _refusal(refusal)
            if refused is not None:
                # A retry of an accepted bid is refused by the rules (it no longer outbids
                # anyone): it gets its first answer back instead, and no second bid is made. Only
                # refusals need the look-up; a retry the rules accept is a bid never taken.
                return _retried(enrolment, idempotency_key, parsed) or refused
            state = bid_accept(state, enrolment.pk, parsed, now)
            auction_store(auction, state)
            bid = AuctionBid.objects.create(
                auction=auction,
                seq=state.seq,
                enrolment=enrolment,
                amount=parsed,
                phase=state.phase,
                idempotency_key=idempotency_key,
                placed_at=now,
                placed_by=actor,
            )
            room_event_append(
                room_key_auction(lot.pk),
                "bid",
                _bid_payload(auction, bid, enrolment),
                now=now,
            )
            ledger_append_tender(
                tender_id=lot.tender_id,
                action="auction.bid",
                actor=actor,
                obj_type="auction_bid",
                obj_id=str(bid.pk),
                payload={
                    "lot": lot.pk,
                    "seq": bid.seq,
                    "bidder_number": enrolment.bidder_number,
                    "amount": str(parsed),
                },
                now=now,
            )
            return _ack_of(bid)
    except IntegrityError:
        # The same key raced itself past the lock's check (the unique key caught it): the
        # winner's bid is the answer.
        retried = _retried(enrolment, idempotency_key, parsed)
        if retried is None:
            raise
        return retried


def _bid_payload(auction: Auction, bid: AuctionBid, enrolment: Enrolment) -> dict[str, object]:
    """What everyone in the room sees of a bid: bidder numbers only, never names."""
    return {
        "bid_seq": bid.seq,
        "bidder_number": enrolment.bidder_number,
        "amount": str(bid.amount),
        "phase": bid.phase,
        "ends_at": timezone.localtime(auction.ends_at).isoformat(),
        "timed": bid.phase == Phase.TIMED,
    }


def declaration_place(
    *, lot_id: int, enrolment: Enrolment, actor: User, clock: Clock | None = None
) -> DeclarationAck:
    """要求报价 in the window before the listing close (39号令 第20条): once, or refused."""
    clock = clock or get_clock()
    with transaction.atomic():
        try:
            lot, auction = auction_lock(lot_id)
        except (Lot.DoesNotExist, Auction.DoesNotExist):
            return DeclarationAck(False, "no_auction", _("本标段没有网上竞价。"))
        now = clock()
        refused = _seat_refusal(enrolment, now) or _lot_refusal(lot, enrolment)
        if refused is not None:
            return DeclarationAck(False, refused.code, refused.message)
        state = auction_state(auction)
        if state.phase is Phase.SUSPENDED:
            refusal: Refusal | None = Refusal.SUSPENDED
        else:
            refusal = declare_refusal(state, enrolment.pk, now)
        if refusal is not None:
            return DeclarationAck(False, refusal, str(REFUSAL_TEXT[refusal]))
        declare(state, enrolment.pk, now)
        AuctionDeclaration.objects.create(auction=auction, enrolment=enrolment, declared_at=now)
        room_event_append(
            room_key_auction(lot.pk),
            "declared",
            {"bidder_number": enrolment.bidder_number},
            now=now,
        )
        ledger_append_tender(
            tender_id=lot.tender_id,
            action="auction.declared",
            actor=actor,
            obj_type="auction",
            obj_id=str(auction.pk),
            payload={"lot": lot.pk, "bidder_number": enrolment.bidder_number},
            now=now,
        )
    return DeclarationAck(
        True, message=_("已要求报价：挂牌截止时有两个以上竞买人要求报价的，进入限时竞价。")
    )
