"""The regulators' console."""

from __future__ import annotations

from django.urls import path

from supervision import views

urlpatterns = [
    path("supervision/", views.console, name="supervision_console"),
    path("supervision/export.csv", views.console_export, name="supervision_export"),
    path("supervision/tenders/<int:tender_id>/", views.tender, name="supervision_tender"),
]
