"""Organisation verification: the center's queue and answers, the licence, the applicant's page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trading.domain.employer import OrganisationKind
from trading.models import Organisation, Region
from trading.models.parties import ReviewDecision
from trading.selectors.access import (
    access_organisation_licence,
    access_own_organisation,
    access_verification_queue,
)
from trading.services.organisation_review import (
    REASON_MAX,
    organisation_refuse,
    organisation_resubmit,
    organisation_return,
)
from trading.services.organisations import organisation_verify
from trading.views.common import acting_user, form_refused, message_refusal

QUEUE_PAGE_SIZE = 50


def verification_queue() -> QuerySet[Organisation]:
    """Registrations awaiting the center's check (the center and regulators are the platform's)."""
    return (
        Organisation.objects.filter(verified_at__isnull=True, decision="")
        .exclude(kind__in=[OrganisationKind.CENTER, OrganisationKind.REGULATOR])
        .select_related("region")
        .order_by("registered_at", "pk")
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("理由（申请人将看到）"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("请填写理由，申请人将看到它。")},
    )


class ResubmitForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("主体名称"), max_length=200)
    region = forms.ModelChoiceField(
        label=gettext_lazy("所在市县"),
        queryset=Region.objects.filter(parent__isnull=True),
        required=False,
    )
    contact_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=30)
    licence = forms.FileField(
        label=gettext_lazy("新的营业执照"),
        help_text=gettext_lazy("PDF 格式；不上传则沿用原来的营业执照。"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


@require_GET
@login_required
def organisation_queue(request: HttpRequest) -> HttpResponse:
    access_verification_queue(acting_user(request))
    queue = verification_queue()
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    answered = (
        Organisation.objects.filter(verified_at__isnull=True)
        .exclude(decision="")
        .select_related("region", "decided_by")
        .order_by("-decided_at", "-pk")[:20]
    )
    return render(
        request,
        "trading/organisation_queue.html",
        {"page": page, "answered": answered, "reason_form": ReasonForm()},
    )


def _awaiting(pk: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise Http404(_("没有找到该主体。"))
    return organisation


@require_POST
@login_required
def organisation_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    access_verification_queue(user)
    organisation = _awaiting(pk)
    try:
        organisation_verify(organisation=organisation, actor=user)
    except (PermissionDenied, ValidationError) as refused:
        message_refusal(request, refused)
    else:
        messages.success(request, _("已核验主体“%(name)s”。") % {"name": organisation.name})
    return redirect("organisation_queue")


def _answer(request: HttpRequest, pk: int, decision: ReviewDecision) -> HttpResponse:
    user = acting_user(request)
    access_verification_queue(user)
    organisation = _awaiting(pk)
    service = organisation_return if decision == ReviewDecision.RETURNED else organisation_refuse
    try:
        service(organisation=organisation, reason=request.POST.get("reason", ""), actor=user)
    except (PermissionDenied, ValidationError) as refused:
        message_refusal(request, refused)
    else:
        done = (
            _("已退回“%(name)s”补正。")
            if decision == ReviewDecision.RETURNED
            else _("已对“%(name)s”不予核验。")
        )
        messages.success(request, done % {"name": organisation.name})
    return redirect("organisation_queue")


@require_POST
@login_required
def organisation_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, ReviewDecision.RETURNED)


@require_POST
@login_required
def organisation_refuse_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, ReviewDecision.REFUSED)


@require_GET
@login_required
def organisation_licence(request: HttpRequest, pk: int) -> FileResponse:
    organisation = access_organisation_licence(acting_user(request), pk)
    return FileResponse(
        organisation.licence.open("rb"),
        as_attachment=False,
        filename=f"{organisation.uscc}-营业执照.pdf",
        content_type="application/pdf",
    )


@require_http_methods(["GET", "POST"])
@login_required
def organisation_mine(request: HttpRequest) -> HttpResponse:
    """The applicant's own registration: its state, the center's reason, and resubmitting it."""
    user = acting_user(request)
    organisation = access_own_organisation(user)
    form = None
    if organisation.is_returned and user.is_organisation_admin:
        initial = {
            "name": organisation.name,
            "region": organisation.region,
            "contact_phone": organisation.contact_phone,
        }
        form = ResubmitForm(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                organisation_resubmit(
                    organisation=organisation,
                    name=data["name"],
                    region=data["region"],
                    contact_phone=data["contact_phone"],
                    licence=data["licence"],
                    actor=user,
                )
            except (PermissionDenied, ValidationError) as refused:
                form_refused(form, refused)
            else:
                messages.success(request, _("已重新提交，请等待交易中心核验。"))
                return redirect("organisation_mine")
    elif request.method == "POST":
        raise PermissionDenied(_("只有被退回的登记可以由本主体管理员重新提交。"))
    return render(
        request,
        "trading/organisation_mine.html",
        {"organisation": organisation, "form": form},
    )
