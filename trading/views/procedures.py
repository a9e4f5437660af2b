"""The lot page's actions at a procedure's own close (see `trading.views.procedure_context`).

Desk staff record what a close produced (Purpose.OPERATE); the transferor of a property
disclosure decides what follows when none qualified (Purpose.EDIT, 32号令 第18条).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trading import forms as f
from trading import forms_procedures as fp
from trading.selectors.access import Purpose
from trading.services.outcomes import lot_record_auction_result
from trading.services.procedures import (
    lot_end_disclosure,
    lot_extend_disclosure,
    lot_record_listing_close,
    lot_record_prequalification,
    lot_record_transferees,
    lot_redisclose,
)
from trading.views.lots import _lot_action
from trading.views.procedure_context import lot_bidders


@require_POST
@login_required
def lot_listing_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose=Purpose.OPERATE,
        form_class=fp.ListingCloseForm,
        form_key="listing_close_form",
        form_kwargs=lambda lot: {"bidders": lot_bidders(lot)},
        call=lambda lot, user, data: lot_record_listing_close(
            lot=lot,
            bidders=data["bidders"],
            reaches_reserve=data["reaches_reserve"],
            winner=data.get("winner"),
            price=data.get("price"),
            actor=user,
        ),
        success=_("已登记挂牌期满结果。"),
    )


@require_POST
@login_required
def lot_transferees_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose=Purpose.OPERATE,
        form_class=fp.CountForm,
        form_key="transferees_form",
        form_kwargs=lambda lot: {"label": _("合格意向受让方人数")},
        call=lambda lot, user, data: lot_record_transferees(
            lot=lot, count=data["count"], actor=user
        ),
        success=_("已登记合格意向受让方人数。"),
    )


@require_POST
@login_required
def lot_deal_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose=Purpose.OPERATE,
        form_class=fp.DealForm,
        form_key="deal_form",
        form_kwargs=lambda lot: {"bidders": lot_bidders(lot)},
        call=lambda lot, user, data: lot_record_auction_result(
            lot=lot,
            sold=data["sold"],
            winner=data.get("winner") if data["sold"] else None,
            price=data.get("price") if data["sold"] else None,
            actor=user,
        ),
        success=_("已登记成交结果。"),
    )


@require_POST
@login_required
def lot_prequalification_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose=Purpose.OPERATE,
        form_class=fp.CountForm,
        form_key="prequal_form",
        form_kwargs=lambda lot: {"label": _("资格预审合格申请人数")},
        call=lambda lot, user, data: lot_record_prequalification(
            lot=lot, count=data["count"], actor=user
        ),
        success=_("已登记资格审查结果。"),
    )


@require_POST
@login_required
def lot_extend_disclosure_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose=Purpose.EDIT,
        form_class=fp.ExtendDisclosureForm,
        form_key="extend_form",
        call=lambda lot, user, data: lot_extend_disclosure(
            lot=lot, closes_at=data["closes_at"], actor=user
        ),
        success=_("信息披露期已延长。"),
    )


@require_POST
@login_required
def lot_redisclose_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose=Purpose.EDIT,
        form_class=fp.RedisclosureForm,
        form_key="redisclose_form",
        call=lambda lot, user, data: lot_redisclose(
            lot=lot,
            closes_at=data["closes_at"],
            price=data["price"],
            valuation=data.get("valuation"),
            approval_reference=data.get("approval_reference", ""),
            actor=user,
        ),
        success=_("已按新的转让底价重新披露。"),
    )


@require_POST
@login_required
def lot_end_disclosure_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _lot_action(
        request,
        pk,
        purpose=Purpose.EDIT,
        form_class=f.ReasonForm,
        form_key="end_disclosure_form",
        form_kwargs=lambda lot: {"label": _("终结理由")},
        call=lambda lot, user, data: lot_end_disclosure(lot=lot, reason=data["reason"], actor=user),
        success=_("信息披露已终结。"),
    )
