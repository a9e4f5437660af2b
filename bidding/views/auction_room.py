"""The auction room's page (网上挂牌、限时竞价、拍卖): the socket does the rest
(bidding/consumers/auction.py). Anyone may watch the price and the countdown without signing in."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bidding.selectors.auction_room import AuctionSeat, access_auction_room


def auction_strings() -> dict[str, str]:
    """What auction_room.js says, translated here (the project has no JavaScript catalog)."""
    return {
        "connecting": _("正在连接竞价室…"),
        "connected": _("已连接"),
        "reconnecting": _("连接中断，正在重新连接…"),
        "closed_slow": _("网络过慢，连接已断开，正在重新连接…"),
        "refused": _("无法进入该竞价室。"),
        "phase_listing": _("挂牌中"),
        "phase_timed": _("限时竞价中"),
        "phase_suspended": _("中止"),
        "phase_closed": _("已结束"),
        "no_bid": _("尚无报价"),
        "not_started": _("尚未开始"),
        "ended": _("已截止"),
        "accepted": _("报价成功：第 %(seq)s 号报价 %(amount)s 元。"),
        "declared": _("您已要求报价，挂牌截止后参加限时竞价。"),
        "done": _("操作已完成。"),
        "mine": _("（我）"),
        "suspended": _("竞价已中止：%(reason)s"),
        "resumes": _("竞价将于 %(at)s 恢复，重新计时。"),
        "timed_started": _("挂牌期满，限时竞价开始。"),
        "sold": _("竞价结束：竞买人 %(winner)s 以 %(price)s 元成交。"),
        "unsold": _("竞价结束：流拍。"),
        "reserve": _("底价：%(reserve)s 元"),
        "revealed": _("竞买人 %(number)s：%(name)s"),
        "chart_empty": _("尚无报价"),
    }


@require_GET
def auction_room_view(request: HttpRequest, lot_id: int) -> HttpResponse:
    """The room for everyone: bidders bid, the public watches, staff and supervisors act."""
    seat = access_auction_room(request.user, lot_id)
    enrolment = seat.enrolment
    config = {
        "socket": f"/ws/lots/{seat.lot.pk}/auction/",  # bidding/routing.py
        "seat": seat.seat.value,
        "bidderNumber": enrolment.bidder_number if enrolment else None,
        "strings": auction_strings(),
    }
    return render(
        request,
        "bidding/auction_room.html",
        {
            "seat": seat,
            "lot": seat.lot,
            "tender": seat.lot.tender,
            "auction": seat.auction,
            "config": config,
            # A fresh key per page view: a form posted twice (a double click) makes one bid.
            "idempotency_key": uuid.uuid4().hex,
            "bidding": seat.seat is AuctionSeat.BIDDER and seat.is_lead,
            "operating": seat.seat is AuctionSeat.STAFF,
            "supervising": seat.seat is AuctionSeat.SUPERVISOR,
        },
    )
