"""The change feed: publications numbered gap-free in commit order, read by a poller (PostgreSQL).

Threads publish rendered notices at once while a poller follows /api/notices/changes from the last
number it saw; it must collect exactly 1..N, none skipped, none repeated.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from notices import search
from notices.domain.codes import verification_code_new
from notices.models import Notice, NoticeKind, NoticeStatus
from notices.services import notice_publish_rendered
from tests.conftest import ControlledClock
from tests.notices import fake_render
from tests.tenders import make_tender, make_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 4
EACH = 12


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def scheduled_notices(count: int, clock: ControlledClock) -> list[Notice]:
    tender = make_tender(make_world(), name="文昌市排水管网工程")
    project = tender.project
    return [
        Notice.objects.create(
            kind=NoticeKind.ANNOUNCEMENT,
            status=NoticeStatus.SCHEDULED,
            tender=tender,
            region_id=project.region_id,
            business_type_id=project.business_type_id,
            title=f"第{n}号公告",
            issuer=project.owner.name,
            created_at=clock.now,
            publish_at=clock.now,
            verification_code=verification_code_new(),
        )
        for n in range(count)
    ]


def test_a_poller_sees_every_publication_once_in_order_while_they_commit_concurrently(
    clock: ControlledClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    notices = scheduled_notices(WRITERS * EACH, clock)
    update = search.search_index_update

    def slow_index(notice: Notice) -> None:
        # Widen the window between taking a number and committing it.
        time.sleep(random.uniform(0, 0.01))
        update(notice)

    monkeypatch.setattr(search, "search_index_update", slow_index)
    errors: list[BaseException] = []
    done = threading.Event()
    seen: list[int] = []

    def publish(batch: list[Notice]) -> None:
        try:
            for notice in batch:
                notice_publish_rendered(notice=notice, rendered=fake_render(notice), clock=clock)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def poll() -> None:
        client = Client()
        after = 0
        try:
            while len(seen) < len(notices) and not errors:
                # Read before asking: an empty answer after every writer committed ends the poll.
                finished = done.is_set()
                body = client.get("/api/notices/changes", {"after": after, "limit": 5}).json()
                seen.extend(item["seq"] for item in body["items"])
                after = body["next_after"]
                if finished and not body["items"]:
                    break
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    writers = [
        threading.Thread(target=publish, args=(notices[n::WRITERS],)) for n in range(WRITERS)
    ]
    poller = threading.Thread(target=poll)
    poller.start()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
    done.set()
    poller.join(60)

    assert not errors, errors
    assert seen == list(range(1, len(notices) + 1))
    numbers = sorted(
        seq for seq in Notice.objects.values_list("publication_seq", flat=True) if seq is not None
    )
    assert numbers == list(range(1, len(notices) + 1))


def test_the_change_feed_refuses_nonsense_parameters(client: Client) -> None:
    for query in ({"after": "-1"}, {"after": "x"}, {"limit": "0"}, {"limit": "1e9"}):
        assert client.get("/api/notices/changes", query).status_code == 400
    assert client.get("/api/notices/changes").json() == {"items": [], "next_after": 0}
