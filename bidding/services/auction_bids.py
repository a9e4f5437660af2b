"""The bid path of a live auction: one transaction, the lot's auction row locked, rules re-checked
with the server's clock inside the lock (国土资源部令第39号 第15–18条; DESIGN.md invariant 1).

WebSocket and HTTP bids both call `bid_place`; the room hears of an accepted bid from `on_commit`
only (`room_event_append`), and a retried request with the same idempotency key gets the first
answer back without a second bid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bidding.domain.auction import Phase, Refusal, bid_accept, bid_refusal
from bidding.models import Enrolment
from bidding.models.auctions import Auction, AuctionBid
from bidding.selectors.deposits import deposit_bid_blocker
from bidding.services.auctions import (
    REFUSAL_TEXT,
    auction_lock,
    auction_state,
    auction_store,
    room_key_auction,
)
from bidding.services.rooms import room_event_append
from trading.clock import Clock, get_clock
from trading.models import User
from trading.services.ledger import ledger_append_tender

IDEMPOTENCY_KEY_MAX = 64


@dataclass(frozen=True)
class BidAck:
    """The answer a bidder gets: accepted with its sequence number, or refused with a reason."""

    accepted: bool
    seq: int | None = None
    amount: Decimal | None = None
    code: str = ""  # a Refusal value, "deposit", "enrolment" or "idempotency"
    message: str = ""


def _refused(code: str, message: str) -> BidAck:
    return BidAck(accepted=False, code=code, message=message)


def bid_amount_parse(text: object) -> Decimal | None:
    """A bid as typed: a positive amount in yuan with at most two decimals, else None."""
    try:
        amount = Decimal(str(text).strip().replace(",", ""))
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        return None
    return amount


def _ack_of(bid: AuctionBid) -> BidAck:
    return BidAck(accepted=True, seq=bid.seq, amount=bid.amount)


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
    if not idempotency_key or len(idempotency_key) > IDEMPOTENCY_KEY_MAX:
        return _refused("idempotency", _("请求缺少有效的幂等键，请刷新页面后重新报价。"))
    parsed = bid_amount_parse(amount)
    if parsed is None:
        return _refused(Refusal.MALFORMED, str(REFUSAL_TEXT[Refusal.MALFORMED]))
    clock = clock or get_clock()
    try:
        with transaction.atomic():
            lot, auction = auction_lock(lot_id)
            # A retry of an accepted bid finds it under the lock: the first answer, no second bid.
            earlier = AuctionBid.objects.filter(
                enrolment=enrolment, idempotency_key=idempotency_key
            ).first()
            if earlier is not None:
                return _ack_of(earlier)
            now = clock()
            enrolment = Enrolment.objects.get(pk=enrolment.pk)
            if enrolment.lot_id != lot.pk or enrolment.withdrawn_at is not None:
                return _refused("enrolment", _("您的主体没有报名本标段，不能报价。"))
            enrolment.lot = lot
            blocker = deposit_bid_blocker(enrolment, now)
            if blocker:
                return _refused("deposit", blocker)
            state = auction_state(auction)
            refusal = bid_refusal(state, enrolment.pk, parsed, now)
            if refusal is not None:
                return _refused(refusal, str(REFUSAL_TEXT[refusal]))
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
        # The same key raced itself on two connections: the winner's bid is the answer.
        earlier = AuctionBid.objects.filter(
            enrolment=enrolment, idempotency_key=idempotency_key
        ).first()
        if earlier is None:
            raise
        return _ack_of(earlier)


def _bid_payload(auction: Auction, bid: AuctionBid, enrolment: Enrolment) -> dict[str, object]:
    """What everyone in the room sees of a bid: bidder numbers only, never names."""
    return {
        "bid_seq": bid.seq,
        "bidder_number": enrolment.bidder_number,
        "amount": str(bid.amount),
        "phase": bid.phase,
        "ends_at": auction.ends_at.isoformat(),
        "timed": bid.phase == Phase.TIMED,
    }
