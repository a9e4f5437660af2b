"""bidding's pages."""

from __future__ import annotations

from django.urls import path

from bidding.views import deposits

urlpatterns = [
    # bdmoney: deposits, the bank's webhook, the demo bank, the reconciliation's differences.
    path("bank/notifications/", deposits.bank_notification, name="bank_notification"),
    path("bidding/deposits/<int:enrolment_id>/", deposits.deposit_detail, name="deposit_detail"),
    path(
        "bidding/deposits/<int:enrolment_id>/demo-transfer/",
        deposits.deposit_demo_transfer,
        name="deposit_demo_transfer",
    ),
    path(
        "staff/deposits/discrepancies/",
        deposits.deposit_discrepancies,
        name="deposit_discrepancies",
    ),
]
