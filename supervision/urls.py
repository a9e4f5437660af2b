"""The regulators' console."""

from __future__ import annotations

from django.urls import path

from supervision import views

urlpatterns = [
    path("supervision/", views.console, name="supervision_console"),
]
