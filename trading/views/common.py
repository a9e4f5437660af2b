"""What every console view shares: the signed-in user, the clock, and how refusals are shown.

A service refuses with `ValidationError` (bad input, a rule) or `PermissionDenied` (a role); the
page shows its messages next to the form's fields where they belong, or as messages above it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from trading.clock import get_clock
from trading.forms import add_service_errors
from trading.models import User

LIST_PAGE_SIZE = 30


def acting_user(request: HttpRequest) -> User:
    """The signed-in user (login_required ran first: anything else is a wiring mistake)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def now() -> datetime:
    return get_clock()()


def refusal_messages(refused: ValidationError | PermissionDenied) -> list[str]:
    """What a person reads of a service's refusal, never an empty message."""
    if isinstance(refused, ValidationError):
        found = [str(message) for message in refused.messages]
    else:
        found = [str(refused)] if str(refused) else []
    return found or [_("您无权执行此操作。")]


def message_refusal(request: HttpRequest, refused: ValidationError | PermissionDenied) -> None:
    for message in refusal_messages(refused):
        messages.error(request, message)


def run_service(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Run one service call; show its refusal as messages. True when it went through."""
    try:
        action()
    except (ValidationError, PermissionDenied) as refused:
        message_refusal(request, refused)
        return False
    messages.success(request, success)
    return True


def form_refused(
    form: forms.Form,
    refused: ValidationError | PermissionDenied,
    fields: dict[str, str] | None = None,
) -> None:
    """A refusal on the form: each message on its field (renamed by `fields`), else on top."""
    if isinstance(refused, ValidationError):
        add_service_errors(form, refused, fields)
    else:
        for message in refusal_messages(refused):
            form.add_error(None, message)
