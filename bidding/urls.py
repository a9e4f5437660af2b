from __future__ import annotations

from django.urls import path

from bidding.views import deposits_refunds

urlpatterns = [
    # bdrefunds: a bidder's deposit on its enrolment — guarantees, refund, forfeiture.
    path(
        "bidding/enrolments/<int:pk>/deposit/",
        deposits_refunds.enrolment_deposit,
        name="enrolment_deposit",
    ),
    path(
        "bidding/enrolments/<int:pk>/deposit/guarantee/apply/",
        deposits_refunds.enrolment_guarantee_apply,
        name="enrolment_guarantee_apply",
    ),
    path(
        "bidding/enrolments/<int:pk>/deposit/guarantee/register/",
        deposits_refunds.enrolment_guarantee_register,
        name="enrolment_guarantee_register",
    ),
]
