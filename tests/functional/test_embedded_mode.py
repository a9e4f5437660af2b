"""The embedded mode of `make run` is safe to show on a network: DEBUG off, its own error pages,
a secret key of its own, and demo accounts only in demo mode.
"""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import make_organisation, make_user
from tests.live_daphne import ROOT, embedded_env
from trading.services.demo import DEMO_PASSWORD

ENGLISH = {"Accept-Language": "en"}


def embedded_settings(var: Path, *names: str, **extra: str) -> list[str]:
    """The values of settings `names` as the embedded mode's processes read them."""
    code = (
        "import django; django.setup(); from django.conf import settings; "
        f"print('\\n'.join(str(getattr(settings, name)) for name in {list(names)!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=embedded_env(var, **extra),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


# --- settings --------------------------------------------------------------------------------


def test_debug_and_demo_mode_are_off_unless_asked_for(tmp_path: Path) -> None:
    assert embedded_settings(tmp_path, "DEBUG", "DEMO") == ["False", "False"]
    assert embedded_settings(tmp_path, "DEBUG", "DEMO", DEBUG="true", TIANPING_DEMO="true") == [
        "True",
        "True",
    ]


def test_the_embedded_mode_keeps_a_secret_key_of_its_own_under_var_keys(tmp_path: Path) -> None:
    [first] = embedded_settings(tmp_path, "SECRET_KEY")
    [again] = embedded_settings(tmp_path, "SECRET_KEY")
    [elsewhere] = embedded_settings(tmp_path / "other", "SECRET_KEY")

    key_file = tmp_path / "keys" / "django-secret.key"
    assert key_file.read_text().strip() == first == again
    assert len(first) >= 50
    assert elsewhere != first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    [configured] = embedded_settings(tmp_path, "SECRET_KEY", SECRET_KEY="s" * 60)
    assert configured == "s" * 60


# --- error pages, DEBUG off as the tests run ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "cookies", "title"),
    [
        ({}, {}, "页面不存在"),
        (ENGLISH, {}, "Page not found"),
        ({}, {"django_language": "en"}, "Page not found"),
    ],
    ids=["chinese", "accept-language-en", "cookie-en"],
)
def test_an_unknown_page_gets_the_platforms_404(
    client: Client, headers: dict[str, str], cookies: dict[str, str], title: str
) -> None:
    client.cookies.load(cookies)

    response = client.get("/no-such-page/", headers=headers)

    assert response.status_code == 404
    assert f"<h1>{title}</h1>" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/static/..%2f..%2fconfig/settings/base.py", "/static/../../manage.py"]
)
def test_a_path_out_of_the_static_folder_is_a_404_not_a_500(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "title"), [({}, "请求无效"), (ENGLISH, "Bad request")], ids=["zh", "en"]
)
def test_a_foreign_host_name_gets_the_platforms_400(
    client: Client, headers: dict[str, str], title: str
) -> None:
    response = client.get("/", headers={"Host": "attacker.example", **headers})

    assert response.status_code == 400
    body = response.content.decode()
    assert f"<h1>{title}</h1>" in body
    assert "ALLOWED_HOSTS" not in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "title"), [({}, "表单已过期"), (ENGLISH, "The form has expired")], ids=["zh", "en"]
)
def test_a_form_without_its_csrf_token_gets_the_platforms_403(
    headers: dict[str, str], title: str
) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "x", "password": "y"}, headers=headers)

    assert response.status_code == 403
    assert title in response.content.decode()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.support.urls")
@pytest.mark.parametrize(
    ("path", "status", "zh", "en"),
    [
        ("/support/forbidden/", 403, "无权访问", "Access denied"),
        ("/support/broken/", 500, "服务器错误", "Server error"),
    ],
)
def test_a_refusal_and_a_crash_get_the_platforms_pages_in_both_languages(
    client: Client, path: str, status: int, zh: str, en: str
) -> None:
    client.raise_request_exception = False

    chinese = client.get(path)
    english = client.get(path, headers=ENGLISH)

    assert (chinese.status_code, english.status_code) == (status, status)
    assert f"<h1>{zh}</h1>" in chinese.content.decode()
    assert f"<h1>{en}</h1>" in english.content.decode()
    assert "hunter2" not in chinese.content.decode() + english.content.decode()


# --- demo accounts ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_demo_account_logs_in_in_demo_mode(client: Client, demo: dict[str, int]) -> None:
    response = client.post(reverse("login"), {"username": "bidder1", "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_outside_demo_mode_a_demo_account_is_refused_and_told_why(
    client: Client, demo: dict[str, int], settings: Any
) -> None:
    settings.DEMO = False

    response = client.post(reverse("login"), {"username": "bidder1", "password": DEMO_PASSWORD})

    assert response.status_code == 200
    assert "演示账户只在演示模式下可以登录" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_outside_demo_mode_the_demo_password_opens_no_admin_and_no_real_account(
    client: Client, demo: dict[str, int], settings: Any
) -> None:
    settings.DEMO = False
    make_user(make_organisation("bidder"), username="careless", password=DEMO_PASSWORD)

    admin = client.post(reverse("admin:login"), {"username": "admin", "password": DEMO_PASSWORD})
    careless = client.post(reverse("login"), {"username": "careless", "password": DEMO_PASSWORD})

    assert admin.status_code == 200 and careless.status_code == 200
    assert "_auth_user_id" not in client.session
