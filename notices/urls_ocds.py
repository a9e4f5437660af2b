"""Open data (OCDS 1.1.5) at stable URLs."""

from __future__ import annotations

from django.urls import path

from notices import views_ocds

urlpatterns = [
    path(
        "ocds/tenders/<str:code>/release-package.json",
        views_ocds.tender_release_package,
        name="ocds_release_package",
    ),
]
