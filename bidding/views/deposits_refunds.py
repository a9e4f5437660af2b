"""A bidder's deposit on one enrolment, on one page: the sub-account and how to pay (or the
guarantee route), its state, what arrived, the refund and its dates, a forfeiture, 定金."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bidding.adapters.bank import bank_is_local
from bidding.models import RefundDue
from bidding.models.guarantees import GuaranteeKindChoice
from bidding.selectors.deposit_access import access_enrolment_deposit
from bidding.selectors.deposits import deposit_status
from bidding.selectors.refunds import enrolment_deposit_get
from bidding.services.deposits import deposit_account_open
from bidding.services.guarantees import guarantee_apply, guarantee_register
from trading.clock import get_clock
from trading.models.tenders import DepositForm
from trading.views.common import acting_user, message_refusal, run_service


@require_GET
@login_required
def enrolment_deposit(request: HttpRequest, pk: int) -> HttpResponse:
    """The deposit of one enrolment, as its bidder sees it (withdrawn too: its refund)."""
    enrolment = access_enrolment_deposit(acting_user(request), pk, withdrawn_ok=True)
    now = get_clock()()
    view = enrolment_deposit_get(enrolment)
    cash = enrolment.lot.tender.deposit_form in (DepositForm.CASH, DepositForm.EITHER)
    account = getattr(enrolment, "deposit_account", None)
    if account is None and cash and enrolment.withdrawn_at is None and view.forfeiture is None:
        # The sub-account is opened when the bidder first needs its number (一标一户).
        account = deposit_account_open(enrolment=enrolment, now=now)
    return render(
        request,
        "bidding/enrolment_deposit.html",
        {
            "enrolment": enrolment,
            "lot": enrolment.lot,
            "deposit": view,
            "kinds": GuaranteeKindChoice.choices,
            "status": deposit_status(enrolment, now),
            "cash": cash,
            "account": account,
            "transfers": account.transfers.order_by("received_at", "pk") if account else [],
            "payments": account.refunds.order_by("decided_at", "pk") if account else [],
            "demo_bank": bank_is_local() and account is not None and enrolment.withdrawn_at is None,
            # An invalid payment is returned at the next tick (实施条例 第26条): said so until then.
            "invalid_returning": RefundDue.objects.filter(
                enrolment=enrolment, transfer__isnull=False, paid_at__isnull=True
            ).exists(),
        },
    )


@require_POST
@login_required
def enrolment_guarantee_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply to the issuer for a guarantee instead of cash (实施条例 第26条)."""
    user = acting_user(request)
    enrolment = access_enrolment_deposit(user, pk, withdrawn_ok=True)
    run_service(
        request,
        lambda: guarantee_apply(enrolment=enrolment, kind=request.POST.get("kind", ""), actor=user),
        _("保函已申请，平台已核验其金额、有效期和受益人。"),
    )
    return redirect("enrolment_deposit", pk=pk)


@require_POST
@login_required
def enrolment_guarantee_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a guarantee already issued, by its number; refused with the reasons."""
    user = acting_user(request)
    enrolment = access_enrolment_deposit(user, pk, withdrawn_ok=True)
    try:
        guarantee = guarantee_register(
            enrolment=enrolment,
            kind=request.POST.get("kind", ""),
            number=request.POST.get("number", ""),
            actor=user,
        )
    except (ValidationError, PermissionDenied) as refused:
        message_refusal(request, refused)
        return redirect("enrolment_deposit", pk=pk)
    if guarantee.state == "refused":
        messages.error(
            request, _("保函未通过平台核验：%(reason)s") % {"reason": guarantee.refused_reason}
        )
    else:
        messages.success(request, _("保函已登记并通过平台核验。"))
    return redirect("enrolment_deposit", pk=pk)
