"""The platform's URLs and a trivial view, the reference the HTTP bench measures pages against."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path("bench/ping/", ping),
    path("", include("config.urls")),
]
