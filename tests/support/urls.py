"""The platform's URLs plus two that fail on purpose, to see the 403 and 500 pages people get."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug, with a secret in its message: hunter2")


urlpatterns = [
    path("support/forbidden/", forbidden),
    path("support/broken/", broken),
    path("", include("config.urls")),
]
