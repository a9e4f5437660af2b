"""A refused request is one log line (who, path, why); a real error keeps its traceback."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path, reverse

from tests.factories import make_organisation, make_user
from tests.tenders import seed_reference_data

pytestmark = pytest.mark.django_db


def _refuse(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("只有交易中心的工作人员可以核验主体。\n第二行")


def _crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a real bug")


# This module is the URLconf of the tests that need a refusing and a crashing view.
urlpatterns = [
    path("refuse/", _refuse),
    path("crash/", _crash),
    path("", include("config.urls")),
]


def _request_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("django.request", "django.security"))]


def test_a_forbidden_page_logs_one_line_naming_who_what_and_no_traceback(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    seed_reference_data()
    user = make_user(make_organisation("center"))
    client.force_login(user)

    with caplog.at_level(logging.INFO):
        response = client.get(reverse("organisation_queue"))

    assert response.status_code == 403
    [record] = _request_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    line = logging.Formatter("%(levelname)s %(name)s: %(message)s").format(record)
    assert "\n" not in line
    assert "Traceback" not in line
    assert "/workspace/organisations/" in line
    assert f"#{user.pk}" in line


def test_the_refusal_reason_is_on_the_line(
    client: Client, caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    settings.ROOT_URLCONF = __name__

    with caplog.at_level(logging.INFO):
        assert client.get("/refuse/").status_code == 403

    [record] = _request_records(caplog)
    line = logging.Formatter("%(message)s").format(record)
    reason = "只有交易中心的工作人员可以核验主体。 第二行"
    assert line == f"refused 403 GET /refuse/ for anonymous: {reason}"


def test_a_server_error_still_logs_its_traceback(
    caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)

    with caplog.at_level(logging.INFO):
        assert client.get("/crash/").status_code == 500

    [record] = _request_records(caplog)
    assert record.levelno == logging.ERROR
    text = logging.Formatter("%(message)s").format(record)
    assert "Traceback" in text
    assert "RuntimeError: a real bug" in text


def test_a_suspicious_request_is_one_line_too(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        response = client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    [record] = _request_records(caplog)
    assert record.name == "django.security.DisallowedHost"
    text = logging.Formatter("%(message)s").format(record)
    assert "Traceback" not in text
    assert "evil.example" in text
