"""Public pages are cached against the publication counter (notices/portal_cache.py): a
publication shows at once on every cached list, search, feed and notice page it belongs to; a
publication elsewhere leaves a notice's page and a desk's feed as they were; anonymous visitors
get ETags and 304s, signed-in users pages nobody keeps. Marked `sqlite`: both engines."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from notices.models import Notice, NoticeKind, NoticeStatus
from notices.services import notice_publish_rendered
from tests.conftest import ControlledClock
from tests.notices import fake_render
from tests.portal_data import publish_row
from tests.tenders import World, make_tender, make_world
from trading.models import BusinessType, Region, Tender

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world()


@pytest.fixture
def tender(world: World) -> Tender:
    return make_tender(world, name="海口市道路改造工程")


def publish(tender: Tender, clock: ControlledClock, title: str, **fields: Any) -> Notice:
    """A scheduled notice published by the platform's publisher, which moves the counter."""
    clock.advance(minutes=5)
    scheduled = publish_row(tender, title=title, status=NoticeStatus.SCHEDULED, **fields)
    return notice_publish_rendered(notice=scheduled, rendered=fake_render(scheduled), clock=clock)


def feed_url(tender: Tender) -> str:
    project = tender.project
    return reverse("notice_feed", args=[project.region.code, project.business_type.code])


def text(response: Any) -> str:
    """What a reader sees: the page, or the change feed's JSON with its Chinese unescaped."""
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return str(response.content.decode())


def pages(tender: Tender) -> dict[str, str]:
    return {
        "list": reverse("portal_notices"),
        "search": reverse("portal_notices") + "?q=道路",
        "results": reverse("portal_results"),
        "feed": feed_url(tender),
        "changes": reverse("notice_changes"),
    }


def test_a_publication_shows_at_once_on_every_cached_page(
    client: Client, clock: ControlledClock, tender: Tender
) -> None:
    publish(tender, clock, "道路改造招标公告")
    before = {name: client.get(url) for name, url in pages(tender).items()}
    for name, response in before.items():
        assert response.status_code == 200, name
        assert "道路改造结果公告" not in text(response), name
        # Asked again, the same version of the page is served from the cache.
        assert client.get(pages(tender)[name])["ETag"] == response["ETag"], name

    result = publish(tender, clock, "道路改造结果公告", kind=NoticeKind.RESULT)

    for name, url in pages(tender).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert response["ETag"] != before[name]["ETag"], name
        assert "道路改造结果公告" in text(response), name
    assert result.pk in [
        item["id"] for item in client.get(reverse("notice_changes")).json()["items"]
    ]


def test_a_cached_page_is_served_without_rendering_it_again(
    client: Client, clock: ControlledClock, tender: Tender, django_assert_max_num_queries: Any
) -> None:
    notice = publish(tender, clock, "道路改造招标公告")
    urls = [*pages(tender).values(), reverse("portal_notice_detail", args=[notice.pk])]
    first = {url: client.get(url).content for url in urls}

    for url in urls:
        # One query: the page's version (a page rendered again takes five or more).
        with django_assert_max_num_queries(1):
            again = client.get(url)
        assert again.content == first[url]


def test_a_notice_page_changes_with_its_own_tender_only(
    client: Client, clock: ControlledClock, world: World, tender: Tender
) -> None:
    notice = publish(tender, clock, "道路改造招标公告")
    url = reverse("portal_notice_detail", args=[notice.pk])
    first = client.get(url)

    publish(make_tender(world, name="三亚市学校工程"), clock, "学校工程招标公告")
    assert client.get(url)["ETag"] == first["ETag"]

    publish(tender, clock, "道路改造变更公告", kind=NoticeKind.AMENDMENT)
    changed = client.get(url)
    assert changed["ETag"] != first["ETag"]
    assert "道路改造变更公告" in changed.content.decode()


def test_a_desks_feed_changes_with_its_own_publications_only(
    client: Client, clock: ControlledClock, world: World, tender: Tender
) -> None:
    publish(tender, clock, "道路改造招标公告")
    first = client.get(feed_url(tender))
    elsewhere = make_tender(world, name="三亚市学校工程")
    publish(
        elsewhere,
        clock,
        "三亚学校采购公告",
        region=Region.objects.get(code="460200"),
        business_type=BusinessType.objects.get(code="procurement"),
    )
    assert client.get(feed_url(tender))["ETag"] == first["ETag"]

    publish(tender, clock, "道路改造结果公告", kind=NoticeKind.RESULT)
    changed = client.get(feed_url(tender))
    assert changed["ETag"] != first["ETag"]
    assert "道路改造结果公告" in changed.content.decode()


