"""The consoles: owners' and agencies' projects, the staff's desks and review queue, the lot page.

Views parse input with trading.forms, reach every tender and lot through the access chokepoints
(404 for anybody who may not know it exists) and hand each change to one service. Pages show,
for every row, what its reader has to do next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trading import forms as f
from trading.clock import get_clock
from trading.domain.employer import OrganisationKind
from trading.domain.lifecycle import TERMINAL, LotStatus, TenderStatus
from trading.domain.timeline import Light, light
from trading.models import (
    Hold,
    Lot,
    Objection,
    Organisation,
    Project,
    Question,
    Tender,
    TenderDocument,
    User,
)
from trading.models.tenders import DocumentKind
from trading.selectors.grants import desk_list_operated_by
from trading.selectors.tenders import (
    WARN_BEFORE,
    access_lot,
    access_tender,
    amendment_earliest_deadline,
    lot_document_downloads,
    lot_ledger_entries,
    lot_timeline,
    project_list_for_owner,
    tender_list_for_desk_staff,
    tender_list_for_owner,
    tender_violations,
)
from trading.services import lots as lot_services
from trading.services import tenders as tender_services

LIST_PAGE_SIZE = 30
LEDGER_LIMIT = 50

# The ledger's action codes (trading.services.tenders / lots) as a reader says them.
LEDGER_ACTIONS: dict[str, Any] = {
    "tender.drafted": gettext_lazy("起草招标项目"),
    "tender.updated": gettext_lazy("修改招标项目"),
    "tender.document_uploaded": gettext_lazy("上传招标文件"),
    "tender.submitted": gettext_lazy("提交审核"),
    "tender.rejected": gettext_lazy("退回修改"),
    "tender.published": gettext_lazy("审核发布"),
    "tender.amended": gettext_lazy("发布变更"),
    "tender.clarified": gettext_lazy("发布澄清"),
    "question.asked": gettext_lazy("提出问题"),
    "lot.drafted": gettext_lazy("添加标段"),
    "lot.updated": gettext_lazy("修改标段"),
    "lot.published": gettext_lazy("标段公告"),
    "lot.open_bidding": gettext_lazy("开始投标"),
    "lot.close_bidding": gettext_lazy("投标截止"),
    "lot.bids_sufficient": gettext_lazy("开标：有效投标数足够"),
    "lot.bids_insufficient": gettext_lazy("流标：有效投标不足"),
    "lot.sold": gettext_lazy("竞价成交"),
    "lot.unsold": gettext_lazy("流拍"),
    "lot.evaluation_reported": gettext_lazy("登记评标结果，开始公示"),
    "lot.publicity_ended": gettext_lazy("公示期满"),
    "lot.awarded": gettext_lazy("确定中标人"),
    "lot.contract": gettext_lazy("登记合同"),
    "lot.close": gettext_lazy("结束"),
    "lot.terminated": gettext_lazy("终止"),
    "lot.terminate": gettext_lazy("终止"),
    "lot.suspended": gettext_lazy("暂停"),
    "lot.resumed": gettext_lazy("恢复"),
    "lot.deadline_moved": gettext_lazy("顺延截止时间"),
    "hold.placed": gettext_lazy("暂停事由登记"),
    "hold.lifted": gettext_lazy("暂停事由消除"),
    "objection.raised": gettext_lazy("提出异议"),
    "objection.answered": gettext_lazy("答复异议"),
    "contract.recorded": gettext_lazy("登记合同"),
    "report.filed": gettext_lazy("提交书面报告"),
}


def ledger_action_label(action: str) -> str:
    return str(LEDGER_ACTIONS.get(action, action))


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _now() -> datetime:
    return get_clock()()


def _is_party(user: User) -> bool:
    return user.organisation_kind in (OrganisationKind.OWNER, OrganisationKind.AGENCY)


def _role(user: User, project: Project) -> str:
    """What the reader is to this project: owner (or its agency), staff or regulator."""
    if user.organisation_id is not None and user.organisation_id in (
        project.owner_id,
        project.agency_id,
    ):
        return "owner"
    if user.organisation_kind == OrganisationKind.CENTER:
        return "staff"
    return "regulator"


def _refusal_messages(refused: Exception) -> list[str]:
    if isinstance(refused, ValidationError):
        return list(refused.messages)
    text = str(refused)
    return [text] if text else [_("您无权执行此操作。")]


def _run(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Run one service call; report its refusal as messages. True when it went through."""
    try:
        action()
    except (ValidationError, PermissionDenied) as refused:
        for message in _refusal_messages(refused):
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True


# --- projects of owners and agencies ----------------------------------------------------------


def _owner_projects(user: User) -> QuerySet[Project]:
    return (
        project_list_for_owner(user)
        .select_related("region", "business_type", "owner", "agency")
        .order_by("-created_at", "-id")
    )


