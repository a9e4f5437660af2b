"""The portal's fast path (notices/portal_fastpath.py), through the ASGI application daphne serves
and a real Redis: an anonymous page asked twice is answered before Django, a publication shows on
the next request, signed-in visitors never get a kept page, HEAD and 304 work, and with Redis away
Django answers every page itself. PostgreSQL only: the server's thread needs committed rows."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from config.asgi import application
from notices.models import Notice, NoticeStatus
from notices.portal_fastpath import seq_key
from notices.receivers import SEQ_SYNC
from notices.services import notice_publish_rendered
from tests.conftest import ControlledClock
from tests.notices import fake_render
from tests.portal_data import publish_row
from tests.tenders import World, make_tender, make_world
from trading.chronograph import chronograph_tick, due_work_override
from trading.models import Tender

pytestmark = pytest.mark.django_db(transaction=True)

FAST = "x-tianping-cache"


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode()

    @property
    def fast(self) -> bool:
        return self.headers.get(FAST) == "fast"


def call(path: str, method: str = "GET", **headers: str) -> Answer:
    """One HTTP request to config.asgi.application, as daphne hands it over."""
    route, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"testserver")]
        + [(k.replace("_", "-").lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays connected until the answer is sent
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(application(scope, receive, send))
    start = sent[0]
    got = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return Answer(start["status"], got, body)


@pytest.fixture
def fast(settings: Any) -> Iterator[redis.Redis]:
    """The fast path on, under keys of this test's own in the services' Redis."""
    settings.PORTAL_FASTPATH = True
    settings.PORTAL_FASTPATH_PREFIX = f"test:fast:{uuid.uuid4().hex}:"
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    yield client
    for key in client.scan_iter(settings.PORTAL_FASTPATH_PREFIX + "*"):
        client.delete(key)


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world()


@pytest.fixture
def tender(world: World) -> Tender:
    return make_tender(world, name="海口市道路改造工程")


def publish(tender: Tender, clock: ControlledClock, title: str) -> Notice:
    clock.advance(minutes=5)
    scheduled = publish_row(tender, title=title, status=NoticeStatus.SCHEDULED)
    return notice_publish_rendered(notice=scheduled, rendered=fake_render(scheduled), clock=clock)


def test_an_anonymous_page_asked_twice_is_answered_before_django(
    fast: redis.Redis, clock: ControlledClock, tender: Tender
) -> None:
    publish(tender, clock, "道路改造招标公告")
    search = reverse("portal_notices") + "?q=道路"

    for url in (reverse("portal_notices"), search):
        first = call(url)
        again = call(url)

        assert first.status == again.status == 200
        assert not first.fast and again.fast
        assert again.body == first.body and "道路改造招标公告" in again.text
        for name in ("content-type", "etag", "cache-control", "vary", "content-language"):
            assert again.headers[name] == first.headers[name], name
        assert "x-tianping-fast-seq" not in first.headers | again.headers


def test_a_publication_shows_on_the_next_request(
    fast: redis.Redis, clock: ControlledClock, tender: Tender
) -> None:
    url = reverse("portal_notices")
    publish(tender, clock, "道路改造招标公告")
    call(url)
    assert call(url).fast

    publish(tender, clock, "道路改造变更公告")

    after = call(url)
    assert not after.fast and "道路改造变更公告" in after.text
    assert call(url).fast and "道路改造变更公告" in call(url).text


def test_a_publication_whose_hook_was_lost_shows_after_one_tick(
    fast: redis.Redis, clock: ControlledClock, tender: Tender
) -> None:
    url = reverse("portal_notices")
    publish(tender, clock, "道路改造招标公告")
    call(url)
    old: bytes = fast.get(seq_key())  # type: ignore[assignment]
    publish(tender, clock, "道路改造变更公告")
    fast.set(seq_key(), old)  # as if the publisher died between commit and on-commit
    assert "道路改造变更公告" not in call(url).text

    with due_work_override(SEQ_SYNC):
        chronograph_tick(clock=clock)

    assert "道路改造变更公告" in call(url).text


def test_a_signed_in_visitor_never_gets_nor_leaves_a_kept_page(
    fast: redis.Redis, settings: Any, clock: ControlledClock, world: World, tender: Tender
) -> None:
    url = reverse("portal_notices")
    publish(tender, clock, "道路改造招标公告")
    browser = Client()
    browser.force_login(world.agency_user)
    name = django_settings.SESSION_COOKIE_NAME
    session = f"{name}={browser.cookies[name].value}"

    for _ in range(2):
        answer = call(url, cookie=session)
        assert answer.status == 200 and not answer.fast
        assert "private" in answer.headers["cache-control"]
    assert not list(fast.scan_iter(settings.PORTAL_FASTPATH_PREFIX + "page:*"))

    call(url)
    assert call(url).fast
    assert not call(url, cookie=session).fast


def test_each_language_has_its_own_kept_page(
    fast: redis.Redis, clock: ControlledClock, tender: Tender
) -> None:
    url = reverse("portal_notices")
    publish(tender, clock, "道路改造招标公告")
    call(url, accept_language="zh-CN")
    assert call(url, accept_language="zh-CN").fast

    english = call(url, accept_language="en")
    assert not english.fast and english.headers["content-language"] == "en"
    again = call(url, accept_language="en")
    assert again.fast and again.headers["content-language"] == "en"
    assert again.body == english.body


def test_head_and_a_matching_etag_are_answered_by_the_fast_path(
    fast: redis.Redis, clock: ControlledClock, tender: Tender
) -> None:
    url = reverse("portal_notices")
    publish(tender, clock, "道路改造招标公告")
    etag = call(url).headers["etag"]

    head = call(url, method="HEAD")
    assert head.status == 200 and head.fast and head.body == b""

    unchanged = call(url, if_none_match=etag)
    assert unchanged.status == 304 and unchanged.fast and unchanged.body == b""
    assert unchanged.headers["etag"] == etag


def test_with_redis_away_django_answers_every_page(
    fast: redis.Redis, settings: Any, clock: ControlledClock, tender: Tender
) -> None:
    publish(tender, clock, "道路改造招标公告")
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port

    for _ in range(2):
        answer = call(reverse("portal_notices"))
        assert answer.status == 200 and not answer.fast
        assert "道路改造招标公告" in answer.text
