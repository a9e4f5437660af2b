"""The regulators' console."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trading.domain.employer import OrganisationKind
from trading.models import Jurisdiction, User
from trading.selectors.grants import jurisdiction_list_supervised_by


def access_supervisor(user: User) -> QuerySet[Jurisdiction]:
    """The jurisdictions of a regulator's user, or Http404 for anybody else (管办分离)."""
    if user.organisation_kind != OrganisationKind.REGULATOR:
        raise Http404
    return jurisdiction_list_supervised_by(user)


@require_GET
@login_required
def console(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User):  # login_required ran first
        raise PermissionDenied
    return render(
        request,
        "supervision/console.html",
        {"organisation": user.organisation, "jurisdictions": access_supervisor(user)},
    )