def _access_project(user: User, project_id: int) -> Project:
    """The project if the user's organisation owns it or is its agency; 404 otherwise."""
    if not _is_party(user):
        raise Http404
    project = _owner_projects(user).filter(pk=project_id).first()
    if project is None:
        raise Http404
    return project


def _require_party(user: User) -> None:
    if not _is_party(user):
        raise Http404


@dataclass
class Todo:
    """One thing the reader must do next, with its due date and light."""

    text: str
    url: str
    due: datetime | None = None
    light: str = ""
    training: bool = False


def _light(due: datetime | None, now: datetime) -> str:
    if due is None:
        return ""
    return str(light(due=due, now=now, done_at=None, warn=WARN_BEFORE))


def _timeline_due(lot: Lot, key: str, now: datetime) -> tuple[datetime | None, str]:
    """The due date and light of one statutory date of the lot's timeline."""
    for item in lot_timeline(lot, now):
        if item.key == key:
            return item.due, str(item.light or "")
    return None, ""


def _owner_todos(tenders: QuerySet[Tender], now: datetime) -> list[Todo]:
    todos: list[Todo] = []
    for tender in tenders.filter(status=TenderStatus.DRAFT):
        todos.append(
            Todo(
                _("完善“%(name)s”的标段和招标文件，提交交易中心审核") % {"name": tender.name},
                reverse("tender_detail", args=[tender.pk]),
                training=tender.project.training,
            )
        )
    questions = Question.objects.filter(tender__in=tenders, answered_in__isnull=True)
    for tender in tenders.filter(pk__in=questions.values("tender_id")):
        count = questions.filter(tender=tender).count()
        todos.append(
            Todo(
                _("答复“%(name)s”的 %(count)s 个问题（发布澄清）")
                % {"name": tender.name, "count": count},
                reverse("tender_detail", args=[tender.pk]) + "#questions",
                due=tender.clarification_deadline,
                light=_light(tender.clarification_deadline, now),
                training=tender.project.training,
            )
        )
    objections = (
        Objection.objects.filter(lot__tender__in=tenders, answered_at__isnull=True)
        .select_related("lot", "lot__tender__project")
        .order_by("answer_due")
    )
    for objection in objections:
        todos.append(
            Todo(
                _("答复对“%(lot)s”的异议") % {"lot": objection.lot.name},
                reverse("lot_detail", args=[objection.lot_id]) + f"#objection-{objection.pk}",
                due=objection.answer_due,
                light=_light(objection.answer_due, now),
                training=objection.lot.tender.project.training,
            )
        )
    lots = Lot.objects.filter(tender__in=tenders).select_related("tender__project")
    for lot in lots.filter(status=LotStatus.PUBLICITY, publicity_ends_at__lte=now):
        if lot.holds.filter(lifted_at__isnull=True).exists():
            continue
        todos.append(
            Todo(
                _("公示期已满：确定“%(lot)s”的中标人并发出中标通知书") % {"lot": lot.name},
                reverse("lot_detail", args=[lot.pk]) + "#award",
                training=lot.tender.project.training,
            )
        )
    for lot in lots.filter(status=LotStatus.AWARDED):
        due, lit = _timeline_due(lot, "contract", now)
        todos.append(
            Todo(
                _("签订“%(lot)s”的合同并登记（招标投标法第46条：30日内）") % {"lot": lot.name},
                reverse("lot_detail", args=[lot.pk]) + "#contract",
                due=due,
                light=lit,
                training=lot.tender.project.training,
            )
        )
    for lot in lots.filter(status=LotStatus.CONTRACTED):
        due, lit = _timeline_due(lot, "report", now)
        if lit == Light.DONE:
            continue
        todos.append(
            Todo(
                _("向监督部门提交“%(lot)s”的书面报告（招标投标法第47条：15日内）")
                % {"lot": lot.name},
                reverse("lot_detail", args=[lot.pk]) + "#report",
                due=due,
                light=lit,
                training=lot.tender.project.training,
            )
        )
    return todos


def _training_filter(request: HttpRequest) -> bool:
    return request.GET.get("training") == "1"


