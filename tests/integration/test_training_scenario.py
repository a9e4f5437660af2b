"""Training tenders run by themselves: the demo seed starts one of each family, the chronograph
(driven here by the ControlledClock, a tick every 5 s as beat does) publishes their notices as
the training scenario and takes every step nobody takes, and each reaches its end within 15
minutes; a training lot that cannot move is closed with its reason."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from notices.models import Notice, NoticeKind, NoticeStatus
from notices.tasks import notice_render_and_publish
from tests.conftest import ControlledClock
from tests.notices import queued_renders
from tests.tenders import make_tender, make_world
from trading.chronograph import chronograph_tick
from trading.domain.lifecycle import TERMINAL, Family, LotStatus
from trading.models import LedgerEntry, Lot, Notification, User
from trading.services.demo_tenders import demo_tenders_seed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TICK = timedelta(seconds=5)
django_capture_on_commit_callbacks = TestCase.captureOnCommitCallbacks


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    with queued_renders(monkeypatch) as renders:
        yield renders


def training_lots() -> list[Lot]:
    return list(
        Lot.objects.filter(tender__project__training=True)
        .select_related("tender__procedure", "tender__project")
        .order_by("pk")
    )


def run(clock: ControlledClock, queued: list[int], *, until: timedelta) -> None:
    """Beat's ticks and the slow worker's renders (real WeasyPrint), until every training lot
    is over or `until` has passed."""
    end = clock.now + until
    while clock.now < end:
        clock.set(clock.now + TICK)
        # The test's transaction never commits: run what each tick queues on commit.
        with django_capture_on_commit_callbacks(execute=True):
            chronograph_tick(clock=clock)
        while queued:
            notice_render_and_publish(queued.pop(0), clock=clock)
        if all(lot.status in TERMINAL for lot in training_lots()):
            return


def test_demo_training_tenders_of_every_family_reach_their_end_within_15_minutes(
    demo: dict[str, int], clock: ControlledClock, queued: list[int]
) -> None:
    started = clock.now
    counts = demo_tenders_seed(clock=clock)
    assert counts["training_tenders"] == 4
    lots = training_lots()
    families = {Family(lot.tender.procedure.family) for lot in lots}
    assert families == {
        Family.SEALED_BID,
        Family.LISTING_AUCTION,
        Family.NEGOTIATED,
        Family.PROPERTY_DISCLOSURE,
    }

    run(clock, queued, until=timedelta(minutes=15))

    assert clock.now - started <= timedelta(minutes=15)
    for lot in training_lots():
        # Every one ran its course to the report: no person took a step, none was cut short.
        assert lot.status == LotStatus.CLOSED, (lot.code, lot.status)
        assert lot.termination_reason == "", (
            lot.code,
            lot.tender.procedure.family,
            lot.termination_reason,
            list(Notice.objects.filter(lot=lot).values_list("kind", "status", "render_error")),
        )
        actions = set(
            LedgerEntry.objects.filter(object_type="lot", object_id=str(lot.pk)).values_list(
                "action", flat=True
            )
        )
        assert {"lot.awarded", "lot.contracted", "lot.closed"} <= actions, actions
    notices = Notice.objects.filter(training=True)
    # Every training notice was published by the scenario: none waits in the review queue.
    assert not notices.exclude(status=NoticeStatus.PUBLISHED).exists()
    assert notices.filter(approved_by__isnull=True).count() == notices.count()
    assert set(notices.values_list("kind", flat=True)) >= {
        NoticeKind.ANNOUNCEMENT,
        NoticeKind.CANDIDATES,
        NoticeKind.DEAL,
        NoticeKind.AWARD_LETTER,
        NoticeKind.DEAL_CONFIRMATION,
    }
    approvals = LedgerEntry.objects.filter(action="notice.approved", actor_id__isnull=True)
    assert approvals.count() == notices.count()
    assert all(entry.payload.get("by") == "training_scenario" for entry in approvals)


def test_training_notices_are_on_the_portal_marked_as_training(
    demo: dict[str, int], clock: ControlledClock, queued: list[int]
) -> None:
    demo_tenders_seed(clock=clock)
    run(clock, queued, until=timedelta(minutes=1))
    announcement = Notice.objects.get(
        training=True, kind=NoticeKind.ANNOUNCEMENT, tender__procedure__family="sealed_bid"
    )
    assert announcement.status == NoticeStatus.PUBLISHED
    client = Client()
    listing = client.get(reverse("portal_notices"), {"training": "on"})
    assert announcement.title in listing.content.decode()
    page = client.get(reverse("portal_notice_detail", args=[announcement.pk])).content.decode()
    assert "培训演示公告" in page
    assert "本公告由培训场景自动审核发布" in page
    # The PDF carries the 培训演示 watermark (real WeasyPrint, read back as text).
    text = subprocess.run(
        ["pdftotext", announcement.pdf.path, "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "培训演示" in text


def _engineering_lot() -> Lot:
    return next(lot for lot in training_lots() if lot.tender.procedure.family == "sealed_bid")


def _closed_with_reason(lot: Lot, words: str) -> None:
    lot.refresh_from_db()
    assert lot.status == LotStatus.CLOSED
    assert words in lot.termination_reason
    assert "培训演示自动结束" in lot.termination_reason
    assert LedgerEntry.objects.filter(
        action="lot.training_closed", object_type="lot", object_id=str(lot.pk)
    ).exists()
    owner = User.objects.get(username="owner_school")
    client = Client()
    client.force_login(owner)
    page = client.get(f"/lots/{lot.pk}/").content.decode()
    assert lot.termination_reason in page
    message = Notification.objects.get(recipient=owner, kind="lot.training_closed")
    assert message.body == lot.termination_reason
    assert lot.code in message.title


def test_a_suspended_training_lot_is_closed_with_its_reason_on_the_lot_page_and_in_the_inbox(
    demo: dict[str, int], clock: ControlledClock, queued: list[int]
) -> None:
    from trading.services.holds import hold_place

    demo_tenders_seed(clock=clock)
    lot = _engineering_lot()
    run(clock, queued, until=timedelta(minutes=2))  # bidding opened a minute after seeding
    hold_place(
        lot=lot,
        reason="outage",
        note="系统故障",
        actor=User.objects.get(username="staff_haikou"),
        clock=clock,
    )
    run(clock, queued, until=timedelta(minutes=2, seconds=55))
    lot.refresh_from_db()
    assert lot.status == LotStatus.BIDDING  # not yet: 3 training days after the suspension
    run(clock, queued, until=timedelta(seconds=10))
    _closed_with_reason(lot, "暂停")


def test_a_training_lot_nobody_can_record_is_closed_with_its_reason(
    demo: dict[str, int], clock: ControlledClock, queued: list[int]
) -> None:
    demo_tenders_seed(clock=clock)
    # The desk has nobody left to record the opening (the demo actor acts as the desk's staff).
    User.objects.filter(username="staff_haikou").update(is_active=False)
    lot = _engineering_lot()
    run(clock, queued, until=timedelta(minutes=8))
    _closed_with_reason(lot, "登记开标结果")
    assert lot.bid_count is None


def test_a_submitted_training_tender_is_published_by_the_scenario_and_its_notice_with_it(
    clock: ControlledClock, queued: list[int]
) -> None:
    world = make_world()
    tender = make_tender(
        world,
        training=True,
        time_scale=1440,
        opens_in=timedelta(minutes=1),
        closes_in=timedelta(minutes=30),
        publish=False,
    )
    assert tender.status == "pending_review"
    run(clock, queued, until=timedelta(seconds=15))
    tender.refresh_from_db()
    assert tender.status == "published"
    entry = LedgerEntry.objects.get(action="tender.published", object_id=str(tender.pk))
    assert entry.actor_id == world.staff.pk  # the desk's demo actor, through tender_publish
    announcement = Notice.objects.get(tender=tender, kind=NoticeKind.ANNOUNCEMENT)
    assert announcement.status == NoticeStatus.PUBLISHED


def test_a_training_tender_with_an_unlawful_schedule_is_returned_with_the_reason(
    clock: ControlledClock, queued: list[int]
) -> None:
    world = make_world()
    # Five training days to the deadline: fewer than 招标投标法 第24条's 20 日.
    tender = make_tender(
        world,
        training=True,
        time_scale=1440,
        opens_in=timedelta(minutes=1),
        closes_in=timedelta(minutes=5),
        publish=False,
    )
    run(clock, queued, until=timedelta(seconds=5))
    tender.refresh_from_db()
    assert tender.status == "draft"
    message = Notification.objects.get(recipient=world.owner_user, kind="tender.rejected")
    assert "培训场景审核未通过" in message.body and "第24条" in message.body


def test_a_training_auction_says_it_has_no_room_and_when_the_scenario_ends_it(
    demo: dict[str, int], clock: ControlledClock, queued: list[int]
) -> None:
    demo_tenders_seed(clock=clock)
    run(clock, queued, until=timedelta(minutes=4, seconds=5))  # the listing closed at 4 minutes
    lot = next(lot for lot in training_lots() if lot.tender.procedure.family == "listing_auction")
    assert lot.status == LotStatus.AUCTION
    client = Client()
    client.force_login(User.objects.get(username="staff_sanya"))
    page = client.get(reverse("lot_detail", args=[lot.pk])).content.decode()
    assert "培训标段不开网上竞价室" in page
    assert "由培训场景代为办理" in page
    run(clock, queued, until=timedelta(seconds=30))
    lot.refresh_from_db()
    assert lot.status == LotStatus.PUBLICITY
    message = Notification.objects.get(
        recipient__username="owner_land", kind="lot.training_auction", title__contains=lot.code
    )
    assert "培训标段不开网上竞价室" in message.body
