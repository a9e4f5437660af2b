"""The trading center's staff: their desks' lots, the review queue, organisation verification."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trading import forms as f
from trading.selectors.access import Role, access_center, access_desk_console
from trading.selectors.grants import desk_list_operated_by
from trading.selectors.next_steps import lot_next_step
from trading.selectors.tenders import lot_list_for_desk_staff, tender_list_review_queue
from trading.views.common import LIST_PAGE_SIZE, acting_user, now
from trading.views.tenders import placed_violations

QUEUE_PAGE_SIZE = 50


@require_GET
@login_required
def staff_console(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    access_center(user)
    desks = desk_list_operated_by(user)
    if not desks.exists():
        # The navigation offers this page to every center user: tell them why it is empty.
        return render(request, "trading/staff_console.html", {"desks": desks, "no_desk": True})
    moment = now()
    form = f.DeskFilterForm(
        request.GET or None,
        regions={desk.region_id for desk in desks},
        business_types={desk.business_type_id for desk in desks},
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = Paginator(lot_list_for_desk_staff(user, data), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(lot, lot_next_step(lot, lot.tender, Role.STAFF, moment)) for lot in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    training = bool(data.get("training"))
    queue = tender_list_review_queue(user, training=training)
    return render(
        request,
        "trading/staff_console.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "queue": queue[:10],
            "queue_count": queue.count(),
            "desks": desks,
            "training": training,
            "now": moment,
        },
    )


@require_GET
@login_required
def staff_review_queue(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    access_desk_console(user)
    training = request.GET.get("training") == "1"
    page = Paginator(tender_list_review_queue(user, training=training), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for tender in page.object_list:
        tender.violation_count = placed_violations(tender).count  # type: ignore[attr-defined]
        tender.own_draft = tender.drafted_by_id == user.pk  # type: ignore[attr-defined]
    return render(request, "trading/staff_review_queue.html", {"page": page, "training": training})


@require_GET
@login_required
def desk_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    access_center(user)
    return render(request, "trading/desk_list.html", {"desks": desk_list_operated_by(user)})