@require_GET
@login_required
def owner_console(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_party(user)
    now = _now()
    training = _training_filter(request)
    all_tenders = tender_list_for_owner(user).select_related(
        "project", "procedure", "desk__region", "desk__business_type"
    )
    tenders = all_tenders.filter(project__training=training)
    projects = _owner_projects(user).filter(training=training).prefetch_related("tenders")
    page = Paginator(projects, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    project_ids = [project.pk for project in page.object_list]
    rows: dict[int, list[Tender]] = {pk: [] for pk in project_ids}
    for tender in tenders.filter(project_id__in=project_ids).prefetch_related("lots"):
        tender.lot_rows = [  # type: ignore[attr-defined]
            (lot, _next_step(lot, tender, "owner", now)) for lot in tender.lots.all()
        ]
        tender.next_step = _tender_next_step(tender, "owner")  # type: ignore[attr-defined]
        rows[tender.project_id].append(tender)
    for project in page.object_list:
        project.tender_rows = rows[project.pk]  # type: ignore[attr-defined]
    return render(
        request,
        "trading/owner_console.html",
        {
            "page": page,
            "todos": _owner_todos(tenders, now),
            "training": training,
            "training_count": all_tenders.filter(project__training=True).count(),
            "now": now,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def project_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_party(user)
    kind = user.organisation_kind
    form = f.ProjectForm(request.POST or None, actor_kind=kind, now=_now())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mine = user.organisation
        if mine is None:  # _require_party let only members of an organisation in
            raise Http404
        owner = data["owner"] if kind == OrganisationKind.AGENCY else mine
        agency = mine if kind == OrganisationKind.AGENCY else data.get("agency")
        try:
            project = tender_services.project_create(
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
            _form_refused(form, refused)
        else:
            messages.success(
                request,
                _("已登记项目 %(code)s，请继续创建招标项目。") % {"code": project.code},
            )
            return redirect("tender_create", project.pk)
    return render(request, "trading/owner_project_form.html", {"form": form})


def _form_refused(
    form: f.forms.Form, refused: Exception, fields: dict[str, str] | None = None
) -> None:
    if isinstance(refused, ValidationError):
        f.add_service_errors(form, refused, fields)
    else:
        for message in _refusal_messages(refused):
            form.add_error(None, message)


_TENDER_FIELDS = (
    "name",
    "procedure",
    "price_form",
    "deposit_form",
    "announced_at",
    "documents_issued_at",
    "clarification_deadline",
)


@require_http_methods(["GET", "POST"])
@login_required
def tender_create_view(request: HttpRequest, project_id: int) -> HttpResponse:
    user = _user(request)
    project = _access_project(user, project_id)
    form = f.TenderForm(request.POST or None, project=project, now=_now())
    if request.method == "POST" and form.is_valid():
        try:
            tender = tender_services.tender_create(
                project=project,
                **{name: form.cleaned_data[name] for name in _TENDER_FIELDS},
                actor=user,
            )
        except (ValidationError, PermissionDenied) as refused:
            _form_refused(form, refused, f.TENDER_POINT_FIELDS)
        else:
            messages.success(
                request, _("已创建招标项目 %(code)s，请添加标段。") % {"code": tender.code}
            )
            return redirect("lot_create", tender.pk)
    return render(
        request, "trading/tender_form.html", {"form": form, "project": project, "tender": None}
    )


@require_http_methods(["GET", "POST"])
@login_required
def tender_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    tender = access_tender(user, pk, purpose="edit")
    initial = {name: getattr(tender, name) for name in _TENDER_FIELDS}
    form = f.TenderForm(request.POST or None, initial=initial, project=tender.project, now=_now())
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            tender_services.tender_update(tender=tender, actor=user, **changed)
        except (ValidationError, PermissionDenied) as refused:
            _form_refused(form, refused, f.TENDER_POINT_FIELDS)
        else:
            messages.success(request, _("招标项目已保存。"))
            return redirect("tender_detail", tender.pk)
    elif request.method == "GET":
        _show_violations_on(form, _violations(tender).tender)
    return render(
        request,
        "trading/tender_form.html",
        {"form": form, "project": tender.project, "tender": tender},
    )


_LOT_FIELDS = (
    "name",
    "estimate",
    "deposit_amount",
    "increment",
    "scope",
    "duration_days",
    "opens_at",
    "closes_at",
)


@require_http_methods(["GET", "POST"])
@login_required
def lot_create_view(request: HttpRequest, tender_id: int) -> HttpResponse:
    user = _user(request)
    tender = access_tender(user, tender_id, purpose="edit")
    form = f.LotForm(
        request.POST or None, documents_issued_at=tender.documents_issued_at, now=_now()
    )
    if request.method == "POST" and form.is_valid():
        try:
            lot = tender_services.lot_create(
                tender=tender,
                **{name: form.cleaned_data[name] for name in _LOT_FIELDS},
                actor=user,
            )
        except (ValidationError, PermissionDenied) as refused:
            _form_refused(form, refused, f.LOT_POINT_FIELDS)
        else:
            messages.success(request, _("已添加标段 %(code)s。") % {"code": lot.code})
            return redirect("tender_detail", tender.pk)
    return render(request, "trading/tender_lot_form.html", {"form": form, "tender": tender})


@require_http_methods(["GET", "POST"])
@login_required
def lot_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    lot = access_lot(user, pk, purpose="edit")
    tender = lot.tender
    initial = {name: getattr(lot, name) for name in _LOT_FIELDS}
    form = f.LotForm(
        request.POST or None,
        initial=initial,
        documents_issued_at=tender.documents_issued_at,
        now=_now(),
    )
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            tender_services.lot_update(lot=lot, actor=user, **changed)
        except (ValidationError, PermissionDenied) as refused:
            _form_refused(form, refused, f.LOT_POINT_FIELDS)
        else:
            messages.success(request, _("标段已保存。"))
            return redirect("tender_detail", tender.pk)
    elif request.method == "GET":
        _show_violations_on(form, _violations(tender).lots.get(lot.pk, {}))
    return render(
        request, "trading/tender_lot_form.html", {"form": form, "tender": tender, "lot": lot}
    )


@require_http_methods(["GET", "POST"])
@login_required
def document_upload_view(request: HttpRequest, tender_id: int) -> HttpResponse:
    user = _user(request)
    tender = access_tender(user, tender_id, purpose="edit")
    form = f.DocumentForm(request.POST or None, request.FILES or None, now=_now())
    if request.method == "POST" and form.is_valid():
        try:
            tender_services.tender_document_upload(
                tender=tender,
                kind=DocumentKind.TENDER_DOCUMENTS,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
                actor=user,
            )
        except (ValidationError, PermissionDenied) as refused:
            _form_refused(form, refused)
        else:
            messages.success(request, _("招标文件已上传。"))
            return redirect("tender_detail", tender.pk)
    return render(request, "trading/tender_document_form.html", {"form": form, "tender": tender})


@require_GET
@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    user = _user(request)
    document = TenderDocument.objects.filter(pk=pk).first()
    if document is None:
        raise Http404
    access_tender(user, document.tender_id, purpose="view")
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.title}-v{document.version}.pdf",
        content_type="application/pdf",
    )


# --- schedule violations next to their fields --------------------------------------------------


@dataclass
class PlacedViolations:
    """Violation messages by the form field they belong to: the tender's and each lot's."""

    tender: dict[str, list[str]]
    lots: dict[int, dict[str, list[str]]]
    other: list[str]

    @property
    def count(self) -> int:
        return (
            sum(len(v) for v in self.tender.values())
            + sum(len(v) for lot in self.lots.values() for v in lot.values())
            + len(self.other)
        )


def _place_messages(placed: PlacedViolations, lot_pk: int, violations: list[Any]) -> None:
    for violation in violations:
        point = str(violation.point)
        message = str(violation.message)
        if point in f.TENDER_POINT_FIELDS:
            messages_ = placed.tender.setdefault(f.TENDER_POINT_FIELDS[point], [])
        elif point in f.LOT_POINT_FIELDS:
            fields = placed.lots.setdefault(lot_pk, {})
            messages_ = fields.setdefault(f.LOT_POINT_FIELDS[point], [])
        else:
            messages_ = placed.other
        if message not in messages_:
            messages_.append(message)


def _violations(tender: Tender, refused: ValidationError | None = None) -> PlacedViolations:
    """What publication refuses, each message on the field it concerns (lot by lot).

    For a draft this is a pre-check; after a refused publication the refusal's own messages
    that no field claims are listed as well, so nothing the service said is lost.
    """
    placed = PlacedViolations({}, {}, [])
    if tender.status == TenderStatus.PUBLISHED and refused is None:
        return placed
    for lot in tender.lots.order_by("pk"):
        _place_messages(placed, lot.pk, tender_violations(tender, lots=[lot]))
    if refused is not None:
        shown = {m for v in placed.tender.values() for m in v} | {
            m for fields in placed.lots.values() for v in fields.values() for m in v
        }
        for message in refused.messages:
            if message not in shown and message not in placed.other:
                placed.other.append(message)
    return placed


def _show_violations_on(form: f.forms.Form, fields: dict[str, list[str]]) -> None:
    """Show the rules a stored value breaks next to its field, without binding the form."""
    for name, found in fields.items():
        if name in form.fields:
            # Bound fields are cached per form, so the template's loop sees this attribute.
            form[name].violations = found  # type: ignore[attr-defined]


# --- the tender page: drafts, review, publication -----------------------------------------------


def _tender_context(
    request: HttpRequest, tender: Tender, *, refused: PlacedViolations | None = None, **extra: Any
) -> dict[str, Any]:
    user = _user(request)
    now = _now()
    role = _role(user, tender.project)
    lots = list(tender.lots.all())
    violations = refused if refused is not None else _violations(tender)
    for lot in lots:
        lot.violations = violations.lots.get(lot.pk, {})  # type: ignore[attr-defined]
        lot.next_step = _next_step(lot, tender, role, now)  # type: ignore[attr-defined]
    questions = tender.questions.filter(answered_in__isnull=True)
    context: dict[str, Any] = {
        "tender": tender,
        "project": tender.project,
        "lots": lots,
        "documents": tender.documents.order_by("-version"),
        "violations": violations,
        "refused": refused is not None,
        "role": role,
        "now": now,
        "questions": questions,
        "reject_form": f.ReasonForm(label=_("退回理由")),
        "next_step": _tender_next_step(tender, role),
    }
    if role == "owner" and questions.exists():
        context["question_form"] = f.QuestionAnswerForm(questions=questions)
    if role == "owner" and tender.status == TenderStatus.PUBLISHED:
        context["amendment_form"] = f.AmendmentForm()
    context.update(extra)
    return context


@require_GET
@login_required
def tender_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tender = access_tender(_user(request), pk, purpose="view")
    return render(request, "trading/tender_detail.html", _tender_context(request, tender))


@require_POST
@login_required
def tender_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    tender = access_tender(user, pk, purpose="edit")
    _run(
        request,
        lambda: tender_services.tender_submit(tender=tender, actor=user),
        _("已提交交易中心审核。"),
    )
    return redirect("tender_detail", tender.pk)


@require_POST
@login_required
def tender_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    tender = access_tender(user, pk, purpose="operate")
    try:
        tender_services.tender_publish(tender=tender, actor=user)
    except ValidationError as refused:
        tender.refresh_from_db()
        placed = _violations(tender, refused)
        # The page itself says why, next to each field: no separate flash message.
        return render(
            request,
            "trading/tender_detail.html",
            _tender_context(request, tender, refused=placed),
            status=200,
        )
    except PermissionDenied as refused:
        for message in _refusal_messages(refused):
            messages.error(request, message)
        return redirect("tender_detail", tender.pk)
    messages.success(request, _("已发布，各标段进入公告期。"))
    return redirect("tender_detail", tender.pk)


@require_POST
@login_required
def tender_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    tender = access_tender(user, pk, purpose="operate")
    form = f.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("退回时请填写理由。"))
        return redirect("tender_detail", tender.pk)
    reason = form.cleaned_data["reason"]
    rejected = _run(
        request,
        lambda: tender_services.tender_reject(tender=tender, reason=reason, actor=user),
        _("已退回招标人修改：%(code)s") % {"code": tender.code},
    )
    # A returned tender is the owner's draft again, out of the staff's sight.
    return redirect("staff_console") if rejected else redirect("tender_detail", tender.pk)


@require_POST
@login_required
def question_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    tender = access_tender(user, pk, purpose="edit")
    questions = tender.questions.filter(answered_in__isnull=True)
    form = f.QuestionAnswerForm(request.POST, request.FILES, questions=questions, now=_now())
    if form.is_valid():
        try:
            tender_services.question_answer(
                questions=list(form.cleaned_data["questions"]),
                document_file=form.cleaned_data["document_file"],
                title=form.cleaned_data["title"],
                actor=user,
            )
        except (ValidationError, PermissionDenied) as refused:
            _form_refused(form, refused)
        else:
            messages.success(request, _("澄清已发布。"))
            return redirect("tender_detail", tender.pk)
    return render(
        request,
        "trading/tender_detail.html",
        _tender_context(request, tender, question_form=form),
        status=400,
    )


@require_POST
@login_required
def tender_amend_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    tender = access_tender(user, pk, purpose="edit")
    form = f.AmendmentForm(request.POST, request.FILES, now=_now())
    if form.is_valid():
        data = form.cleaned_data
        try:
            tender_services.tender_amend(
                tender=tender,
                document_file=data["document_file"],
                title=data["title"],
                affects_bids=data["affects_bids"],
                new_closes_at=data.get("new_closes_at"),
                actor=user,
            )
        except (ValidationError, PermissionDenied) as refused:
            _form_refused(
                form, refused, {"closes_at": "new_closes_at", "bid_deadline": "new_closes_at"}
            )
        else:
            messages.success(request, _("变更已发布。"))
            return redirect("tender_detail", tender.pk)
    if "new_closes_at" not in form.errors and not form.data.get("new_closes_at"):
        earliest = _amendment_earliest(tender)
        if earliest is not None:
            form.earliest = earliest  # type: ignore[attr-defined]
    return render(
        request,
        "trading/tender_detail.html",
        _tender_context(request, tender, amendment_form=form),
        status=400,
    )


def _amendment_earliest(tender: Tender) -> datetime | None:
    return amendment_earliest_deadline(tender, _now())


# --- the staff console ------------------------------------------------------------------------


def _staff_desks(user: User, *, allow_none: bool = False) -> Any:
    """The operator's desks; 404 for anybody but center staff (and staff without a desk)."""
    if user.organisation_kind != OrganisationKind.CENTER:
        raise Http404
    desks = desk_list_operated_by(user)
    if not allow_none and not desks.exists():
        raise Http404
    return desks


def _desk_lots(user: User, data: dict[str, Any]) -> QuerySet[Lot]:
    tenders = tender_list_for_desk_staff(user, filters={}).filter(
        project__training=bool(data.get("training"))
    )
    lots = Lot.objects.filter(tender__in=tenders).select_related(
        "tender__project",
        "tender__procedure",
        "tender__desk__region",
        "tender__desk__business_type",
    )
    if data.get("q"):
        term = data["q"].strip()
        lots = lots.filter(
            Q(code__icontains=term)
            | Q(name__icontains=term)
            | Q(tender__code__icontains=term)
            | Q(tender__name__icontains=term)
            | Q(tender__project__code__icontains=term)
            | Q(tender__project__name__icontains=term)
            | Q(tender__trade_id__icontains=term)
        )
    if data.get("region"):
        lots = lots.filter(tender__desk__region=data["region"])
    if data.get("business_type"):
        lots = lots.filter(tender__desk__business_type=data["business_type"])
    if data.get("procedure"):
        lots = lots.filter(tender__procedure=data["procedure"])
    status = data.get("status") or ""
    if status.startswith("tender:"):
        lots = lots.filter(tender__status=status.removeprefix("tender:"))
    elif status.startswith("lot:"):
        lots = lots.filter(status=status.removeprefix("lot:"))
    if data.get("date_from"):
        lots = lots.filter(closes_at__date__gte=data["date_from"])
    if data.get("date_to"):
        lots = lots.filter(closes_at__date__lte=data["date_to"])
    # Drafts are the owner's until submitted: staff see what was brought to them.
    return lots.exclude(tender__status=TenderStatus.DRAFT).order_by("-tender__created_at", "code")


def _review_queue(user: User, *, training: bool) -> QuerySet[Tender]:
    return (
        tender_list_for_desk_staff(user, filters={})
        .filter(status=TenderStatus.PENDING_REVIEW, project__training=training)
        .select_related("project__owner", "procedure", "desk__region", "desk__business_type")
        .order_by("created_at", "pk")
    )


@require_GET
@login_required
def staff_console(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    desks = _staff_desks(user, allow_none=True)
    if not desks.exists():
        # The navigation offers this page to every center user: tell them why it is empty.
        return render(request, "trading/staff_console.html", {"desks": desks, "no_desk": True})
    now = _now()
    form = f.DeskFilterForm(
        request.GET or None,
        regions={desk.region_id for desk in desks},
        business_types={desk.business_type_id for desk in desks},
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    lots = _desk_lots(user, data)
    page = Paginator(lots, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(lot, _next_step(lot, lot.tender, "staff", now)) for lot in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    training = bool(data.get("training"))
    return render(
        request,
        "trading/staff_console.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "queue": _review_queue(user, training=training)[:10],
            "queue_count": _review_queue(user, training=training).count(),
            "desks": desks,
            "training": training,
            "now": now,
        },
    )


@require_GET
@login_required
def staff_review_queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _staff_desks(user)
    training = _training_filter(request)
    page = Paginator(_review_queue(user, training=training), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for tender in page.object_list:
        tender.violation_count = _violations(tender).count  # type: ignore[attr-defined]
        tender.own_draft = tender.drafted_by_id == user.pk  # type: ignore[attr-defined]
    return render(request, "trading/staff_review_queue.html", {"page": page, "training": training})


# --- next steps ---------------------------------------------------------------------------------


def _tender_next_step(tender: Tender, role: str) -> str:
    if tender.status == TenderStatus.DRAFT:
        return _("补全标段和招标文件后提交审核") if role == "owner" else _("招标人起草中")
    if tender.status == TenderStatus.PENDING_REVIEW:
        return _("审核并发布") if role == "staff" else _("等待交易中心审核")
    return ""


def _next_step(lot: Lot, tender: Tender, role: str, now: datetime) -> str:
    """What the reader has to do (or wait for) next on this lot."""
    status = lot.status
    if lot.suspended_at is not None and status not in TERMINAL:
        return _("已暂停：答复异议或待暂停事由消除") if role == "owner" else _("已暂停")
    if status == LotStatus.DRAFT:
        return _tender_next_step(tender, role)
    if status == LotStatus.PUBLISHED:
        return _("%(at)s 开始投标") % {"at": _fmt(lot.opens_at)}
    if status == LotStatus.BIDDING:
        return _("%(at)s 投标截止、开标") % {"at": _fmt(lot.closes_at)}
    if status == LotStatus.OPENING:
        return _("登记开标结果（有效投标数）") if role == "staff" else _("开标进行中")
    if status == LotStatus.AUCTION:
        return _("竞价进行中")
    if status == LotStatus.EVALUATION:
        return _("登记评标结果和评标报告") if role == "staff" else _("评标进行中")
    if status == LotStatus.PUBLICITY:
        if lot.publicity_ends_at is not None and lot.publicity_ends_at <= now:
            return _("确定中标人") if role == "owner" else _("公示期满，等待招标人定标")
        return _("公示至 %(at)s") % {"at": _fmt(lot.publicity_ends_at)}
    if status == LotStatus.AWARDED:
        return _("登记合同") if role == "owner" else _("等待签订合同")
    if status == LotStatus.CONTRACTED:
        return _("提交书面报告") if role == "owner" else _("等待书面报告")
    return ""


def _fmt(value: datetime | None) -> str:
    if value is None:
        return "—"
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


# --- the lot page --------------------------------------------------------------------------------


def _lot_live_context(lot: Lot, role: str, now: datetime, since: str = "") -> dict[str, Any]:
    state = _lot_state(lot)
    ledger = list(lot_ledger_entries(lot).order_by("-seq")[:LEDGER_LIMIT])
    for entry in ledger:
        entry.label = ledger_action_label(entry.action)  # type: ignore[attr-defined]
    return {
        "lot": lot,
        "tender": lot.tender,
        "role": role,
        "now": now,
        "timeline": lot_timeline(lot, now),
        "holds": Hold.objects.filter(lot=lot).order_by("-placed_at"),
        "active_holds": Hold.objects.filter(lot=lot, lifted_at__isnull=True).count(),
        "ledger": ledger,
        # The page's first state: the poll keeps it, so the notice of a change stays shown.
        "since": since or state,
        "changed": bool(since) and since != state,
        "state": state,
        "terminal": lot.status in TERMINAL,
        "next_step": _next_step(lot, lot.tender, role, now),
    }


def _lot_state(lot: Lot) -> str:
    return f"{lot.status}{'-suspended' if lot.suspended_at else ''}"


def _lot_for(request: HttpRequest, pk: int) -> tuple[Lot, str]:
    user = _user(request)
    lot = access_lot(user, pk, purpose="view")
    return lot, _role(user, lot.tender.project)


@require_GET
@login_required
def lot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lot, role = _lot_for(request, pk)
    return render(request, "trading/lot_detail.html", _lot_page_context(lot, role))


def _lot_page_context(lot: Lot, role: str, **forms: Any) -> dict[str, Any]:
    now = _now()
    context = _lot_live_context(lot, role, now)
    status = lot.status
    context.update(
        objections=lot.objections.order_by("raised_at"),
        candidates=lot.candidates.order_by("rank"),
        award=getattr(lot, "award", None) if _has(lot, "award") else None,
        contract=getattr(lot, "contract", None) if _has(lot, "contract") else None,
        documents=lot.tender.documents.filter(Q(lot=lot) | Q(lot__isnull=True)).order_by(
            "-version"
        ),
        # None while who downloaded is secret (法 第22条): the page then says nothing at all.
        downloads=lot_document_downloads(lot, role=role),
    )
    if role == "owner":
        context["answer_forms"] = {
            objection.pk: forms.get(f"answer_{objection.pk}") or f.ObjectionAnswerForm()
            for objection in lot.objections.filter(answered_at__isnull=True)
        }
        if status == LotStatus.PUBLICITY and not context["award"]:
            context["award_form"] = forms.get("award") or f.AwardForm(lot=lot)
            context["award_open"] = (
                lot.publicity_ends_at is not None
                and lot.publicity_ends_at <= now
                and context["active_holds"] == 0
            )
        if status == LotStatus.AWARDED and not context["contract"]:
            context["contract_form"] = forms.get("contract") or f.ContractForm()
        if (
            status == LotStatus.CONTRACTED
            and context["contract"]
            and not context["contract"].report_id
        ):
            context["report_form"] = forms.get("report") or f.ReportForm()
    if role == "staff" and lot.suspended_at is None:
        if status == LotStatus.OPENING:
            context["bid_count_form"] = forms.get("bid_count") or f.BidCountForm()
        if status == LotStatus.EVALUATION:
            context["evaluation_form"] = forms.get("evaluation") or f.EvaluationForm(
                bidders=_bidders()
            )
    if role == "staff" and status not in TERMINAL and status != LotStatus.DRAFT:
        context["terminate_form"] = forms.get("terminate") or f.ReasonForm(label=_("终止理由"))
    return context


def _has(lot: Lot, relation: str) -> bool:
    try:
        getattr(lot, relation)
    except ObjectDoesNotExist:
        return False
    return True


def _bidders() -> QuerySet[Organisation]:
    # Until enrolment exists every verified bidder may be named; the service checks again.
    return Organisation.objects.filter(
        kind=OrganisationKind.BIDDER, verified_at__isnull=False
    ).order_by("name")


@require_GET
@login_required
def lot_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The part of the lot page the chronograph changes, for the page's htmx poll."""
    lot, role = _lot_for(request, pk)
    context = _lot_live_context(lot, role, _now(), since=request.GET.get("since", ""))
    return render(request, "trading/includes/lot_live.html", context)


def _lot_action(
    request: HttpRequest,
    pk: int,
    *,
    purpose: str,
    form_class: Callable[..., f.ConsoleForm],
    form_key: str,
    call: Callable[[Lot, User, dict[str, Any]], Any],
    success: str,
    form_kwargs: Callable[[Lot], dict[str, Any]] | None = None,
    field_map: dict[str, str] | None = None,
) -> HttpResponse:
    user = _user(request)
    lot = access_lot(user, pk, purpose=purpose)
    kwargs = form_kwargs(lot) if form_kwargs else {}
    form = form_class(request.POST, request.FILES or None, now=_now(), **kwargs)
    if form.is_valid():
        try:
            call(lot, user, form.cleaned_data)
        except (ValidationError, PermissionDenied) as refused:
            _form_refused(form, refused, field_map)
        else:
            messages.success(request, success)
            return redirect("lot_detail", lot.pk)
    lot.refresh_from_db()
    role = _role(user, lot.tender.project)
    return render(
        request,
        "trading/lot_detail.html",
        _lot_page_context(lot, role, **{form_key: form}),
        status=400,
    )


@require_POST
@login_required
def lot_bid_count_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose="operate",
        form_class=f.BidCountForm,
        form_key="bid_count",
        call=lambda lot, user, data: lot_services.lot_record_bid_count(
            lot=lot, count=data["count"], actor=user
        ),
        success=_("已登记有效投标数。"),
    )


def _candidate_inputs(rows: list[dict[str, Any]]) -> list[lot_services.CandidateInput]:
    # The service ranks candidates in the order given.
    ordered = sorted(rows, key=lambda row: row["rank"])
    return [
        lot_services.CandidateInput(
            organisation=row["organisation"], price=row["price"], score=row.get("score")
        )
        for row in ordered
    ]


@require_POST
@login_required
def lot_evaluation_view(request: HttpRequest, pk: int) -> HttpResponse:
    def call(lot: Lot, user: User, data: dict[str, Any]) -> None:
        form_rows = [
            {
                "rank": rank,
                "organisation": data[f"organisation_{rank}"],
                "price": data[f"price_{rank}"],
                "score": data.get(f"score_{rank}"),
            }
            for rank in f.EvaluationForm.RANKS
            if data.get(f"organisation_{rank}") is not None
        ]
        lot_services.lot_record_evaluation(
            lot=lot,
            candidates=_candidate_inputs(form_rows),
            report_file=data["report_file"],
            actor=user,
        )

    return _lot_action(
        request,
        pk,
        purpose="operate",
        form_class=f.EvaluationForm,
        form_key="evaluation",
        form_kwargs=lambda lot: {"bidders": _bidders()},
        call=call,
        success=_("已登记评标结果，中标候选人进入公示。"),
    )


@require_POST
@login_required
def lot_terminate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose="operate",
        form_class=f.ReasonForm,
        form_key="terminate",
        form_kwargs=lambda lot: {"label": _("终止理由")},
        call=lambda lot, user, data: lot_services.lot_terminate(
            lot=lot, reason=data["reason"], actor=user
        ),
        success=_("已终止该标段。"),
    )


@require_POST
@login_required
def award_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose="edit",
        form_class=f.AwardForm,
        form_key="award",
        form_kwargs=lambda lot: {"lot": lot},
        call=lambda lot, user, data: lot_services.award_confirm(
            lot=lot, candidate=data["candidate"], reason=data.get("reason", ""), actor=user
        ),
        success=_("已确定中标人，中标通知书已发出。"),
    )


@require_POST
@login_required
def contract_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose="edit",
        form_class=f.ContractForm,
        form_key="contract",
        call=lambda lot, user, data: lot_services.contract_record(
            lot=lot,
            signed_on=data["signed_on"],
            amount=data["amount"],
            file=data["file"],
            actor=user,
        ),
        success=_("合同已登记。"),
    )


@require_POST
@login_required
def report_file_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose="edit",
        form_class=f.ReportForm,
        form_key="report",
        call=lambda lot, user, data: lot_services.report_file(
            lot=lot, file=data["file"], actor=user
        ),
        success=_("书面报告已提交。"),
    )


@require_POST
@login_required
def objection_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    objection = Objection.objects.filter(pk=pk).select_related("lot").first()
    if objection is None:
        raise Http404
    lot = access_lot(user, objection.lot_id, purpose="edit")
    form = f.ObjectionAnswerForm(request.POST, now=_now())
    if form.is_valid():
        try:
            lot_services.objection_answer(
                objection=objection, answer=form.cleaned_data["answer"], actor=user
            )
        except (ValidationError, PermissionDenied) as refused:
            _form_refused(form, refused)
        else:
            messages.success(request, _("异议已答复。"))
            return redirect("lot_detail", lot.pk)
    role = _role(user, lot.tender.project)
    return render(
        request,
        "trading/lot_detail.html",
        _lot_page_context(lot, role, **{f"answer_{objection.pk}": form}),
        status=400,
    )
