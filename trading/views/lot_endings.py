"""The lot page's actions for the ways a lot ends, each as the role the law gives it to.

Desk staff record what the committee or the negotiation produced (every bid rejected, the
negotiation record); the owner records a winner's refusal and tenders a failed lot again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trading import forms_endings as fe
from trading.models import Lot, User
from trading.selectors.access import Purpose
from trading.services.endings import award_decline, lot_reject_all
from trading.services.negotiations import lot_record_negotiation
from trading.services.retender import lot_retender
from trading.views.endings_context import lot_bidders, retender_procedures
from trading.views.lots import _lot_action


@require_POST
@login_required
def lot_reject_all_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose=Purpose.OPERATE,
        form_class=fe.RejectAllForm,
        form_key="reject_all",
        call=lambda lot, user, data: lot_reject_all(
            lot=lot, reason=data["reason"], report_file=data["report_file"], actor=user
        ),
        success=_("已登记否决全部投标，本标段流标。"),
    )


@require_POST
@login_required
def lot_negotiation_view(request: HttpRequest, pk: int) -> HttpResponse:
    def call(lot: Lot, user: User, data: dict[str, Any]) -> None:
        lot_record_negotiation(
            lot=lot,
            parties=list(data["parties"]),
            agreed=bool(data.get("agreed")),
            winner=data.get("winner"),
            price=data.get("price"),
            minutes=data["minutes"],
            actor=user,
        )

    return _lot_action(
        request,
        pk,
        purpose=Purpose.OPERATE,
        form_class=fe.NegotiationForm,
        form_key="negotiation",
        form_kwargs=lambda lot: {"bidders": lot_bidders(lot)},
        call=call,
        success=_("已登记谈判（协商）记录。"),
    )


@require_POST
@login_required
def award_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose=Purpose.EDIT,
        form_class=fe.DeclineForm,
        form_key="decline",
        call=lambda lot, user, data: award_decline(
            lot=lot,
            reason=data["reason"],
            then=data["then"],
            forfeit_deposit=bool(data.get("forfeit_deposit")),
            actor=user,
        ),
        success=_("已登记中标人放弃中标。"),
    )


@require_POST
@login_required
def lot_retender_view(request: HttpRequest, pk: int) -> HttpResponse:
    successor: dict[str, Lot] = {}

    def call(lot: Lot, user: User, data: dict[str, Any]) -> None:
        successor["lot"] = lot_retender(
            lot=lot,
            procedure=data["procedure"],
            approval=data.get("approval", ""),
            approval_number=data.get("approval_number", ""),
            documents_issued_at=data["documents_issued_at"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            applications_close_at=data.get("applications_close_at"),
            actor=user,
        )

    response = _lot_action(
        request,
        pk,
        purpose=Purpose.EDIT,
        form_class=fe.RetenderForm,
        form_key="retender",
        form_kwargs=lambda lot: {"procedures": retender_procedures(lot)},
        call=call,
        success=_("已起草重新招标的招标项目，请补充招标文件后提交审核。"),
    )
    if "lot" in successor:
        # The owner continues on the new draft: documents, then submission for review.
        return redirect("tender_detail", successor["lot"].tender_id)
    return response
