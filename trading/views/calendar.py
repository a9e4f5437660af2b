"""The center administrator's holiday table: which years are in, and entering a year from the
State Council's notice — pasted, previewed as a calendar, then saved as official."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from trading.domain.holiday_calendar import schedule_months
from trading.domain.timeline import local_date
from trading.selectors.access import access_center_admin
from trading.selectors.calendar import calendar_year_list, calendar_years_open
from trading.services.calendar import TEXT_MAX, calendar_notice_read, calendar_year_enter
from trading.views.common import acting_user, form_refused, now


class HolidayNoticeForm(forms.Form):
    document = forms.CharField(
        label=gettext_lazy("通知文号"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("如：国办发明电〔2025〕7号；留空时从正文中识别。"),
    )
    text = forms.CharField(
        label=gettext_lazy("通知正文"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy(
            "粘贴国务院办公厅关于部分节假日安排的通知：各条的放假日期和调休上班日期。"
        ),
    )


@require_GET
@login_required
def calendar_years(request: HttpRequest) -> HttpResponse:
    access_center_admin(acting_user(request))
    enterable = calendar_years_open(local_date(now()))
    return render(
        request,
        "trading/calendar_years.html",
        {"years": calendar_year_list(), "next_year": enterable[-1], "enterable": enterable},
    )


@require_http_methods(["GET", "POST"])
@login_required
def calendar_year_enter_view(request: HttpRequest, year: int) -> HttpResponse:
    user = acting_user(request)
    access_center_admin(user)
    if not 2000 <= year <= 2999:
        raise Http404(_("没有这一年。"))
    form = HolidayNoticeForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "save":
                schedule = calendar_year_enter(
                    year=year, text=data["text"], document=data["document"], actor=user
                )
            else:
                preview = calendar_notice_read(
                    year=year,
                    text=data["text"],
                    document=data["document"],
                    today=local_date(now()),
                )
        except (ValidationError, PermissionDenied) as refused:
            form_refused(form, refused)
        else:
            if preview is None:
                messages.success(
                    request,
                    _(
                        "已录入%(year)s年节假日安排（%(document)s）：%(h)s个放假日、%(w)s个调休上班日。"
                    )
                    % {
                        "year": year,
                        "document": schedule.document,
                        "h": len(schedule.holidays),
                        "w": len(schedule.workdays),
                    },
                )
                return redirect("calendar_years")
    return render(
        request,
        "trading/calendar_year_form.html",
        {
            "form": form,
            "year": year,
            "preview": preview,
            "months": schedule_months(preview) if preview is not None else [],
        },
        status=400 if request.method == "POST" and preview is None else 200,
    )
