"""bdrefunds: a bidder's deposit on one enrolment — guarantees, the refund, a forfeiture."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bidding.models.guarantees import GuaranteeKindChoice
from bidding.selectors.refunds import access_enrolment_deposit, enrolment_deposit_get
from bidding.services.guarantees import guarantee_apply, guarantee_register
from trading.views.common import acting_user, message_refusal, run_service


@require_GET
@login_required
def enrolment_deposit(request: HttpRequest, pk: int) -> HttpResponse:
    """The deposit of one enrolment, as its bidder sees it."""
    enrolment = access_enrolment_deposit(acting_user(request), pk)
    view = enrolment_deposit_get(enrolment)
    return render(
        request,
        "bidding/enrolment_deposit.html",
        {
            "enrolment": enrolment,
            "lot": enrolment.lot,
            "deposit": view,
            "kinds": GuaranteeKindChoice.choices,
        },
    )


@require_POST
@login_required
def enrolment_guarantee_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply to the issuer for a guarantee instead of cash (实施条例 第26条)."""
    user = acting_user(request)
    enrolment = access_enrolment_deposit(user, pk)
    run_service(
        request,
        lambda: guarantee_apply(enrolment=enrolment, kind=request.POST.get("kind", ""), actor=user),
        _("保函已申请，平台已核验其金额、有效期和受益人。"),
    )
    return redirect("enrolment_deposit", pk=pk)


@require_POST
@login_required
def enrolment_guarantee_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a guarantee already issued, by its number; refused with the reasons."""
    user = acting_user(request)
    enrolment = access_enrolment_deposit(user, pk)
    try:
        guarantee = guarantee_register(
            enrolment=enrolment,
            kind=request.POST.get("kind", ""),
            number=request.POST.get("number", ""),
            actor=user,
        )
    except (ValidationError, PermissionDenied) as refused:
        message_refusal(request, refused)
        return redirect("enrolment_deposit", pk=pk)
    if guarantee.state == "refused":
        messages.error(
            request, _("保函未通过平台核验：%(reason)s") % {"reason": guarantee.refused_reason}
        )
    else:
        messages.success(request, _("保函已登记并通过平台核验。"))
    return redirect("enrolment_deposit", pk=pk)
