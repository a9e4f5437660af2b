"""Several users acting for one bidder: the administrator invites them by a one-time link."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_noop

from trading.clock import Clock
from trading.models import Organisation, User
from trading.services.notifications import notification_send
from trading.services.organisations import organisation_user_accept, organisation_user_invite
from trading.translatable import Message


def invitation_url(user: User) -> str:
    """The one-time link: Django's password-reset token, spent once the password is set."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("bidding_invitation", kwargs={"uidb64": uid, "token": token})


def member_invite(
    *,
    organisation: Organisation,
    actor: User,
    username: str,
    display_name: str,
    email: str = "",
    phone: str = "",
    is_organisation_admin: bool = False,
    clock: Clock | None = None,
) -> User:
    """The organisation administrator invites a user; the link leaves by e-mail and SMS."""
    with transaction.atomic():
        user = organisation_user_invite(
            organisation=organisation,
            actor=actor,
            username=username,
            display_name=display_name,
            email=email,
            phone=phone,
            is_organisation_admin=is_organisation_admin,
            clock=clock,
        )
        notification_send(
            recipients=[user],
            kind="organisation.user_invited",
            title=Message(
                gettext_noop("%(organisation)s 邀请您使用天平交易平台"),
                organisation=organisation.name,
            ),
            body=Message(
                gettext_noop(
                    "您的用户名是 %(username)s。请打开下面的链接设置密码，链接只能使用一次。"
                ),
                username=user.username,
            ),
            url=invitation_url(user),
            channels=("email", "sms"),
            clock=clock,
        )
    return user


def invitation_user(uidb64: str, token: str) -> User | None:
    """The invitee a link names, if the link is still good (unused, unexpired, account active)."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or user.has_usable_password():
        return None
    if not default_token_generator.check_token(user, token):
        return None
    return user


def invitation_accept(
    *, uidb64: str, token: str, password: str, clock: Clock | None = None
) -> User | None:
    """Set the invitee's password through its link; None when the link is no longer good."""
    user = invitation_user(uidb64, token)
    if user is None:
        return None
    return organisation_user_accept(user=user, password=password, clock=clock)
