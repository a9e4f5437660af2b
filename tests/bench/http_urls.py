"""The platform's URLs and a trivial view, the reference the HTTP bench measures pages against."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def one_query(request: HttpRequest) -> HttpResponse:
    """The floor of a page that reads the database: one primary-key read, new connection included
    (Django opens one per request under ASGI)."""
    from notices.portal_cache import publication_last_seq

    return HttpResponse(str(publication_last_seq()))


urlpatterns = [
    path("bench/ping/", ping),
    path("bench/one-query/", one_query),
    path("", include("config.urls")),
]
