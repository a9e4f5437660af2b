"""The desk's page for an auction's reserve price (底价): one proposes, another confirms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bidding.models.auctions import Auction, AuctionPhase
from bidding.services.auction_reserve import auction_reserve_confirm, auction_reserve_propose
from trading.selectors.access import Purpose, access_lot
from trading.views.common import acting_user

ACTIONS = {"propose": auction_reserve_propose, "confirm": auction_reserve_confirm}


@require_http_methods(["GET", "POST"])
@login_required
def auction_reserve_view(request: HttpRequest, lot_id: int) -> HttpResponse:
    """Propose or confirm the reserve; the amount is never shown, not even to the desk."""
    user = acting_user(request)
    lot = access_lot(user, lot_id, purpose=Purpose.OPERATE)
    auction = (
        Auction.objects.filter(lot_id=lot.pk)
        .select_related("reserve_set_by", "reserve_confirmed_by")
        .first()
    )
    if auction is None:
        raise Http404(_("本标段没有网上竞价。"))
    errors: dict[str, str] = {}
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST":
        call = ACTIONS.get(action)
        if call is None:
            errors["action"] = _("请选择提出底价或确认底价。")
        else:
            try:
                call(lot, request.POST.get("amount", ""), user)
            except ValidationError as exc:
                errors[action] = " ".join(exc.messages)
            else:
                messages.success(
                    request,
                    _("底价已密封保存，待另一名工作人员确认。")
                    if action == "propose"
                    else _("底价已确认并密封保存，竞价结束后揭示。"),
                )
                return redirect("auction_reserve", lot_id=lot.pk)
    return render(
        request,
        "bidding/auction_reserve.html",
        {
            "lot": lot,
            "tender": lot.tender,
            "auction": auction,
            "closed": auction.phase == AuctionPhase.CLOSED,
            "pending": auction.reserve_sealed is not None
            and auction.reserve_confirmed_by_id is None,
            "confirmed": auction.reserve_confirmed_by_id is not None,
            "own_proposal": auction.reserve_set_by_id == user.pk,
            "errors": errors,
            "action": action,
        },
        status=400 if errors else 200,
    )
