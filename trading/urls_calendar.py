"""The center administrator's holiday table (signed in): the years, and entering one."""

from __future__ import annotations

from django.urls import path

from trading.views import calendar

urlpatterns = [
    path("workspace/calendar/", calendar.calendar_years, name="calendar_years"),
    path(
        "workspace/calendar/<int:year>/",
        calendar.calendar_year_enter_view,
        name="calendar_year_enter",
    ),
]
