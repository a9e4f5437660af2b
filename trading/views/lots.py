"""The lot page: its timeline with lights, holds and history, and the actions each role takes.

The part the chronograph changes is polled by htmx (`lot_live`). Each action reaches the lot
through `access_lot` with its purpose: the owner decides, desk staff run, regulators read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from trading import forms as f
from trading import forms_endings as fe
from trading.domain.lifecycle import TERMINAL, Family, LotEvent, LotStatus
from trading.models import Hold, Lot, Objection, Organisation, User
from trading.models.tenders import LotStatusChoices, ObjectionStage
from trading.openings import lot_bids_counted_by_platform, lot_opened_bids
from trading.participants import lot_participants_named
from trading.selectors.access import Purpose, Role, access_lot, access_objection, project_role
from trading.selectors.complaints import complaint_documents_issued
from trading.selectors.documents import lot_document_downloads
from trading.selectors.jurisdiction import sealed_scope_open
from trading.selectors.next_steps import lot_next_step
from trading.selectors.tenders import lot_ledger_entries
from trading.selectors.timeline import lot_timeline
from trading.services.awards import award_confirm, contract_record, report_file
from trading.services.lot_state import lot_allowed_events
from trading.services.lots import lot_terminate
from trading.services.objections import objection_answer
from trading.services.outcomes import CandidateInput, lot_record_bid_count, lot_record_evaluation
from trading.templatetags.vocabulary import STATUS_WORDS, translated_terms
from trading.views.common import acting_user, form_refused, now
from trading.views.endings_context import lot_endings_forms, lot_history_context
from trading.views.ledger_words import MORE_LEDGER_ACTIONS, generic_action_label, ledger_fields
from trading.views.procedure_context import (
    PROCEDURE_LEDGER_ACTIONS,
    procedure_context,
    procedure_ledger_labels,
    procedure_schedule_words,
)

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
    "lot.evaluation_reported": gettext_lazy("登记评标结果"),
    "lot.publicity_started": gettext_lazy("公示发布，公示期开始"),
    "lot.publicity_ended": gettext_lazy("公示期满"),
    "lot.awarded": gettext_lazy("确定中标人"),
    "award.letter_issued": gettext_lazy("中标通知书发出"),
    "lot.contracted": gettext_lazy("合同已签订"),
    "lot.closed": gettext_lazy("结束"),
    "lot.terminated": gettext_lazy("终止"),
    "lot.suspended": gettext_lazy("暂停"),
    "lot.resumed": gettext_lazy("恢复"),
    "lot.deadline_moved": gettext_lazy("顺延截止时间"),
    "hold.placed": gettext_lazy("暂停事由登记"),
    "hold.lifted": gettext_lazy("暂停事由消除"),
    "objection.raised": gettext_lazy("提出异议"),
    "objection.answered": gettext_lazy("答复异议"),
    "contract.recorded": gettext_lazy("登记合同"),
    "report.filed": gettext_lazy("提交书面报告"),
    "lot.all_rejected": gettext_lazy("否决全部投标，流标"),
    "lot.reevaluate": gettext_lazy("重新评审：候选人公示作废"),
    "lot.next_candidate": gettext_lazy("中标人放弃中标，依次确定下一名中标候选人"),
    "lot.winner_declined": gettext_lazy("中标人放弃中标，重新招标"),
    "lot.negotiated": gettext_lazy("登记谈判（协商）记录：成交，结果公示"),
    "lot.no_agreement": gettext_lazy("登记谈判（协商）记录：未成交"),
    "lot.retendered": gettext_lazy("重新招标（挂牌）"),
    "lot.succeeds": gettext_lazy("作为流标标段的重新招标起草"),
    **PROCEDURE_LEDGER_ACTIONS,
    **MORE_LEDGER_ACTIONS,
}


def ledger_action_label(action: str, terms: dict[str, str] | None = None) -> str:
    """The reader's name of a ledger action, in the business type's words where it has them."""
    if terms is not None and action == "lot.awarded":
        return terms["award"]
    if terms is not None and action == "award.letter_issued":
        return _("%(letter)s发出") % {"letter": terms["letter"]}
    label = LEDGER_ACTIONS.get(action)
    return str(label) if label is not None else generic_action_label(action)


def _lot_live_context(lot: Lot, role: Role, moment: datetime, since: str = "") -> dict[str, Any]:
    state = _lot_state(lot)
    terms = translated_terms(lot.tender.project.business_type.code, lot.tender.procedure.code)
    ledger = list(lot_ledger_entries(lot).order_by("-seq")[:LEDGER_LIMIT])
    own_labels = procedure_ledger_labels(lot.tender)
    procedure = lot.tender.procedure
    # A status in its procedure's words (信息披露中, not 投标中, for a property).
    statuses = {
        **{code: str(label) for code, label in LotStatusChoices.choices},
        **{str(code): str(word) for code, word in STATUS_WORDS.get(procedure.family, {}).items()},
    }
    known = {
        "procedure": {procedure.code: procedure.display_name},
        "from": statuses,
        "to": statuses,
    }
    labels = {
        "candidate": terms["candidates"],
        "candidates": terms["candidates"],
        "winner": terms["winner"],
        "award_price": terms["price"],
        "award": terms["award"],
    }
    for entry in ledger:
        entry.label = own_labels.get(entry.action) or ledger_action_label(  # type: ignore[attr-defined]
            entry.action, terms
        )
        # Shanghai wall time and words for every field: the stored payload keeps codes and UTC.
        entry.fields = ledger_fields(entry.payload, known=known, labels=labels)  # type: ignore[attr-defined]
    return {
        "lot": lot,
        "tender": lot.tender,
        "role": role,
        "now": moment,
        "timeline": lot_timeline(lot, moment),
        "holds": Hold.objects.filter(lot=lot).order_by("-placed_at"),
        "active_holds": Hold.objects.filter(lot=lot, lifted_at__isnull=True).count(),
        "ledger": ledger,
        # The page's first state: the poll keeps it, so the notice of a change stays shown.
        "since": since or state,
        "changed": bool(since) and since != state,
        "state": state,
        "terminal": lot.status in TERMINAL,
        "negotiated": lot.tender.procedure.family == Family.NEGOTIATED,
        "next_step": lot_next_step(lot, lot.tender, role, moment),
        # Each business type's own words: 受让方 and 成交价 for a property transfer …
        "terms": terms,
        "schedule_words": procedure_schedule_words(lot.tender),
    }


def _lot_state(lot: Lot) -> str:
    return f"{lot.status}{'-suspended' if lot.suspended_at else ''}"


def _lot_for(request: HttpRequest, pk: int) -> tuple[Lot, Role]:
    user = acting_user(request)
    lot = access_lot(user, pk, purpose=Purpose.VIEW)
    return lot, project_role(user, lot.tender.project)


@require_GET
@login_required
def lot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lot, role = _lot_for(request, pk)
    return render(request, "trading/lot_detail.html", _lot_page_context(lot, role))


def _lot_page_context(lot: Lot, role: Role, **forms: Any) -> dict[str, Any]:
    moment = now()
    context = _lot_live_context(lot, role, moment)
    status = lot.status
    direct_award = not lot.tender.procedure.candidate_publicity
    context["direct_award"] = direct_award
    context.update(
        objections=lot.objections.order_by("raised_at"),
        candidates=lot.candidates.filter(superseded_at__isnull=True).order_by("rank"),
        award=getattr(lot, "award", None) if _has(lot, "award") else None,
        contract=getattr(lot, "contract", None) if _has(lot, "contract") else None,
        documents=lot.tender.documents.filter(Q(lot=lot) | Q(lot__isnull=True)).order_by(
            "-version"
        ),
        # None while who downloaded is secret (法 第22条): the page then says nothing at all.
        downloads=lot_document_downloads(lot, role=role),
        # Bidding's enrolment list, linked once the sealed scope opens (法 第22条).
        # The opening room of a sealed-bid lot (bidding's page: the host's side, the desk, the
        # regulator watching; the center's administrator has no seat in it).
        opening_room=lot.tender.procedure.sealed_bids
        and status != LotStatus.DRAFT
        and role in (Role.OWNER, Role.STAFF, Role.REGULATOR),
        roster_readable=role in (Role.OWNER, Role.STAFF)
        and sealed_scope_open(lot, list(lot.tender.lots.select_related("tender__procedure"))),
    )
    if role in (Role.OWNER, Role.STAFF, Role.REGULATOR):
        # The parties, the desk and the regulator read the regulator's documents (the notices
        # app serves them by URL name); the center's administrator reads the lot, not them.
        context["complaints"] = [
            (complaint, complaint_documents_issued(complaint))
            for complaint in lot.complaints.select_related("complainant").order_by("filed_at")
        ]
    context.update(lot_history_context(lot))
    context.update(lot_endings_forms(lot, role, forms))
    if role == Role.OWNER:
        context["answer_forms"] = {
            objection.pk: forms.get(f"answer_{objection.pk}") or _answer_form(objection)()
            for objection in lot.objections.filter(answered_at__isnull=True)
        }
        if status == LotStatus.PUBLICITY and not context["award"]:
            context["award_form"] = forms.get("award") or f.AwardForm(lot=lot)
            context["award_open"] = (
                lot.publicity_ends_at is not None
                and lot.publicity_ends_at <= moment
                and context["active_holds"] == 0
            )
        if direct_award and status == LotStatus.EVALUATION and lot.evaluation_reported_at:
            # 政府采购法实施条例 第43条: the purchaser decides from the report, no publicity.
            context["award_form"] = forms.get("award") or f.AwardForm(lot=lot)
            context["award_open"] = context["active_holds"] == 0
        if status == LotStatus.AWARDED and not context["contract"]:
            context["contract_form"] = forms.get("contract") or f.ContractForm()
        if (
            status == LotStatus.CONTRACTED
            and context["contract"]
            and not context["contract"].report_id
        ):
            context["report_form"] = forms.get("report") or f.ReportForm()
    if role == Role.STAFF and lot.suspended_at is None:
        # A lot whose bids the platform took sealed is counted by its opening, not typed in
        # (a refused count is still shown with its reason).
        if status == LotStatus.OPENING and (
            "bid_count" in forms or not lot_bids_counted_by_platform(lot)
        ):
            context["bid_count_form"] = forms.get("bid_count") or f.BidCountForm()
        if status == LotStatus.EVALUATION and lot.evaluation_reported_at is None:
            context["evaluation_form"] = forms.get("evaluation") or f.EvaluationForm(
                bidders=_bidders(lot), initial=_evaluation_initial(lot)
            )
    if "terminate" in forms:
        # A refused termination is shown with its reason, even where the form is no longer offered.
        context["terminate_form"] = forms["terminate"]
    elif role == Role.OWNER and LotEvent.TERMINATE in lot_allowed_events(lot, lot.tender):
        # 实施条例 第31条: the owner terminates, before the award, and says why.
        context["terminate_form"] = f.ReasonForm(label=_("终止理由"))
    context.update(procedure_context(lot, role, forms))
    if "award_form" in context:
        context["award_form"].fields["candidate"].label = context["terms"]["winner"]
    return context


def _answer_form(objection: Objection) -> type[f.ConsoleForm]:
    # An objection to the result may be upheld, which sends the lot back to evaluation (第54条).
    if objection.stage == ObjectionStage.RESULT:
        return fe.ObjectionUpholdForm
    return f.ObjectionAnswerForm


def _has(lot: Lot, relation: str) -> bool:
    try:
        getattr(lot, relation)
    except ObjectDoesNotExist:
        return False
    return True


def _bidders(lot: Lot) -> QuerySet[Organisation]:
    # Candidates are named among the lot's enrolled bidders; the service checks again. After
    # the platform's opening, among the bids it opened (招标投标法 第40条: the committee
    # evaluates the bids received and opened).
    opened = [bid.organisation_id for bid in lot_opened_bids(lot)]
    if opened:
        return lot_participants_named(lot).filter(pk__in=opened)
    return lot_participants_named(lot)


def _evaluation_initial(lot: Lot) -> dict[str, Any]:
    """The form starts from the opening record: the opened bids by price, lowest first (the
    committee ranks them; staff change what it decided)."""
    opened = sorted(
        (bid for bid in lot_opened_bids(lot) if bid.price is not None),
        key=lambda bid: (bid.price, bid.bidder_number),
    )
    initial: dict[str, Any] = {}
    for rank, bid in zip(f.EvaluationForm.RANKS, opened, strict=False):
        initial[f"organisation_{rank}"] = bid.organisation_id
        initial[f"price_{rank}"] = bid.price
        initial[f"manager_{rank}"] = bid.project_manager
    return initial


@require_GET
@login_required
def lot_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The part of the lot page the chronograph changes, for the page's htmx poll."""
    lot, role = _lot_for(request, pk)
    context = _lot_live_context(lot, role, now(), since=request.GET.get("since", ""))
    return render(request, "trading/includes/lot_live.html", context)


