"""A complaint's documents: the parties' downloads and the portal's published decisions."""

from __future__ import annotations

from django.urls import path

from notices import views_complaints

urlpatterns = [
    path(
        "complaints/<int:pk>/documents/<slug:kind>/",
        views_complaints.complaint_document,
        name="complaint_document",
    ),
    path(
        "complaint-decisions/",
        views_complaints.complaint_decisions,
        name="portal_complaint_decisions",
    ),
    path(
        "complaint-decisions/<int:pk>/pdf",
        views_complaints.complaint_decision_pdf,
        name="portal_complaint_decision_pdf",
    ),
]
