"""The public portal: readable by everybody, without logging in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trading.models import BusinessType, Region


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    regions = list(Region.objects.select_related("parent").order_by("code"))
    business_types = list(BusinessType.objects.order_by("number"))
    return render(
        request,
        "notices/home.html",
        {"regions": regions, "business_types": business_types},
    )
