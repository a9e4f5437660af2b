"""Bidders' pages of bidding."""

from __future__ import annotations

from django.urls import path

from bidding.views import enrolment

urlpatterns = [
    # --- enrolment (bdenrol): 报名, withdrawal, the bidder's enrolments ---
    path("lots/<int:pk>/enrolment/", enrolment.enrolment_lot_view, name="enrolment_lot"),
    path(
        "lots/<int:pk>/enrolment/withdraw/",
        enrolment.enrolment_withdraw_view,
        name="enrolment_withdraw",
    ),
    path(
        "lots/<int:pk>/enrolment/agreement/",
        enrolment.enrolment_agreement_view,
        name="enrolment_agreement",
    ),
    path("workspace/enrolments/", enrolment.enrolment_list_view, name="enrolment_list"),
]
