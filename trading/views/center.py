"""The trading center administrator's console: registrations, desks and their staff, the holiday
table and rule rows, and every desk's work read-only (operating a desk takes a desk grant)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from trading.models import Desk, User
from trading.selectors.access import access_center_admin
from trading.selectors.center import center_user_list, desk_overview, tender_list_pending_everywhere
from trading.services.grants import grant_assign, grant_revoke
from trading.views.common import acting_user, message_refusal
from trading.views.organisations import verification_queue

PENDING_SHOWN = 30


class DeskGrantForm(forms.Form):
    user = forms.ModelChoiceField(label=gettext_lazy("工作人员"), queryset=User.objects.none())
    desk = forms.ModelChoiceField(
        label=gettext_lazy("交易科室"),
        queryset=Desk.objects.select_related("region", "business_type").order_by(
            "region__code", "business_type__number"
        ),
    )

    def __init__(self, *args: Any, center_users: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = center_users  # type: ignore[attr-defined]
        self.fields["user"].label_from_instance = lambda u: (  # type: ignore[attr-defined]
            f"{u.first_name} ({u.username})" if u.first_name else u.username
        )
        self.fields["desk"].label_from_instance = lambda d: (  # type: ignore[attr-defined]
            f"{d.region.display_name} · {d.business_type.display_name}"
        )


def _center_users(user: User) -> QuerySet[User]:
    # access_center_admin ran first: the user acts for the center.
    return center_user_list(user.organisation)  # type: ignore[arg-type]


@require_GET
@login_required
def center_console(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    access_center_admin(user)
    pending = tender_list_pending_everywhere()
    return render(
        request,
        "trading/center_console.html",
        {
            "organisation": user.organisation,
            "unverified_count": verification_queue().count(),
            "desks": desk_overview(),
            "pending": pending[:PENDING_SHOWN],
            "pending_count": pending.count(),
            "grant_form": DeskGrantForm(center_users=_center_users(user)),
        },
    )


def _grant(request: HttpRequest, *, revoke: bool) -> HttpResponse:
    user = acting_user(request)
    access_center_admin(user)
    form = DeskGrantForm(request.POST, center_users=_center_users(user))
    if not form.is_valid():
        messages.error(request, _("请选择本中心的一名工作人员和一个交易科室。"))
        return redirect("center_console")
    holder, desk = form.cleaned_data["user"], form.cleaned_data["desk"]
    try:
        if revoke:
            grant_revoke(user=holder, target=desk, actor=user)
        else:
            grant_assign(user=holder, target=desk, actor=user)
    except (PermissionDenied, ValidationError) as refused:
        message_refusal(request, refused)
    else:
        done = (
            _("已撤销 %(user)s 在“%(desk)s”的操作权限。")
            if revoke
            else _("已授予 %(user)s “%(desk)s”的操作权限。")
        )
        messages.success(
            request,
            done
            % {
                "user": holder.first_name or holder.username,
                "desk": f"{desk.region.display_name} · {desk.business_type.display_name}",
            },
        )
    return redirect("center_console")


@require_POST
@login_required
def center_grant_assign(request: HttpRequest) -> HttpResponse:
    return _grant(request, revoke=False)


@require_POST
@login_required
def center_grant_revoke(request: HttpRequest) -> HttpResponse:
    return _grant(request, revoke=True)
