"""A bidder's bid and 要求报价 over HTTP: the same path as the room's socket (bid_place).

The page's script posts JSON with fetch() and reads the ack; a plain form (no script) is sent
back to the auction with the ack as a message. A refusal changes nothing and says why.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bidding.selectors.auctions import access_auction_bidder
from bidding.services.auction_bids import BidAck, DeclarationAck, bid_place, declaration_place
from trading.views.common import acting_user

# A bid is an amount and a key: a few hundred bytes; anything larger is not a bid.
BID_BODY_MAX_BYTES = 4 * 1024
logger = logging.getLogger(__name__)

# A person bids a few times a minute at most; a script hammering the endpoint is held back
# (AUCTION_HTTP_BIDS_PER_MINUTE per user; the socket has its own frame budget).
DEFAULT_BIDS_PER_MINUTE = 60
# Refusals that are the request's own fault (400); the others are the auction's answer (409).
BAD_INPUT = frozenset({"malformed", "idempotency"})


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def _too_big(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > BID_BODY_MAX_BYTES


def _fields(request: HttpRequest) -> dict[str, Any] | None:
    """The posted fields, from JSON or a form; None for a body that is neither."""
    if request.content_type != "application/json":
        return {key: request.POST.get(key, "") for key in ("amount", "idempotency_key")}
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _over_budget(user_id: int) -> bool:
    """More requests from the user this minute than the setting allows.

    The count lives in the cache; when the cache is down, bids go through unthrottled: a
    bidder must never lose a bid to the limiter.
    """
    limit = int(getattr(settings, "AUCTION_HTTP_BIDS_PER_MINUTE", DEFAULT_BIDS_PER_MINUTE))
    key = f"auction-http-bids:{user_id}"
    try:
        cache.add(key, 0, timeout=60)
        return int(cache.incr(key)) > limit
    except Exception:
        logger.warning("auction bid limiter unavailable", exc_info=True)
        return False


def _room_url(lot_id: int) -> str:
    """The auction's page, where a plain form returns (the lot's enrolment page without it)."""
    try:
        return reverse("bidding_auction_room", args=[lot_id])
    except NoReverseMatch:
        return reverse("enrolment_lot", args=[lot_id])


def _answer(request: HttpRequest, lot_id: int, ack: BidAck | DeclarationAck) -> HttpResponse:
    if _wants_json(request):
        body: dict[str, Any] = {"accepted": ack.accepted, "code": ack.code, "message": ack.message}
        if isinstance(ack, BidAck) and ack.accepted:
            body |= {"seq": ack.seq, "amount": str(ack.amount)}
        status = 200 if ack.accepted else 400 if ack.code in BAD_INPUT else 409
        return JsonResponse(body, status=status)
    if ack.accepted:
        messages.success(request, ack.message)
    else:
        messages.error(request, ack.message)
    return redirect(_room_url(lot_id))


def _unreadable(request: HttpRequest, lot_id: int, message: str, status: int) -> HttpResponse:
    if _wants_json(request):
        code = "flood" if status == 429 else "malformed"
        body = {"accepted": False, "code": code, "message": message}
        return JsonResponse(body, status=status)
    messages.error(request, message)
    return redirect(_room_url(lot_id))


@require_POST
@login_required
def auction_bid_view(request: HttpRequest, lot_id: int) -> HttpResponse:
    """One bid (39号令 第15、18条): amount and idempotency_key, as JSON or a form."""
    user = acting_user(request)
    seat = access_auction_bidder(user, lot_id)
    # Refused before the body is read: an oversized request is not a bid.
    if _too_big(request):
        return _unreadable(request, lot_id, _("请求过大，报价未被接受。"), 413)
    if _over_budget(user.pk):
        return _unreadable(request, lot_id, _("报价请求过于频繁，请稍后再试。"), 429)
    fields = _fields(request)
    if fields is None:
        return _unreadable(request, lot_id, _("无法读取报价，请刷新页面后重试。"), 400)
    ack = bid_place(
        lot_id=seat.lot.pk,
        enrolment=seat.enrolment,
        amount=fields.get("amount", ""),
        idempotency_key=fields.get("idempotency_key", ""),
        actor=user,
    )
    return _answer(request, lot_id, ack)


@require_POST
@login_required
def auction_declare_view(request: HttpRequest, lot_id: int) -> HttpResponse:
    """要求报价 before the listing close (39号令 第20条); the body carries nothing."""
    user = acting_user(request)
    seat = access_auction_bidder(user, lot_id)
    if _too_big(request):
        return _unreadable(request, lot_id, _("请求过大，未能要求报价。"), 413)
    if _over_budget(user.pk):
        return _unreadable(request, lot_id, _("请求过于频繁，请稍后再试。"), 429)
    ack = declaration_place(lot_id=seat.lot.pk, enrolment=seat.enrolment, actor=user)
    return _answer(request, lot_id, ack)
