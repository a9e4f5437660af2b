"""The demo bank's transfer, the bank's webhook, and the center's reconciliation differences (the
bidder's deposit page is bidding.views.deposits_refunds.enrolment_deposit)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bidding.adapters.bank import (
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    LocalBank,
    bank_get,
    webhook_key,
)
from bidding.domain.bank_messages import NotificationRefused, check_signature, parse_credit
from bidding.models import OrganisationProfile
from bidding.selectors.deposit_access import access_enrolment_deposit
from bidding.selectors.deposits import discrepancy_list
from bidding.services.demo_deposits import deposit_demo_pay
from bidding.services.deposits import deposit_account_open, deposit_notification_receive
from trading.clock import get_clock
from trading.models import Lot
from trading.selectors.access import access_desk_oversight
from trading.selectors.grants import desk_list_operated_by
from trading.selectors.jurisdiction import sealed_scope_open

MAX_BODY = 8192

# What the bank is told, per refusal: a status and a sentence for its operators.
REFUSALS = {
    "bad_signature": 403,
    "bad_nonce": 403,
    "bad_timestamp": 403,
    "stale": 403,
    "replay": 409,
    "transfer_conflict": 409,
}


def _refusal_text(code: str) -> str:
    texts = {
        "bad_signature": _("签名无效。"),
        "bad_nonce": _("签名无效。"),
        "bad_timestamp": _("签名无效。"),
        "stale": _("通知时间超出允许范围。"),
        "replay": _("该通知已处理过（重放）。"),
        "transfer_conflict": _("该流水号已以不同的账号或金额入账。"),
        "unknown_account": _("没有该保证金子账号。"),
        "bad_amount": _("金额须为正数，最多两位小数。"),
    }
    return texts.get(code, _("通知格式不正确。"))


@csrf_exempt
@require_POST
def bank_notification(request: HttpRequest) -> HttpResponse:
    """The bank's credit notifications: no session; the signature is the credential."""
    body = request.body
    try:
        if len(body) > MAX_BODY:
            raise NotificationRefused("bad_body")
        check_signature(
            webhook_key(),
            timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
            nonce=request.headers.get(NONCE_HEADER, ""),
            body=body,
            given=request.headers.get(SIGNATURE_HEADER, ""),
            now=get_clock()().timestamp(),
        )
        notice = parse_credit(body)
        result = deposit_notification_receive(
            notice=notice, nonce=request.headers.get(NONCE_HEADER, "")
        )
    except NotificationRefused as refusal:
        return JsonResponse(
            {"result": "refused", "error": refusal.code, "message": _refusal_text(refusal.code)},
            status=REFUSALS.get(refusal.code, 400),
        )
    return JsonResponse(
        {
            "result": "credited" if result.credited else "duplicate",
            "transfer_id": result.transfer.transfer_id,
        }
    )


@require_http_methods(["GET", "POST"])
@login_required
def deposit_demo_transfer(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """The demo bank's counter: pay the deposit from an account of the bidder's choosing."""
    enrolment = access_enrolment_deposit(request.user, enrolment_id)  # type: ignore[arg-type]
    bank = bank_get()
    if not isinstance(bank, LocalBank):
        raise Http404(_("演示银行未启用。"))
    now = get_clock()()
    account = deposit_account_open(enrolment=enrolment, now=now)
    profile = OrganisationProfile.objects.filter(organisation_id=enrolment.lead_id).first()
    basic = profile.basic_account_number if profile else ""
    values = {
        "payer_account": request.POST.get("payer_account", basic).strip(),
        "amount": request.POST.get("amount", f"{enrolment.lot.deposit_amount:.2f}").strip(),
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            delivery = deposit_demo_pay(
                enrolment=enrolment,
                account=account,
                payer_account=values["payer_account"],
                amount=values["amount"],
                bank=bank,
            )
        except ValidationError as error:
            errors = {field: " ".join(texts) for field, texts in error.message_dict.items()}
        else:
            if delivery.status == 200:
                messages.success(request, _("演示银行已转账，到账通知已送达平台。"))
            else:
                messages.error(request, _("演示银行已转账，但平台拒收了到账通知。"))
            return redirect("enrolment_deposit", pk=enrolment.pk)
    context = {
        "enrolment": enrolment,
        "lot": enrolment.lot,
        "account": account,
        "basic_account": basic,
        "values": values,
        "errors": errors,
    }
    return render(
        request,
        "bidding/deposit_demo_transfer.html",
        context,
        status=400 if errors else 200,
    )


@require_GET
@login_required
def deposit_discrepancies(request: HttpRequest) -> HttpResponse:
    """The reconciliation's differences on the staff's desks; bidder numbers only before the
    opening (招标投标法 第22条)."""
    read_only_all = access_desk_oversight(request.user)  # type: ignore[arg-type]
    lots = Lot.objects.all()
    if not read_only_all:
        lots = lots.filter(tender__desk__in=desk_list_operated_by(request.user))  # type: ignore[arg-type]
    rows = []
    for discrepancy in discrepancy_list(lot_ids=lots)[:200]:
        enrolment = discrepancy.account.enrolment
        lot = enrolment.lot
        opened = sealed_scope_open(lot, list(lot.tender.lots.select_related("tender__procedure")))
        rows.append(
            {
                "discrepancy": discrepancy,
                "lot": lot,
                "bidder_number": enrolment.bidder_number,
                "bidder_name": enrolment.lead.name if opened else "",
            }
        )
    return render(request, "bidding/deposit_discrepancies.html", {"rows": rows})
