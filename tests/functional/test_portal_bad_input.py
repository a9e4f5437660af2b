"""Out-of-range dates and numbers on the public pages, feeds and open data: a clear error, never a
500, and nothing searched with the bad value (DESIGN.md invariant 8). Runs on both engines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from notices.models import Notice
from tests.conftest import ControlledClock
from tests.portal_data import publish_row
from tests.tenders import World, make_tender, make_world
from trading.models import Tender

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]

BIGINT_MAX = 2**63 - 1
DATE_MESSAGE = "请输入 1900-01-01 至 2100-12-31 之间的日期。"
CURSOR_MESSAGE = "翻页位置无效，请从第一页重新查询。"
ENGLISH_CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.mo"


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world()


@pytest.fixture
def tender(world: World) -> Tender:
    return make_tender(world, name="海口市道路改造工程")


@pytest.fixture
def notice(tender: Tender) -> Notice:
    return publish_row(tender, title="海口市道路改造工程中标结果公告", kind="result")


def refused_on_the_page(response: Any, message: str) -> None:
    assert response.status_code == 200
    assert response.context["form"].errors
    html = response.content.decode()
    assert message in html
    assert "查询条件有误" in html


@pytest.mark.parametrize("list_name", ["portal_notices", "portal_results"])
@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "0001-01-01"},
        {"date_to": "9999-12-31"},
        {"date_from": "9999-12-31"},
        {"date_to": "0001-01-01"},
        {"date_from": "1899-12-31", "q": "道路"},
        {"date_to": "2101-01-01", "q": "道路"},
    ],
    ids=["from-0001", "to-9999", "from-9999", "to-0001", "from-1899", "to-2101"],
)
def test_a_date_out_of_range_is_a_form_error_and_nothing_is_searched(
    client: Client, notice: Notice, list_name: str, params: dict[str, str]
) -> None:
    response = client.get(reverse(list_name), params)

    refused_on_the_page(response, DATE_MESSAGE)
    [field] = {"date_from", "date_to"} & set(params)
    assert response.context["form"].errors[field] == [DATE_MESSAGE]
    assert response.context["notices"] == []


def test_the_dates_at_both_ends_of_the_range_still_filter(client: Client, notice: Notice) -> None:
    response = client.get(
        reverse("portal_results"), {"date_from": "1900-01-01", "date_to": "2100-12-31"}
    )

    assert response.status_code == 200
    assert [shown.pk for shown in response.context["notices"]] == [notice.pk]


def test_the_date_error_is_translated(client: Client, notice: Notice) -> None:
    if not ENGLISH_CATALOGUE.exists():
        pytest.fail(f"{ENGLISH_CATALOGUE} is missing: run `manage.py compilemessages` first")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("portal_notices"), {"date_to": "9999-12-31"})

    assert response.status_code == 200
    assert "Enter a date from 1900-01-01 to 2100-12-31." in response.content.decode()


@pytest.mark.parametrize("list_name", ["portal_notices", "portal_results", "portal_open_tenders"])
@pytest.mark.parametrize("after", [str(BIGINT_MAX + 1), "99999999999999999999", "9" * 5000])
def test_a_cursor_beyond_any_id_is_a_clear_error(
    client: Client, notice: Notice, list_name: str, after: str
) -> None:
    response = client.get(reverse(list_name), {"after": after})

    refused_on_the_page(response, CURSOR_MESSAGE)
    rows = response.context.get("rows", response.context.get("notices"))
    assert rows == []


def test_the_largest_cursor_is_an_empty_page_not_an_error(client: Client, notice: Notice) -> None:
    response = client.get(reverse("portal_notices"), {"after": str(BIGINT_MAX)})

    assert response.status_code == 200
    assert not response.context["form"].errors
    assert response.context["notices"] == []


@pytest.mark.parametrize(
    "query",
    [
        {"after": "99999999999999999999"},
        {"after": str(BIGINT_MAX + 1)},
        {"after": "9" * 5000},
        {"after": "١٢"},  # Arabic-Indic digits, which int() would read as 12
        {"after": " 1"},
        {"after": "+1"},
        {"after": "1_0"},
        {"limit": "99999999999999999999"},
        {"limit": "501"},
    ],
    ids=lambda query: "-".join(f"{k}={v[:24]}" for k, v in query.items()),
)
def test_the_change_feed_refuses_out_of_range_numbers_with_a_message(
    client: Client, notice: Notice, query: dict[str, str]
) -> None:
    response = client.get(reverse("notice_changes"), query)

    assert response.status_code == 400
    assert response.json() == {
        "error": f"after 须为 0 至 {BIGINT_MAX} 的整数，limit 须为 1 至 500 的整数。"
    }


def test_the_change_feed_takes_the_extremes_of_its_range(client: Client, notice: Notice) -> None:
    last = client.get(reverse("notice_changes"), {"after": str(BIGINT_MAX), "limit": "500"})
    first = client.get(reverse("notice_changes"), {"after": "0", "limit": "1"})

    assert last.json() == {"items": [], "next_after": BIGINT_MAX}
    assert [item["id"] for item in first.json()["items"]] == [notice.pk]


@pytest.mark.parametrize(
    "url",
    [
        "/notices/99999999999999999999/",
        f"/notices/{BIGINT_MAX + 1}/",
        "/feeds/99999999999999999999/engineering.atom",
        "/ocds/tenders/99999999999999999999/release-package.json",
        "/ocds/tenders/99999999999999999999/release-package.json?training=99999999999999999999",
    ],
)
def test_huge_numbers_in_paths_are_not_found(client: Client, notice: Notice, url: str) -> None:
    assert client.get(url).status_code == 404


def test_the_atom_feed_links_to_the_list_filtered_by_its_region_and_type(
    client: Client, world: World, notice: Notice
) -> None:
    feed = client.get(f"/feeds/{world.region.code}/{world.business_type.code}.atom")

    assert feed.status_code == 200
    link = f"/notices/?region={world.region.code}&amp;type={world.business_type.code}"
    assert link in feed.content.decode()
