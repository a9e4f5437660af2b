"""Owners' and agencies' console: their projects and tenders, and what they must do next."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from trading import forms as f
from trading.domain.employer import OrganisationKind
from trading.models import Tender
from trading.selectors.access import Role, access_owner_console, access_project
from trading.selectors.next_steps import lot_next_step, tender_next_step, todo_list_for_owner
from trading.selectors.tenders import project_list_for_owner, tender_list_for_owner
from trading.services.projects import project_create
from trading.services.tenders import tender_create
from trading.views.common import LIST_PAGE_SIZE, acting_user, form_refused, now


@require_GET
@login_required
def owner_console(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    access_owner_console(user)
    moment = now()
    training = request.GET.get("training") == "1"
    all_tenders = tender_list_for_owner(user).select_related(
        "project", "procedure", "desk__region", "desk__business_type"
    )
    tenders = all_tenders.filter(project__training=training)
    projects = project_list_for_owner(user).filter(training=training).prefetch_related("tenders")
    page = Paginator(projects, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    project_ids = [project.pk for project in page.object_list]
    rows: dict[int, list[Tender]] = {pk: [] for pk in project_ids}
    for tender in tenders.filter(project_id__in=project_ids).prefetch_related("lots"):
        tender.lot_rows = [  # type: ignore[attr-defined]
            (lot, lot_next_step(lot, tender, Role.OWNER, moment)) for lot in tender.lots.all()
        ]
        tender.next_step = tender_next_step(tender, Role.OWNER)  # type: ignore[attr-defined]
        rows[tender.project_id].append(tender)
    for project in page.object_list:
        project.tender_rows = rows[project.pk]  # type: ignore[attr-defined]
    return render(
        request,
        "trading/owner_console.html",
        {
            "page": page,
            "todos": todo_list_for_owner(tenders, moment),
            "training": training,
            "training_count": all_tenders.filter(project__training=True).count(),
            "now": moment,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def project_create_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    access_owner_console(user)
    kind = user.organisation_kind
    form = f.ProjectForm(request.POST or None, actor_kind=kind, now=now())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mine = user.organisation
        if mine is None:  # the console admits only members of an organisation
            raise PermissionDenied
        owner = data["owner"] if kind == OrganisationKind.AGENCY else mine
        agency = mine if kind == OrganisationKind.AGENCY else data.get("agency")
        try:
            project = project_create(
                owner=owner,
                agency=agency,
                name=data["name"],
                region=data["region"],
                business_type=data["business_type"],
                industry=data.get("industry"),
                funding_source=data["funding_source"],
                state_funded=data["state_funded"],
                training=data["training"],
                time_scale=data["time_scale"],
                actor=user,
            )
        except (ValidationError, PermissionDenied) as refused:
            form_refused(form, refused)
        else:
            messages.success(
                request,
                _("已登记项目 %(code)s，请继续创建招标项目。") % {"code": project.code},
            )
            return redirect("tender_create", project.pk)
    return render(request, "trading/owner_project_form.html", {"form": form})


TENDER_FIELDS = (
    "name",
    "procedure",
    "price_form",
    "deposit_form",
    "announced_at",
    "documents_issued_at",
    "documents_sale_ends_at",
    "clarification_deadline",
)


@require_http_methods(["GET", "POST"])
@login_required
def tender_create_view(request: HttpRequest, project_id: int) -> HttpResponse:
    user = acting_user(request)
    project = access_project(user, project_id)
    form = f.TenderForm(request.POST or None, project=project, now=now())
    if request.method == "POST" and form.is_valid():
        try:
            tender = tender_create(
                project=project,
                **{name: form.cleaned_data[name] for name in TENDER_FIELDS},
                actor=user,
            )
        except (ValidationError, PermissionDenied) as refused:
            form_refused(form, refused, f.TENDER_POINT_FIELDS)
        else:
            messages.success(
                request, _("已创建招标项目 %(code)s，请添加标段。") % {"code": tender.code}
            )
            return redirect("lot_create", tender.pk)
    return render(
        request, "trading/tender_form.html", {"form": form, "project": project, "tender": None}
    )
