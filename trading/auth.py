"""Logging in: the demo accounts' published password works in demo mode only.

`make run` seeds the demo accounts with one password that it prints for anybody to use. A platform
that once ran in demo mode and now serves without it (or a real account given that password) must
not let it in: the guard refuses the password itself, before any account is looked up.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from trading.services.demo import DEMO_PASSWORD


def demo_password_refused(password: str | None) -> bool:
    return password == DEMO_PASSWORD and not settings.DEMO


class DemoPasswordGuard:
    """An authentication backend that stops every login with the demo password outside demo mode.

    Listed before ModelBackend: raising PermissionDenied ends authenticate() for every backend,
    the admin's login included. It has no get_user, so that it never becomes the backend a
    session is stored with (force_login and the session pick the first backend that has one).
    """

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if demo_password_refused(credentials.get("password")):
            raise PermissionDenied("the demo password is refused outside demo mode")
        return None


class LoginForm(AuthenticationForm):
    """The login form, which says why a demo account is refused instead of 'wrong password'."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "demo_off": _("演示账户只在演示模式下可以登录（make run 启用演示模式）。"),
    }

    def clean(self) -> dict[str, Any]:
        if demo_password_refused(self.data.get("password")):
            raise forms.ValidationError(self.error_messages["demo_off"], code="demo_off")
        return super().clean()
