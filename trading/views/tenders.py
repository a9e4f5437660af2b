"""A tender's pages: drafting with its lots and documents, review and publication, questions and
amendments after it.

Views parse input with trading.forms, reach every tender and lot through the access chokepoints
and hand each change to one service; a refused schedule is shown next to the fields it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trading import forms as f
from trading.domain.lifecycle import TenderStatus
from trading.models import Tender
from trading.models.tenders import DocumentKind
from trading.selectors.access import (
    Purpose,
    Role,
    access_document,
    access_lot,
    access_tender,
    project_role,
)
from trading.selectors.calendar import tender_calendar_warnings
from trading.selectors.next_steps import lot_next_step, tender_next_step
from trading.selectors.tenders import tender_last_return
from trading.selectors.timeline import (
    amendment_earliest_deadline,
    closing_point,
    tender_rulebook,
    tender_violations,
)
from trading.services.documents import tender_document_upload
from trading.services.lots import lot_create, lot_update
from trading.services.questions import question_answer
from trading.services.tenders import (
    tender_amend,
    tender_publish,
    tender_reject,
    tender_submit,
    tender_update,
)
from trading.views.common import (
    acting_user,
    form_refused,
    message_refusal,
    now,
    run_service,
)
from trading.views.owner import TENDER_FIELDS


@require_http_methods(["GET", "POST"])
@login_required
def tender_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    tender = access_tender(user, pk, purpose=Purpose.EDIT)
    initial = {name: getattr(tender, name) for name in TENDER_FIELDS}
    form = f.TenderForm(request.POST or None, initial=initial, project=tender.project, now=now())
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            tender_update(tender=tender, actor=user, **changed)
        except (ValidationError, PermissionDenied) as refused:
            form_refused(form, refused, f.TENDER_POINT_FIELDS)
        else:
            messages.success(request, _("招标项目已保存。"))
            return redirect("tender_detail", tender.pk)
    elif request.method == "GET":
        _show_violations_on(form, placed_violations(tender).tender)
    return render(
        request,
        "trading/tender_form.html",
        {
            "form": form,
            "project": tender.project,
            "tender": tender,
            "calendar_warnings": tender_calendar_warnings(tender),
        },
    )


_LOT_FIELDS = (
    "name",
    "estimate",
    "deposit_amount",
    "increment",
    "scope",
    "duration_days",
    "quality",
    "opens_at",
    "closes_at",
    # Only on the forms of the procedures that have them (LotForm drops the others).
    "applications_close_at",
    "valuation",
)


@require_http_methods(["GET", "POST"])
@login_required
def lot_create_view(request: HttpRequest, tender_id: int) -> HttpResponse:
    user = acting_user(request)
    tender = access_tender(user, tender_id, purpose=Purpose.EDIT)
    # Shown above the form: the provisional years the schedule reaches.
    tender.calendar_warnings = tender_calendar_warnings(tender)  # type: ignore[attr-defined]
    form = f.LotForm(
        request.POST or None,
        documents_issued_at=tender.documents_issued_at,
        procedure=tender.procedure,
        now=now(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            lot = lot_create(
                tender=tender,
                **{name: form.cleaned_data[name] for name in _LOT_FIELDS if name in form.fields},
                actor=user,
            )
        except (ValidationError, PermissionDenied) as refused:
            form_refused(form, refused, f.LOT_POINT_FIELDS)
        else:
            messages.success(request, _("已添加标段 %(code)s。") % {"code": lot.code})
            return redirect("tender_detail", tender.pk)
    return render(
        request,
        "trading/tender_lot_form.html",
        {"form": form, "tender": tender, "deadline_rules": _deadline_rules(tender)},
    )


def _deadline_rules(tender: Tender) -> list[str]:
    """The rows that bound this tender's deadline or listing, each with its article."""
    book = tender_rulebook(tender)
    rules = book.between("documents_issued", closing_point(tender)) + book.between(
        "announced", "listing_start"
    )
    return [f"{rule.article}：{rule.description}" for rule in rules]


@require_http_methods(["GET", "POST"])
@login_required
def lot_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    lot = access_lot(user, pk, purpose=Purpose.EDIT)
    tender = lot.tender
    tender.calendar_warnings = tender_calendar_warnings(tender)  # type: ignore[attr-defined]
    initial = {name: getattr(lot, name) for name in _LOT_FIELDS}
    form = f.LotForm(
        request.POST or None,
        initial=initial,
        documents_issued_at=tender.documents_issued_at,
        procedure=tender.procedure,
        now=now(),
    )
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            lot_update(lot=lot, actor=user, **changed)
        except (ValidationError, PermissionDenied) as refused:
            form_refused(form, refused, f.LOT_POINT_FIELDS)
        else:
            messages.success(request, _("标段已保存。"))
            return redirect("tender_detail", tender.pk)
    elif request.method == "GET":
        _show_violations_on(form, placed_violations(tender).lots.get(lot.pk, {}))
    return render(
        request,
        "trading/tender_lot_form.html",
        {"form": form, "tender": tender, "lot": lot, "deadline_rules": _deadline_rules(tender)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def document_upload_view(request: HttpRequest, tender_id: int) -> HttpResponse:
    user = acting_user(request)
    tender = access_tender(user, tender_id, purpose=Purpose.EDIT)
    form = f.DocumentForm(request.POST or None, request.FILES or None, now=now())
    if request.method == "POST" and form.is_valid():
        try:
            tender_document_upload(
                tender=tender,
                kind=DocumentKind.TENDER_DOCUMENTS,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
                actor=user,
            )
        except (ValidationError, PermissionDenied) as refused:
            form_refused(form, refused)
        else:
            messages.success(request, _("招标文件已上传。"))
            return redirect("tender_detail", tender.pk)
    return render(request, "trading/tender_document_form.html", {"form": form, "tender": tender})


@require_GET
@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = access_document(acting_user(request), pk, purpose=Purpose.VIEW)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.title}-v{document.version}.pdf",
        content_type="application/pdf",
    )


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


