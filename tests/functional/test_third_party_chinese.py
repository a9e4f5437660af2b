"""Under zh-hans, Django's, django-axes' and django-guardian's own English reads in Chinese too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import make_platform_admin
from tests.tenders import seed_reference_data

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.mo"
ENGLISH = [
    "Axes",
    "Access attempts",
    "Access failures",
    "Access logs",
    "Guardian",
    "User object permissions",
    "Select an option",
    "---------",
    "Attempt Time",
    "IP Address",
    "User Agent",
    "Filter by",
]


@pytest.fixture(autouse=True)
def chinese_catalogue() -> None:
    if not CATALOGUE.exists():
        pytest.fail(f"{CATALOGUE} is missing: run `make` (it compiles every catalogue)")
    seed_reference_data()


def _text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = re.sub(r"<script.*?</script>", "", response.content.decode(), flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _english_in(text: str) -> list[str]:
    return [word for word in ENGLISH if word.lower() in text.lower()]


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(make_platform_admin())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def test_the_admin_index_names_every_app_and_model_in_chinese(admin_client: Client) -> None:
    text = _text(admin_client, reverse("admin:index"))

    assert _english_in(text) == []
    for name in ("登录防护", "登录尝试", "登录失败", "登录日志", "对象权限", "用户对象权限"):
        assert name in text


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:axes_accessattempt_changelist",
        "admin:axes_accesslog_changelist",
        "admin:guardian_userobjectpermission_changelist",
        "admin:guardian_userobjectpermission_add",
        "admin:trading_user_add",
    ],
)
def test_third_party_admin_pages_and_their_selects_read_in_chinese(
    admin_client: Client, url_name: str
) -> None:
    assert _english_in(_text(admin_client, reverse(url_name))) == []


def test_a_select_on_the_site_offers_its_blank_choice_in_chinese(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    html = client.get(reverse("register")).content.decode()

    assert "<select" in html
    assert "- 请选择 -" in html
    assert _english_in(html) == []


def test_english_readers_keep_django_s_english_blank_choice(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(reverse("register")).content.decode()

    assert "- Select an option -" in html
    assert "请选择" not in html
