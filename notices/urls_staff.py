"""Desk staff's notice pages (signed in)."""

from __future__ import annotations

from django.urls import path

from notices import views_staff

urlpatterns = [
    path("workspace/notices/", views_staff.notice_queue, name="notice_queue"),
    path("workspace/notices/<int:pk>/", views_staff.notice_edit, name="notice_edit"),
    path("workspace/notices/<int:pk>/approve/", views_staff.notice_approve, name="notice_approve"),
    path("workspace/notices/<int:pk>/retry/", views_staff.notice_retry, name="notice_retry"),
    path("workspace/notices/<int:pk>/correct/", views_staff.notice_correct, name="notice_correct"),
]
