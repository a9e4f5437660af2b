"""`make run`'s regulator sees the demo's story in its lights, not the demo's start-up.

The demo's tenders are played in the past and their notices published by the workers at start-up;
a regulator opening the console once saw every demo lot red (发布招标公告 逾期完成). The notices
now go public when the demo's desk publishes them, and the lights (and the colour filter) agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from notices.demo import demo_notices_seed
from notices.models import Notice, NoticeStatus
from notices.receivers import PUBLISH, TRAINING_APPROVE
from notices.tasks import notice_render_and_publish
from tests.conftest import ControlledClock
from tests.notices import deliver_events, fake_render, queued_renders
from trading.chronograph import chronograph_tick, due_work_override
from trading.models import User

pytestmark = pytest.mark.django_db

# The demo tender whose story publishes its announcement two days late, on purpose.
INTENDED_LATE = "校园安保服务采购"


def _start_up(clock: ControlledClock, monkeypatch: pytest.MonkeyPatch, capture: Any) -> None:
    """What `make run` does: seed the demo, then its workers approve, render and publish."""
    from trading.services.demo_tenders import demo_tenders_seed

    demo_tenders_seed()
    with queued_renders(monkeypatch) as queued:
        with capture(execute=True):
            demo_notices_seed()
        # The workers come up seconds later (the demo's own story is long past by then), before
        # the training lots open, a minute after seeding.
        clock.advance(seconds=20)
        with due_work_override(TRAINING_APPROVE, PUBLISH), capture(execute=True):
            chronograph_tick(clock=clock)
        clock.advance(seconds=10)
        for notice_id in queued:
            notice_render_and_publish(notice_id, render=fake_render, clock=clock)
    deliver_events(clock)


def _as(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_demo_regulator_sees_no_red_light_the_demo_did_not_intend(
    demo: dict[str, int],
    clock: ControlledClock,
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    _start_up(clock, monkeypatch, django_capture_on_commit_callbacks)

    published = Notice.objects.filter(status=NoticeStatus.PUBLISHED)
    assert published.count() >= 8
    # Published when the demo's desk published them: before start-up, within their limits but
    # for the one announcement the demo publishes late on purpose.
    late = []
    for notice in published:
        assert notice.published_at is not None and notice.published_at < clock.now, notice.title
        if notice.due_at is not None and notice.published_at > notice.due_at:
            late.append(notice.tender.name)
    assert late == [INTENDED_LATE]

    client = _as("reg_housing")
    page = client.get(reverse("supervision_console")).text
    assert page.count('data-light="') >= 5
    assert 'data-light="red"' not in page and "light-red" not in page
    assert "发布招标公告" in page
    red = client.get(reverse("supervision_console"), {"light": "red"}).text
    assert "没有符合条件的标段。" in red
    green = client.get(reverse("supervision_console"), {"light": "green"}).text
    assert 'data-light="green"' in green

    # The finance regulator follows the one the demo meant: red on the page and in the filter.
    finance = _as("reg_finance")
    page = finance.get(reverse("supervision_console")).text
    assert page.count('data-light="red"') == 1
    red = finance.get(reverse("supervision_console"), {"light": "red"}).text
    assert red.count('data-light="red"') == 1 and INTENDED_LATE in red
    assert red.count('data-light="') == 1
    land = _as("reg_land").get(reverse("supervision_console")).text
    assert land.count('data-light="') >= 2 and "light-red" not in land


def test_a_real_notice_is_published_when_it_goes_public_even_with_a_story(
    demo: dict[str, int],
    clock: ControlledClock,
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Outside demo mode a stored story moment is ignored: published_at is the publication."""
    from notices.demo import notice_story_set
    from trading.services.demo_tenders import demo_tenders_seed

    settings.MEDIA_ROOT = tmp_path
    demo_tenders_seed()
    with queued_renders(monkeypatch) as queued, django_capture_on_commit_callbacks(execute=True):
        demo_notices_seed()
    notice = Notice.objects.get(pk=queued[0])
    assert notice.story_published_at is not None and notice.story_published_at < clock.now

    settings.DEMO = False
    clock.advance(minutes=5)
    notice_render_and_publish(notice.pk, render=fake_render, clock=clock)
    notice.refresh_from_db()
    assert notice.published_at == clock.now
    draft = Notice.objects.filter(status=NoticeStatus.DRAFT, training=False).first()
    assert draft is not None
    with pytest.raises(Exception, match="TIANPING_DEMO"):
        notice_story_set(draft, clock.now)
