"""One public address (SITE_URL) in everything read outside the site — feeds, the change feed,
e-mail — and the Atom feed's link back to the portal lists what the feed lists."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.portal_data import publish_row
from tests.tenders import make_tender, make_world
from trading.models import BusinessType, OutboundMessage
from trading.services.notifications import notification_send

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]

ATOM = "{http://www.w3.org/2005/Atom}"
SITE = "https://ggzy.example.cn"


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = SITE


def _links(entry: ET.Element) -> dict[str, str]:
    return {
        link.get("rel", "alternate"): link.get("href", "") for link in entry.findall(f"{ATOM}link")
    }


def test_a_feed_links_back_to_the_portal_list_of_its_own_type_only(
    client: Client, clock: ControlledClock
) -> None:
    tender = make_tender(make_world(business_type="engineering"), name="海口市道路改造工程")
    works = publish_row(tender, title="工程公告")
    purchase = publish_row(
        tender, title="采购公告", business_type=BusinessType.objects.get(code="procurement")
    )

    response = client.get(reverse("notice_feed", args=["460100", "procurement"]))

    assert response.status_code == 200
    feed = ET.fromstring(response.content)  # noqa: S314 (the platform's own feed)
    links = _links(feed)
    assert links["self"] == f"{SITE}/feeds/460100/procurement.atom"
    portal = urlsplit(links["alternate"])
    assert f"{portal.scheme}://{portal.netloc}" == SITE
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "采购公告"
    assert _links(entry)["alternate"] == f"{SITE}/notices/{purchase.pk}/"

    # Following the link shows what the feed shows: this type only, not every business type.
    page = client.get(f"{portal.path}?{portal.query}")
    shown = [notice.pk for notice in page.context["notices"]]
    assert shown == [purchase.pk]
    assert works.pk not in shown


def test_the_change_feed_gives_each_notice_at_the_public_address(
    client: Client, clock: ControlledClock
) -> None:
    notice = publish_row(make_tender(make_world()), title="工程公告")

    items = client.get(reverse("notice_changes")).json()["items"]

    assert [item["url"] for item in items] == [f"{SITE}/notices/{notice.pk}/"]


def test_an_e_mail_carries_the_whole_link_and_the_inbox_the_path(clock: ControlledClock) -> None:
    world = make_world()
    world.owner_user.email = "owner@example.cn"
    world.owner_user.save(update_fields=["email"])
    [notification] = notification_send(
        recipients=[world.owner_user],
        kind="test",
        title="主体已核验",
        url="/workspace/organisations/",
        channels=("inbox", "email"),
    )

    assert notification.url == "/workspace/organisations/"
    message = OutboundMessage.objects.get(notification=notification)
    assert message.body.endswith(f"\n\n{SITE}/workspace/organisations/")


def _settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    )
    inherited = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SITE_URL"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(django_settings.BASE_DIR),
        env={**inherited, "DJANGO_SETTINGS_MODULE": "config.settings.base", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_site_url_comes_from_the_environment_and_a_wrong_one_is_refused_naming_it(
    tmp_path: Path,
) -> None:
    var = str(tmp_path / "var")
    ok = _settings_with(SITE_URL="https://ggzy.example.cn/", TIANPING_VAR_DIR=var)
    assert ok.stdout.strip() == "https://ggzy.example.cn", ok.stderr

    wrong = _settings_with(SITE_URL="ggzy.example.cn", TIANPING_VAR_DIR=var)
    assert wrong.returncode != 0
    assert "SITE_URL: expected the public address of the site" in wrong.stderr
