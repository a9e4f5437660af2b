"""A regulator's interventions on one lot of its jurisdiction: suspend, lift, terminate, redo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from bidding.domain.collusion import Signal, SignalKind
from bidding.selectors.collusion import lot_collusion_signals_list, lot_read_out
from bidding.selectors.deposits import deposit_shared_payers
from trading.models import Hold, Lot, User
from trading.selectors.access import access_lot_for_supervision, access_tender_for_supervision
from trading.selectors.timeline import lot_timeline
from trading.services.interventions import (
    intervention_hold_lift,
    intervention_hold_place,
    intervention_reevaluate_order,
    intervention_terminate_order,
)
from trading.views.common import acting_user, now


class InterventionForm(forms.Form):
    # Not required here: the service refuses a blank reason with its own words.
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


SIGNAL_WORDS = {
    SignalKind.IDENTICAL_DOCUMENT: gettext_lazy("投标文件完全相同（SHA-256 一致）"),
    SignalKind.SAME_AUTHOR: gettext_lazy("投标文件（PDF）作者相同"),
    SignalKind.SAME_PROJECT_MANAGER: gettext_lazy("载明的项目经理为同一人"),
    SignalKind.SAME_IP: gettext_lazy("从同一 IP 地址递交投标文件"),
    SignalKind.SAME_DEVICE: gettext_lazy("从同一 IP 地址、同一浏览器递交投标文件"),
    SignalKind.PRICE_PATTERN: gettext_lazy("投标报价呈规律性差异（等差）"),
}
# The items of 招标投标法实施条例 第四十条 the signals point at.
ARTICLE_WORDS = {
    1: gettext_lazy("招标投标法实施条例第四十条第（一）项"),
    2: gettext_lazy("招标投标法实施条例第四十条第（二）项"),
    3: gettext_lazy("招标投标法实施条例第四十条第（三）项"),
    4: gettext_lazy("招标投标法实施条例第四十条第（四）项"),
}


def _signal_rows(signals: list[Signal]) -> list[dict[str, Any]]:
    return [
        {
            "kind": signal.kind.value,
            "words": SIGNAL_WORDS[signal.kind],
            "value": signal.value,
            "bidders": signal.bidders,
            "article": ARTICLE_WORDS[signal.item],
        }
        for signal in signals
    ]


def _page(
    request: HttpRequest, lot: Lot, user: User, *, status: int = 200, **forms_: Any
) -> HttpResponse:
    holds = list(lot.holds.filter(lifted_at__isnull=True).select_related("placed_by__organisation"))
    return render(
        request,
        "supervision/lot_interventions.html",
        {
            "lot": lot,
            "tender": lot.tender,
            # Every statutory date, each complaint's limits with their working days among them.
            "timeline": lot_timeline(lot, now()),
            "holds": [
                (
                    hold,
                    hold.reason == "intervention"
                    and hold.placed_by.organisation_id == user.organisation_id,
                )
                for hold in holds
            ],
            "hold_form": forms_.get("hold", InterventionForm(prefix="hold")),
            # A refused lift is told above the holds: its hold may be gone from the list.
            "lift_errors": forms_["lift"].non_field_errors() if "lift" in forms_ else [],
            "lift_form": InterventionForm(prefix="lift"),
            "terminate_form": forms_.get("terminate", InterventionForm(prefix="terminate")),
            "reevaluate_form": forms_.get("reevaluate", InterventionForm(prefix="reevaluate")),
            # 实施条例 第40条: empty until the opening (招标投标法 第22条).
            "deposit_signals": deposit_shared_payers(lot),
            # 围标串标预警: nothing until the bids are read out (招标投标法 第22条).
            "read_out": lot_read_out(lot),
            "collusion_signals": _signal_rows(lot_collusion_signals_list(lot)),
        },
        status=status,
    )


@require_GET
@login_required
def lot_interventions(request: HttpRequest, lot_id: int) -> HttpResponse:
    user = acting_user(request)
    return _page(request, access_lot_for_supervision(user, lot_id), user)


def _act(
    request: HttpRequest,
    lot_id: int,
    key: str,
    call: Callable[[Lot, User, str], Any],
    success: str,
) -> HttpResponse:
    user = acting_user(request)
    lot = access_lot_for_supervision(user, lot_id)
    form = InterventionForm(request.POST, prefix=key)
    if form.is_valid():
        try:
            call(lot, user, form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as refused:
            for message in getattr(refused, "messages", [str(refused)]):
                form.add_error(None, message)
        else:
            messages.success(request, success)
            return redirect("supervision_lot", lot.pk)
    lot.refresh_from_db()
    return _page(request, lot, user, status=400, **{key: form})


@require_POST
@login_required
def lot_hold(request: HttpRequest, lot_id: int) -> HttpResponse:
    return _act(
        request,
        lot_id,
        "hold",
        lambda lot, user, reason: intervention_hold_place(target=lot, reason=reason, actor=user),
        _("已暂停该标段。"),
    )


@require_POST
@login_required
def hold_lift(request: HttpRequest, hold_id: int) -> HttpResponse:
    hold = Hold.objects.select_related("placed_by").filter(pk=hold_id).first()
    if hold is None:
        raise Http404(_("没有找到该暂停。"))
    return _act(
        request,
        hold.lot_id,
        "lift",
        lambda lot, user, reason: intervention_hold_lift(hold=hold, reason=reason, actor=user),
        _("已解除本部门的暂停。"),
    )


@require_POST
@login_required
def lot_terminate(request: HttpRequest, lot_id: int) -> HttpResponse:
    return _act(
        request,
        lot_id,
        "terminate",
        lambda lot, user, reason: intervention_terminate_order(lot=lot, reason=reason, actor=user),
        _("已责令终止该标段，终止公告草稿已生成。"),
    )


@require_POST
@login_required
def lot_reevaluate(request: HttpRequest, lot_id: int) -> HttpResponse:
    return _act(
        request,
        lot_id,
        "reevaluate",
        lambda lot, user, reason: intervention_reevaluate_order(lot=lot, reason=reason, actor=user),
        _("已责令重新评审。"),
    )


@require_POST
@login_required
def tender_hold(request: HttpRequest, tender_id: int) -> HttpResponse:
    """Suspend every running lot of a tender; the answer comes back on the tender's page."""
    user = acting_user(request)
    tender = access_tender_for_supervision(user, tender_id)
    form = InterventionForm(request.POST, prefix="hold")
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_text())
        intervention_hold_place(target=tender, reason=form.cleaned_data["reason"], actor=user)
    except ValidationError as refused:
        for message in refused.messages:
            messages.error(request, message)
        return redirect("tender_detail", tender.pk)
    messages.success(request, _("已暂停该招标项目正在进行的标段。"))
    return redirect("tender_detail", tender.pk)
