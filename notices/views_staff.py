"""Desk staff review notices: the queue, editing a draft, approving it now or at a set time."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notices import services
from notices.models import Notice, NoticeStatus
from notices.preview import notice_document, notice_publication_plan
from notices.selectors import access_notice, notice_list_queue
from trading.clock import get_clock
from trading.forms import schedule_field
from trading.models import User
from trading.selectors.access import access_desk_console, access_desk_oversight
from trading.selectors.calendar import tender_calendar_warnings
from trading.views.common import acting_user, form_refused, message_refusal


class NoticeTextForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=services.TITLE_MAX)
    body = forms.CharField(
        label=gettext_lazy("正文（依法可由发布单位填写的内容）"),
        required=False,
        max_length=services.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class ApproveForm(forms.Form):
    publish_at = schedule_field(
        gettext_lazy("定时发布"),
        required=False,
        help_text=gettext_lazy("留空则立即发布。"),
    )


def _staff(request: HttpRequest) -> User:
    """Desk staff only: the notice review is a console of the center's desks (403 otherwise)."""
    user = acting_user(request)
    access_desk_console(user)
    return user


@require_GET
@login_required
def notice_queue(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    read_only = access_desk_oversight(user)
    notices = list(notice_list_queue(user, every_desk=read_only)[:200])
    return render(
        request,
        "notices/staff_queue.html",
        {
            "drafts": [n for n in notices if n.status == NoticeStatus.DRAFT],
            "scheduled": [n for n in notices if n.status == NoticeStatus.SCHEDULED],
            "now": get_clock()(),
            "read_only": read_only,
        },
    )


def _page(request: HttpRequest, notice: Notice, **forms_: forms.Form) -> HttpResponse:
    context = {
        "notice": notice,
        "text_form": NoticeTextForm(initial={"title": notice.title, "body": notice.body}),
        "approve_form": ApproveForm(),
        # The document the PDF is (or will be) rendered from, and where publishing it sends it.
        "document": notice_document(notice),
        "plan": notice_publication_plan(notice),
        "now": get_clock()(),
        # The tender's schedule in a year whose holidays the State Council has not yet published.
        "calendar_warnings": tender_calendar_warnings(notice.tender),
        **forms_,
    }
    return render(request, "notices/staff_notice.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    notice = access_notice(user, pk)
    if request.method == "GET":
        return _page(request, notice)
    form = NoticeTextForm(request.POST)
    if form.is_valid():
        try:
            services.notice_update(
                notice=notice,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                actor=user,
            )
        except (ValidationError, PermissionDenied) as refused:
            message_refusal(request, refused)
        else:
            messages.success(request, _("已保存。"))
            return redirect("notice_edit", notice.pk)
    return _page(request, notice, text_form=form)


@require_POST
@login_required
def notice_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    notice = access_notice(user, pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _page(request, notice, approve_form=form)
    try:
        services.notice_approve(
            notice=notice, publish_at=form.cleaned_data.get("publish_at"), actor=user
        )
    except ValidationError as refused:
        if not hasattr(refused, "error_dict"):
            message_refusal(request, refused)
            return redirect("notice_edit", notice.pk)
        # A refused time goes next to its field, the draft and the form as they were.
        form_refused(form, refused)
        return _page(request, notice, approve_form=form)
    except PermissionDenied as refused:
        message_refusal(request, refused)
        return redirect("notice_edit", notice.pk)
    messages.success(request, _("已审核，公告将按时生成并发布。"))
    return redirect("notice_queue")


@require_POST
@login_required
def notice_retry(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    notice = access_notice(user, pk)
    try:
        services.notice_render_retry(notice=notice, actor=user)
    except (ValidationError, PermissionDenied) as refused:
        message_refusal(request, refused)
    else:
        messages.success(request, _("已重新提交生成。"))
    return redirect("notice_queue")


@require_POST
@login_required
def notice_correct(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    notice = access_notice(user, pk)
    form = NoticeTextForm(request.POST)
    if not form.is_valid():
        return _page(request, notice, text_form=form)
    try:
        correction = services.notice_correct(
            notice=notice,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            actor=user,
        )
    except (ValidationError, PermissionDenied) as refused:
        message_refusal(request, refused)
        return redirect("notice_edit", notice.pk)
    messages.success(request, _("已生成更正公告草稿，请审核后发布。"))
    return redirect("notice_edit", correction.pk)
