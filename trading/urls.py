"""Signed-in pages of trading: the workspace, desks, the verification queue and the inbox."""

from __future__ import annotations

from django.urls import path

from trading import views

urlpatterns = [
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/desks/", views.desk_list, name="desk_list"),
    path("workspace/organisations/", views.organisation_queue, name="organisation_queue"),
    path(
        "workspace/organisations/<int:pk>/verify/",
        views.organisation_verify_view,
        name="organisation_verify",
    ),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/read/", views.notification_read, name="notification_read"),
]
