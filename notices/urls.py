"""The public portal."""

from __future__ import annotations

from django.urls import path

from notices import views

urlpatterns = [
    path("", views.home, name="home"),
]
