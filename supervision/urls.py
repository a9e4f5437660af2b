"""The regulators' console."""

from __future__ import annotations

from django.urls import path

from supervision import views, views_complaints

urlpatterns = [
    path("supervision/", views.console, name="supervision_console"),
    path(
        "supervision/complaints/",
        views_complaints.complaints,
        name="supervision_complaints",
    ),
    path(
        "supervision/complaints/<int:pk>/",
        views_complaints.complaint_detail,
        name="supervision_complaint",
    ),
    path(
        "supervision/complaints/<int:pk>/<slug:action>/",
        views_complaints.complaint_act,
        name="supervision_complaint_act",
    ),
]