def _lot_action(
    request: HttpRequest,
    pk: int,
    *,
    purpose: Purpose,
    form_class: Callable[..., f.ConsoleForm],
    form_key: str,
    call: Callable[[Lot, User, dict[str, Any]], Any],
    success: str,
    form_kwargs: Callable[[Lot], dict[str, Any]] | None = None,
    field_map: dict[str, str] | None = None,
) -> HttpResponse:
    user = acting_user(request)
    lot = access_lot(user, pk, purpose=purpose)
    kwargs = form_kwargs(lot) if form_kwargs else {}
    form = form_class(request.POST, request.FILES or None, now=now(), **kwargs)
    if form.is_valid():
        try:
            call(lot, user, form.cleaned_data)
        except (ValidationError, PermissionDenied) as refused:
            form_refused(form, refused, field_map)
        else:
            messages.success(request, success)
            return redirect("lot_detail", lot.pk)
    lot.refresh_from_db()
    role = project_role(user, lot.tender.project)
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
        purpose=Purpose.OPERATE,
        form_class=f.BidCountForm,
        form_key="bid_count",
        call=lambda lot, user, data: lot_record_bid_count(lot=lot, count=data["count"], actor=user),
        success=_("已登记有效投标数。"),
    )


def _candidate_inputs(rows: list[dict[str, Any]]) -> list[CandidateInput]:
    # The service ranks candidates in the order given.
    ordered = sorted(rows, key=lambda row: row["rank"])
    return [
        CandidateInput(
            organisation=row["organisation"],
            price=row["price"],
            score=row.get("score"),
            project_manager=row.get("project_manager", ""),
            manager_certificate=row.get("manager_certificate", ""),
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
                "project_manager": data.get(f"manager_{rank}") or "",
                "manager_certificate": data.get(f"certificate_{rank}") or "",
            }
            for rank in f.EvaluationForm.RANKS
            if data.get(f"organisation_{rank}") is not None
        ]
        lot_record_evaluation(
            lot=lot,
            candidates=_candidate_inputs(form_rows),
            report_file=data["report_file"],
            committee=str(data.get("committee") or "").splitlines(),
            actor=user,
        )

    return _lot_action(
        request,
        pk,
        purpose=Purpose.OPERATE,
        form_class=f.EvaluationForm,
        form_key="evaluation",
        form_kwargs=lambda lot: {"bidders": _bidders(lot)},
        call=call,
        success=_("已登记评标结果，中标候选人进入公示。"),
    )


