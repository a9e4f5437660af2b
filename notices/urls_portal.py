"""The public portal's pages (no login)."""

from __future__ import annotations

from django.urls import path

from notices import views_portal, views_rules

urlpatterns = [
    path("notices/", views_portal.notice_list, name="portal_notices"),
    path("notices/<int:pk>/", views_portal.notice_detail, name="portal_notice_detail"),
    path("results/", views_portal.result_list, name="portal_results"),
    path("tenders/open/", views_portal.open_tenders, name="portal_open_tenders"),
    path("rules/", views_rules.rule_list, name="portal_rules"),
]
