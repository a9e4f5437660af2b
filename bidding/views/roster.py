"""The lot's enrolment list for its desk's staff and its owner, read-only, after the opening."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bidding.selectors.roster import access_lot_roster, lot_roster
from bidding.selectors.workspace import deposit_states
from trading.views.common import acting_user, now


@require_GET
@login_required
def lot_roster_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Bidder numbers and names, consortium members and withdrawals (招标投标法 第22条: only
    once the lot is opened; a 404 before, whoever enrolled)."""
    lot = access_lot_roster(acting_user(request), pk)
    enrolments = list(lot_roster(lot))
    states = deposit_states(enrolments, now()) if enrolments else {}
    for enrolment in enrolments:
        enrolment.deposit_state = states[enrolment.pk][0]  # type: ignore[attr-defined]
    return render(
        request,
        "bidding/lot_roster.html",
        {"lot": lot, "tender": lot.tender, "enrolments": enrolments},
    )