@require_POST
@login_required
def lot_terminate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose=Purpose.EDIT,
        form_class=f.ReasonForm,
        form_key="terminate",
        form_kwargs=lambda lot: {"label": _("终止理由")},
        call=lambda lot, user, data: lot_terminate(lot=lot, reason=data["reason"], actor=user),
        success=_("已终止该标段。"),
    )


@require_POST
@login_required
def award_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose=Purpose.EDIT,
        form_class=f.AwardForm,
        form_key="award",
        form_kwargs=lambda lot: {"lot": lot},
        call=lambda lot, user, data: award_confirm(
            lot=lot, candidate=data["candidate"], reason=data.get("reason", ""), actor=user
        ),
        success=_("已确定中标人；中标通知书经交易中心审核发布后即为发出。"),
    )


@require_POST
@login_required
def contract_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose=Purpose.EDIT,
        form_class=f.ContractForm,
        form_key="contract",
        call=lambda lot, user, data: contract_record(
            lot=lot,
            signed_on=data["signed_on"],
            amount=data["amount"],
            file=data["file"],
            deviation_reason=data.get("deviation_reason", ""),
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
        purpose=Purpose.EDIT,
        form_class=f.ReportForm,
        form_key="report",
        call=lambda lot, user, data: report_file(lot=lot, file=data["file"], actor=user),
        success=_("书面报告已提交。"),
    )


@require_POST
@login_required
def objection_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    objection = access_objection(user, pk, purpose=Purpose.EDIT)
    lot = objection.lot
    form = _answer_form(objection)(request.POST, now=now())
    if form.is_valid():
        try:
            objection_answer(
                objection=objection,
                answer=form.cleaned_data["answer"],
                upheld=bool(form.cleaned_data.get("upheld")),
                actor=user,
            )
        except (ValidationError, PermissionDenied) as refused:
            form_refused(form, refused)
        else:
            messages.success(request, _("异议已答复。"))
            return redirect("lot_detail", lot.pk)
    role = project_role(user, lot.tender.project)
    return render(
        request,
        "trading/lot_detail.html",
        _lot_page_context(lot, role, **{f"answer_{objection.pk}": form}),
        status=400,
    )
