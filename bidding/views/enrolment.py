"""A bidder's enrolment pages: enrol in a lot (alone or as a consortium), withdraw, and the list
of its own enrolments. Nothing here tells anybody about another organisation's enrolment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bidding.forms import EnrolmentForm
from bidding.selectors.enrolment import (
    access_bidder,
    access_enrolment_agreement,
    access_enrolment_lot,
    enrolment_get_own,
    enrolment_lot_refusal,
    lot_enrolment_deadline,
)
from bidding.selectors.workspace import bidder_workspace
from bidding.services.enrolment import agreement_max_bytes, enrolment_create, enrolment_withdraw
from trading.views.common import acting_user, form_refused, message_refusal, now


@require_http_methods(["GET", "POST"])
@login_required
def enrolment_lot_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The lot's enrolment page: the bidder's own enrolment, or the form while it is open."""
    user = acting_user(request)
    lot = access_enrolment_lot(user, pk)
    organisation = access_bidder(user)
    status = 200
    form = None
    if request.method == "POST":
        form = EnrolmentForm(request.POST, request.FILES, now=now())
        if form.is_valid():
            data = form.cleaned()
            try:
                enrolment_create(
                    lot_id=lot.pk,
                    actor=user,
                    members=data["members"],
                    agreement=data["agreement"],
                )
            except (ValidationError, PermissionDenied) as refused:
                form_refused(form, refused)
            else:
                messages.success(request, _("报名成功。您的投标人编号已生成，请妥善保管。"))
                return redirect("enrolment_lot", lot.pk)
        status = 400
    moment = now()
    enrolment = enrolment_get_own(user, lot)
    refusal = enrolment_lot_refusal(lot, moment)
    if enrolment is None and refusal is None and form is None:
        form = EnrolmentForm(now=moment)
    return render(
        request,
        "bidding/enrolment_lot.html",
        {
            "lot": lot,
            "tender": lot.tender,
            "organisation": organisation,
            "enrolment": enrolment,
            "is_lead": enrolment is not None and enrolment.lead_id == organisation.pk,
            "open": refusal is None,
            "deadline": lot_enrolment_deadline(lot),
            "form": form,
            "max_mb": agreement_max_bytes() // (1024 * 1024) or 1,
        },
        status=status,
    )


@require_POST
@login_required
def enrolment_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    lot = access_enrolment_lot(user, pk)
    try:
        enrolment_withdraw(lot_id=lot.pk, actor=user)
    except (ValidationError, PermissionDenied) as refused:
        message_refusal(request, refused)
    else:
        messages.success(request, _("已撤回报名。"))
    return redirect("enrolment_lot", lot.pk)


@require_GET
@login_required
def enrolment_agreement_view(request: HttpRequest, pk: int) -> FileResponse:
    """The consortium agreement, for the consortium's members."""
    enrolment = access_enrolment_agreement(acting_user(request), pk)
    return FileResponse(
        enrolment.agreement.open("rb"),
        as_attachment=False,
        filename=f"{enrolment.lot.code}-{enrolment.bidder_number}-联合体协议书.pdf",
        content_type="application/pdf",
    )


@require_GET
@login_required
def enrolment_list_view(request: HttpRequest) -> HttpResponse:
    """The bidder's workspace: every lot it follows, what to do next and by when, its deposits
    and the results; decided and withdrawn lots below."""
    moment = now()
    workspace = bidder_workspace(acting_user(request), moment)
    return render(
        request,
        "bidding/enrolment_list.html",
        {
            "organisation": workspace.organisation,
            "current": workspace.current,
            "past": workspace.past,
            "now": moment,
        },
    )
