"""The public portal: readable by everybody, without logging in."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from notices.models import PublicationCounter
from notices.views_portal import open_lots, portal_notices
from trading.models import BusinessType, Region


def _notice_counts() -> list[tuple[int, int, int]]:
    """(region id, business type id, published real notices), cached until the next publication.

    Counting 100,000 notices costs ~60 ms on PostgreSQL; the key is the publication counter, which
    every publication moves, so the cache is never stale.
    """
    last_seq = PublicationCounter.objects.filter(pk=1).values_list("last_seq", flat=True).first()
    key = f"portal:overview:{last_seq or 0}"
    rows: list[tuple[int, int, int]] | None = cache.get(key)
    if rows is None:
        rows = list(
            portal_notices()
            .order_by()
            .values_list("region_id", "business_type_id")
            .annotate(count=Count("id"))
        )
        cache.set(key, rows, timeout=24 * 3600)
    return rows


def overview_counts() -> dict[tuple[int, int], dict[str, int]]:
    """(region id, business type id) → published real notices and lots open for enrolment."""
    cells: dict[tuple[int, int], dict[str, int]] = {}
    for region_id, business_type_id, count in _notice_counts():
        cells.setdefault((region_id, business_type_id), {"notices": 0, "open": 0})["notices"] = (
            count
        )
    lot_rows = (
        open_lots()
        .order_by()
        .values_list("tender__project__region_id", "tender__project__business_type_id")
        .annotate(count=Count("id"))
    )
    for region_id, business_type_id, count in lot_rows:
        cells.setdefault((region_id, business_type_id), {"notices": 0, "open": 0})["open"] = count
    return cells


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    regions = list(Region.objects.select_related("parent").order_by("code"))
    business_types = list(BusinessType.objects.order_by("number"))
    counts = overview_counts()
    rows = [
        (
            region,
            [
                (business_type, counts.get((region.pk, business_type.pk)))
                for business_type in business_types
            ],
        )
        for region in regions
    ]
    return render(
        request,
        "notices/home.html",
        {"regions": regions, "business_types": business_types, "rows": rows},
    )
