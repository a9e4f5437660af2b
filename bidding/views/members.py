"""The bidder's users: the administrator invites and removes them; invitees set a password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bidding.forms_vault import InvitationForm, InviteForm
from bidding.selectors.vault import (
    access_bidder_admin,
    access_bidder_organisation,
    access_organisation_member,
    member_list,
)
from bidding.services.members import invitation_accept, invitation_user, member_invite
from trading.services.organisations import organisation_user_remove
from trading.views.common import acting_user, form_refused, message_refusal


@require_http_methods(["GET", "POST"])
@login_required
def members(request: HttpRequest) -> HttpResponse:
    """The organisation's users; its administrator invites more here."""
    user = acting_user(request)
    organisation = access_bidder_organisation(user)
    form = InviteForm(request.POST or None) if user.is_organisation_admin else None
    if request.method == "POST":
        access_bidder_admin(user)
        if form is not None and form.is_valid():
            try:
                invited = member_invite(organisation=organisation, actor=user, **form.cleaned_data)
            except (PermissionDenied, ValidationError) as refused:
                form_refused(form, refused)
            else:
                messages.success(
                    request,
                    _("已邀请 %(username)s，设置密码的链接已发送给对方。")
                    % {"username": invited.username},
                )
                return redirect("bidding_members")
    return render(
        request,
        "bidding/members.html",
        {"organisation": organisation, "members": member_list(organisation), "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
@login_required
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    member = access_organisation_member(user, pk)
    try:
        organisation_user_remove(user=member, actor=user)
    except (PermissionDenied, ValidationError) as refused:
        message_refusal(request, refused)
    else:
        messages.success(request, _("已移除用户 %(username)s。") % {"username": member.username})
        if member.pk == user.pk:
            return redirect("login")
    return redirect("bidding_members")


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The invitee's one-time link: choose a password, then sign in."""
    invitee = invitation_user(uidb64, token)
    form = InvitationForm(request.POST or None) if invitee is not None else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            accepted = invitation_accept(
                uidb64=uidb64, token=token, password=form.cleaned_data["password"]
            )
        except (PermissionDenied, ValidationError) as refused:
            form_refused(form, refused)
        else:
            if accepted is not None:
                messages.success(request, _("密码已设置，请登录。"))
                return redirect("login")
            form = None
    return render(
        request,
        "bidding/invitation.html",
        {"invitee": invitee, "form": form},
        status=400 if form is not None and form.errors else 200,
    )
