"""The complainant's and the parties' side of complaints (投诉): filing from the lot, statements,
withdrawal. The regulator's side is in `supervision.views_complaints`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trading import forms_complaints as fc
from trading.domain.employer import OrganisationKind
from trading.domain.lifecycle import LotStatus
from trading.models import ComplaintStatement, Lot, Objection, User
from trading.selectors.complaints import (
    complaint_documents_issued,
    complaint_get_for_party,
    complaint_light,
)
from trading.services.complaints import (
    complaint_file,
    complaint_statement_submit,
    complaint_withdraw,
)
from trading.views.common import acting_user, form_refused, now


def _lot_for_complainant(user: User, pk: int) -> tuple[Lot, Any]:
    """A published lot and the user's own objections on it: only a verified bidder who objected
    may complain (实施条例 第60条; 政府采购法 第55条: the objection comes first)."""
    lot = Lot.objects.select_related("tender").filter(pk=pk).first()
    if lot is None or lot.status == LotStatus.DRAFT:
        raise Http404(_("没有找到该标段。"))
    org = user.organisation
    if user.organisation_kind != OrganisationKind.BIDDER or org is None or not org.is_verified:
        raise PermissionDenied(_("只有已核验的投标人可以投诉。"))
    objections = Objection.objects.filter(lot=lot, raised_by=org).order_by("raised_at")
    if not objections.exists():
        raise PermissionDenied(_("须先就该标段提出异议，对答复不满意的方可投诉。"))
    return lot, objections


@require_http_methods(["GET", "POST"])
@login_required
def complaint_file_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    lot, objections = _lot_for_complainant(user, pk)
    if request.method == "POST":
        form = fc.ComplaintFileForm(request.POST, request.FILES, objections=objections, now=now())
        if form.is_valid():
            try:
                complaint = complaint_file(
                    lot=lot,
                    objection=form.cleaned_data["objection"],
                    grounds=form.cleaned_data["grounds"],
                    attachments=form.cleaned_data["attachments"],
                    actor=user,
                )
            except (ValidationError, PermissionDenied) as refused:
                form_refused(form, refused)
            else:
                messages.success(request, _("投诉已提交，监督部门将依法决定是否受理。"))
                return redirect("complaint_detail", complaint.pk)
        status = 400
    else:
        form = fc.ComplaintFileForm(objections=objections, now=now())
        status = 200
    return render(request, "trading/complaint_file.html", {"lot": lot, "form": form}, status=status)


def _detail(request: HttpRequest, user: User, pk: int, status: int = 200, **forms: Any) -> Any:
    complaint = complaint_get_for_party(user, pk)
    mine = complaint.complainant_id == user.organisation_id
    statements = [
        (
            statement,
            forms.get(f"statement_{statement.pk}") or fc.StatementForm(now=now())
            if statement.party_id == user.organisation_id
            and statement.submitted_at is None
            and complaint.status == "statements_requested"
            else None,
        )
        for statement in complaint.statements.select_related("party")
    ]
    return render(
        request,
        "trading/complaint_detail.html",
        {
            "complaint": complaint,
            "lot": complaint.lot,
            "light": complaint_light(complaint, now()),
            "documents": complaint_documents_issued(complaint),
            "statements": statements,
            "withdraw_form": (forms.get("withdraw") or fc.WithdrawForm(now=now()))
            if mine and complaint.status in ("filed", "accepted", "statements_requested")
            else None,
        },
        status=status,
    )


@require_GET
@login_required
def complaint_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, acting_user(request), pk)


@require_POST
@login_required
def complaint_statement_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    statement = ComplaintStatement.objects.filter(pk=pk).first()
    if statement is None or statement.party_id != user.organisation_id:
        raise Http404(_("没有找到该书面说明。"))
    form = fc.StatementForm(request.POST, now=now())
    if form.is_valid():
        try:
            complaint_statement_submit(
                statement=statement, text=form.cleaned_data["text"], actor=user
            )
        except (ValidationError, PermissionDenied) as refused:
            form_refused(form, refused)
        else:
            messages.success(request, _("书面说明已提交。"))
            return redirect("complaint_detail", statement.complaint_id)
    return _detail(request, user, statement.complaint_id, 400, **{f"statement_{pk}": form})


@require_POST
@login_required
def complaint_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    complaint = complaint_get_for_party(user, pk)
    if complaint.complainant_id != user.organisation_id:
        raise PermissionDenied(_("只有投诉人可以撤回投诉。"))
    form = fc.WithdrawForm(request.POST, now=now())
    if form.is_valid():
        try:
            complaint_withdraw(complaint=complaint, actor=user, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as refused:
            form_refused(form, refused)
        else:
            messages.success(request, _("投诉已撤回。"))
            return redirect("complaint_detail", complaint.pk)
    return _detail(request, user, pk, 400, withdraw=form)
