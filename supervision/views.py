"""The regulators' console."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trading.selectors.access import access_supervisor
from trading.views.common import acting_user


@require_GET
@login_required
def console(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    return render(
        request,
        "supervision/console.html",
        {"organisation": user.organisation, "jurisdictions": access_supervisor(user)},
    )
