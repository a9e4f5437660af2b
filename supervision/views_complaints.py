"""The regulator handles complaints (投诉) of its jurisdiction: accept or refuse, hold the lot, ask
for statements, extend with a reason, decide (实施条例 第61、62条; 政府采购法 第56、57条).

Every write goes through `trading.services.complaints`; the hold through the holds service
(`complaint_hold`). The jurisdiction check is `access_lot(..., Purpose.SUPERVISE)` behind
`complaint_get_for_regulator` (a lot outside it answers 404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from trading import forms_complaints as fc
from trading.domain.complaints import TERMINAL, ComplaintStatus
from trading.forms import ConsoleForm
from trading.models import Complaint, Organisation, User
from trading.selectors.access import access_supervisor
from trading.selectors.complaints import (
    complaint_documents_issued,
    complaint_get_for_regulator,
    complaint_light,
    complaint_list_for_regulator,
)
from trading.services.complaints import (
    complaint_accept,
    complaint_decide,
    complaint_extend,
    complaint_hold,
    complaint_refuse,
    complaint_statements_request,
)
from trading.views.common import acting_user, form_refused, now


@require_GET
@login_required
def complaints(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    access_supervisor(user)
    moment = now()
    rows = [
        (complaint, complaint_light(complaint, moment))
        for complaint in complaint_list_for_regulator(user).order_by("-filed_at", "-pk")[:200]
    ]
    return render(request, "supervision/complaints.html", {"rows": rows})


def _parties(complaint: Complaint) -> QuerySet[Organisation]:
    project = complaint.lot.tender.project
    ids = {complaint.complainant_id, project.owner_id, project.agency_id}
    ids |= set(complaint.lot.candidates.values_list("organisation_id", flat=True))
    return Organisation.objects.filter(pk__in=[pk for pk in ids if pk]).order_by("name")


def _forms(complaint: Complaint, data: Any = None, only: str = "") -> dict[str, ConsoleForm]:
    """The forms the complaint's status offers; `data` bound to the one `only` names."""
    status = ComplaintStatus(complaint.status)
    moment = now()

    def bound(name: str) -> Any:
        return data if name == only else None

    found: dict[str, ConsoleForm] = {}
    if status is ComplaintStatus.FILED:
        found["accept"] = ConsoleForm(bound("accept"), now=moment)
        found["refuse"] = fc.ReasonsForm(bound("refuse"), now=moment)
    if status not in TERMINAL and (complaint.hold is None or complaint.hold.lifted_at):
        found["hold"] = fc.HoldForm(bound("hold"), now=moment)
    if status in (ComplaintStatus.ACCEPTED, ComplaintStatus.STATEMENTS_REQUESTED):
        found["statements"] = fc.StatementsRequestForm(
            bound("statements"), parties=_parties(complaint), now=moment
        )
        found["extend"] = fc.ExtendForm(bound("extend"), now=moment)
        found["decide"] = fc.DecideForm(bound("decide"), now=moment)
    return found


def _page(
    request: HttpRequest, complaint: Complaint, forms: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(
        request,
        "supervision/complaint.html",
        {
            "complaint": complaint,
            "lot": complaint.lot,
            "light": complaint_light(complaint, now()),
            "documents": complaint_documents_issued(complaint),
            "forms": forms,
            "statements": complaint.statements.select_related("party"),
            "extensions": complaint.extensions.all(),
            "attachments": complaint.attachments.all(),
        },
        status=status,
    )


@require_GET
@login_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    access_supervisor(user)
    complaint = complaint_get_for_regulator(user, pk)
    return _page(request, complaint, _forms(complaint))


_DONE = {
    "accept": gettext_lazy("投诉已受理。"),
    "refuse": gettext_lazy("已决定不予受理。"),
    "hold": gettext_lazy("标段已暂停。"),
    "statements": gettext_lazy("已要求当事人提交书面说明。"),
    "extend": gettext_lazy("处理期限已延长。"),
    "decide": gettext_lazy("处理决定已作出。"),
}


def _service(
    action: str, complaint: Complaint, data: dict[str, Any], user: User
) -> Callable[[], Any]:
    if action == "accept":
        return lambda: complaint_accept(complaint=complaint, actor=user)
    if action == "refuse":
        return lambda: complaint_refuse(complaint=complaint, reasons=data["reasons"], actor=user)
    if action == "hold":
        return lambda: complaint_hold(complaint=complaint, note=data["note"], actor=user)
    if action == "statements":
        return lambda: complaint_statements_request(
            complaint=complaint, parties=list(data["parties"]), due=data["due"], actor=user
        )
    if action == "extend":
        return lambda: complaint_extend(
            complaint=complaint, new_due=data["new_due"], reason=data["reason"], actor=user
        )
    return lambda: complaint_decide(
        complaint=complaint,
        upheld=data["outcome"] == "uphold",
        order=data.get("order") or "",
        reasons=data["reasons"],
        actor=user,
    )


@require_POST
@login_required
def complaint_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = acting_user(request)
    access_supervisor(user)
    complaint = complaint_get_for_regulator(user, pk)
    if action not in _DONE:
        raise Http404(_("没有这个操作。"))
    forms = _forms(complaint, request.POST, only=action)
    form = forms.get(action)
    if form is None:
        messages.error(
            request,
            _("投诉当前状态为“%(s)s”，不能进行此操作。") % {"s": complaint.get_status_display()},
        )
        return redirect("supervision_complaint", complaint.pk)
    if form.is_valid():
        try:
            _service(action, complaint, form.cleaned_data, user)()
        except (ValidationError, PermissionDenied) as refused:
            form_refused(form, refused)
        else:
            messages.success(request, _DONE[action])
            return redirect("supervision_complaint", complaint.pk)
    return _page(request, complaint, forms, status=400)