def test_anonymous_pages_revalidate_by_etag_and_get_304_until_a_publication(
    client: Client, clock: ControlledClock, tender: Tender
) -> None:
    notice = publish(tender, clock, "道路改造招标公告")
    urls = [*pages(tender).values(), reverse("portal_notice_detail", args=[notice.pk])]
    etags = {}
    for url in urls:
        response = client.get(url)
        cache_control = response["Cache-Control"]
        assert "public" in cache_control and "must-revalidate" in cache_control, url
        assert "max-age=0" in cache_control, url
        # A shared cache keeps one copy per language and never gives it to a signed-in visitor.
        assert {"Cookie", "Accept-Language"} <= {
            part.strip() for part in response["Vary"].split(",")
        }, url
        etags[url] = response["ETag"]
        assert client.get(url, headers={"if-none-match": etags[url]}).status_code == 304, url

    publish(tender, clock, "道路改造变更公告", kind=NoticeKind.AMENDMENT)

    for url in urls:
        assert client.get(url, headers={"if-none-match": etags[url]}).status_code == 200, url


def test_a_public_page_holds_no_csrf_token_and_sets_no_cookie(
    client: Client, clock: ControlledClock, tender: Tender
) -> None:
    publish(tender, clock, "道路改造招标公告")

    response = client.get(reverse("portal_notices"))

    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "X-CSRFToken" not in response.content.decode()
    assert not response.cookies


def test_a_signed_in_user_gets_a_page_nobody_keeps_with_their_name(
    client: Client, clock: ControlledClock, world: World, tender: Tender
) -> None:
    notice = publish(tender, clock, "道路改造招标公告")
    urls = [reverse("portal_notices"), reverse("portal_notice_detail", args=[notice.pk])]
    for url in urls:
        client.get(url)  # cached for the public first
    client.force_login(world.staff)
    name = world.staff.get_full_name() or world.staff.get_username()

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
        assert not response.has_header("ETag")
        html = response.content.decode()
        assert name in html and "csrfmiddlewaretoken" in html  # their logout form


def test_each_language_has_its_own_cached_page(
    client: Client, clock: ControlledClock, tender: Tender
) -> None:
    publish(tender, clock, "道路改造招标公告")
    chinese = client.get(reverse("portal_notices"))

    client.cookies["django_language"] = "en"
    english = client.get(reverse("portal_notices"))

    assert '<html lang="zh-hans">' in chinese.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert english["ETag"] != chinese["ETag"]


def test_the_language_switch_needs_no_token_on_a_public_page(
    clock: ControlledClock, tender: Tender
) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("portal_notices"))

    response = browser.post(
        reverse("set_language"), {"language": "en", "next": reverse("portal_notices")}
    )

    assert response.status_code == 302
    assert '<html lang="en">' in browser.get(reverse("portal_notices")).content.decode()


def test_with_redis_away_the_portal_still_answers_every_page(
    client: Client, clock: ControlledClock, tender: Tender, settings: Any
) -> None:
    """The cache only saves work: a Redis that refuses connections costs speed, not the portal."""
    publish(tender, clock, "道路改造招标公告")
    # Port 1 refuses connections: the real Redis client meets a server that is not there.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    for name, url in pages(tender).items():
        response = client.get(url)
        assert response.status_code == 200, name
        if name != "results":  # the results page lists result notices only
            assert "道路改造招标公告" in text(response), name


def test_public_pages_answer_head_as_they_answer_get(
    client: Client, clock: ControlledClock, tender: Tender
) -> None:
    """Link checkers, caches and `curl -I` ask with HEAD: same status and validators, no body."""
    notice = publish(tender, clock, "道路改造招标公告")
    urls = [
        *pages(tender).values(),
        reverse("portal_notice_detail", args=[notice.pk]),
        reverse("portal_rules"),
        reverse("portal_open_tenders"),
    ]
    for url in urls:
        got = client.get(url)
        head = client.head(url)
        assert (head.status_code, got.status_code) == (200, 200), url
        assert head.content == b"", url
        assert head.get("ETag") == got.get("ETag"), url