def placed_violations(tender: Tender, refused: ValidationError | None = None) -> PlacedViolations:
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


def _tender_context(
    request: HttpRequest, tender: Tender, *, refused: PlacedViolations | None = None, **extra: Any
) -> dict[str, Any]:
    user = acting_user(request)
    moment = now()
    role = project_role(user, tender.project)
    lots = list(tender.lots.all())
    violations = refused if refused is not None else placed_violations(tender)
    for lot in lots:
        lot.violations = violations.lots.get(lot.pk, {})  # type: ignore[attr-defined]
        lot.next_step = lot_next_step(lot, tender, role, moment)  # type: ignore[attr-defined]
    questions = tender.questions.filter(answered_in__isnull=True)
    context: dict[str, Any] = {
        "tender": tender,
        "project": tender.project,
        "lots": lots,
        "documents": tender.documents.order_by("-version"),
        "violations": violations,
        "refused": refused is not None,
        "role": role,
        "now": moment,
        "questions": questions,
        "reject_form": f.ReasonForm(label=_("退回理由")),
        "next_step": tender_next_step(tender, role),
        "calendar_warnings": tender_calendar_warnings(tender),
        "last_return": tender_last_return(tender),
    }
    if role == Role.OWNER and questions.exists():
        context["question_form"] = f.QuestionAnswerForm(questions=questions)
    if role == Role.OWNER and tender.status == TenderStatus.PUBLISHED:
        context["amendment_form"] = f.AmendmentForm()
    context.update(extra)
    return context


@require_GET
@login_required
def tender_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tender = access_tender(acting_user(request), pk, purpose=Purpose.VIEW)
    return render(request, "trading/tender_detail.html", _tender_context(request, tender))


@require_POST
@login_required
def tender_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    tender = access_tender(user, pk, purpose=Purpose.EDIT)
    run_service(
        request,
        lambda: tender_submit(tender=tender, actor=user),
        _("已提交交易中心审核。"),
    )
    return redirect("tender_detail", tender.pk)


@require_POST
@login_required
def tender_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    tender = access_tender(user, pk, purpose=Purpose.OPERATE)
    try:
        tender_publish(tender=tender, actor=user)
    except ValidationError as refused:
        tender.refresh_from_db()
        placed = placed_violations(tender, refused)
        # The page itself says why, next to each field: no separate flash message.
        return render(
            request,
            "trading/tender_detail.html",
            _tender_context(request, tender, refused=placed),
            status=200,
        )
    except PermissionDenied as refused:
        message_refusal(request, refused)
        return redirect("tender_detail", tender.pk)
    messages.success(request, _("已发布，各标段进入公告期。"))
    return redirect("tender_detail", tender.pk)


@require_POST
@login_required
def tender_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    tender = access_tender(user, pk, purpose=Purpose.OPERATE)
    form = f.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("退回时请填写理由。"))
        return redirect("tender_detail", tender.pk)
    reason = form.cleaned_data["reason"]
    rejected = run_service(
        request,
        lambda: tender_reject(tender=tender, reason=reason, actor=user),
        _("已退回招标人修改：%(code)s") % {"code": tender.code},
    )
    # A returned tender is the owner's draft again, out of the staff's sight.
    return redirect("staff_console") if rejected else redirect("tender_detail", tender.pk)


@require_POST
@login_required
def question_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    tender = access_tender(user, pk, purpose=Purpose.EDIT)
    questions = tender.questions.filter(answered_in__isnull=True)
    form = f.QuestionAnswerForm(request.POST, request.FILES, questions=questions, now=now())
    if form.is_valid():
        try:
            question_answer(
                questions=list(form.cleaned_data["questions"]),
                document_file=form.cleaned_data["document_file"],
                title=form.cleaned_data["title"],
                actor=user,
            )
        except (ValidationError, PermissionDenied) as refused:
            form_refused(form, refused)
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
    user = acting_user(request)
    tender = access_tender(user, pk, purpose=Purpose.EDIT)
    form = f.AmendmentForm(request.POST, request.FILES, now=now())
    if form.is_valid():
        data = form.cleaned_data
        try:
            tender_amend(
                tender=tender,
                document_file=data["document_file"],
                title=data["title"],
                affects_bids=data["affects_bids"],
                new_closes_at=data.get("new_closes_at"),
                actor=user,
            )
        except (ValidationError, PermissionDenied) as refused:
            form_refused(
                form, refused, {"closes_at": "new_closes_at", "bid_deadline": "new_closes_at"}
            )
        else:
            messages.success(request, _("变更已发布。"))
            return redirect("tender_detail", tender.pk)
    if "new_closes_at" not in form.errors and not form.data.get("new_closes_at"):
        form.earliest = amendment_earliest_deadline(tender, now())  # type: ignore[attr-defined]
    return render(
        request,
        "trading/tender_detail.html",
        _tender_context(request, tender, amendment_form=form),
        status=400,
    )
