"""Notices from lifecycle events to publication: drafts, review, scheduling, rendering, ledger."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from notices.models import LETTER_KINDS, Notice, NoticeKind, NoticeStatus
from notices.receivers import PUBLISH
from notices.services import (
    RENDER_LEASE,
    notice_approve,
    notice_correct,
    notice_draft,
    notice_update,
)
from notices.tasks import notice_render_and_publish
from tests.conftest import ControlledClock
from tests.notices import broken_render, deliver_events, fake_render, queued_renders
from tests.tenders import (
    award_and_close,
    closes,
    first_lot,
    make_tender,
    make_world,
    pdf_file,
    publicity_end,
    record_outcome,
)
from trading.chronograph import chronograph_tick, due_work_override
from trading.domain.retry import MAX_ATTEMPTS
from trading.domain.timeline import SHANGHAI
from trading.models import EventDelivery, LedgerEntry, Notification, Question, User
from trading.selectors.tenders import tender_scope_key
from trading.selectors.timeline import lot_timeline
from trading.services.lots import lot_terminate
from trading.services.outcomes import lot_record_auction_result, lot_record_bid_count
from trading.services.questions import question_answer, question_ask

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    with queued_renders(monkeypatch) as renders:
        yield renders


def kinds(**filters: Any) -> list[str]:
    return sorted(Notice.objects.filter(**filters).values_list("kind", flat=True))


def announcement(clock: ControlledClock) -> Notice:
    world = make_world()
    tender = make_tender(world, name="海口市道路工程")
    deliver_events(clock)
    return Notice.objects.get(tender=tender, kind=NoticeKind.ANNOUNCEMENT)


def staff_of(notice: Notice) -> User:
    """The desk staff member who published the notice's tender."""
    user = notice.tender.published_by
    assert user is not None
    return user


# --- drafts from events -------------------------------------------------------------------


def test_a_published_tender_gets_its_announcement_drafted_from_its_data(
    clock: ControlledClock,
) -> None:
    notice = announcement(clock)

    assert notice.status == NoticeStatus.DRAFT
    assert notice.title == "海口市道路工程招标公告"
    agency = notice.tender.project.agency
    assert agency is not None and notice.issuer == agency.name
    assert notice.data["tender_code"] == notice.tender.code
    assert notice.region_id == notice.tender.project.region_id
    assert notice.due_at is not None and notice.due_at > clock.now
    assert notice.verification_code and len(notice.verification_code) == 14
    reviewers = set(
        Notification.objects.filter(kind="notice.drafted").values_list("recipient", flat=True)
    )
    assert staff_of(notice).pk in reviewers


def test_a_repeated_delivery_drafts_nothing_twice(clock: ControlledClock) -> None:
    notice = announcement(clock)
    EventDelivery.objects.filter(receiver="notices.announcement").update(status="pending")

    deliver_events(clock)

    assert Notice.objects.filter(tender=notice.tender).count() == 1
    again = notice_draft(
        kind=NoticeKind.ANNOUNCEMENT, tender=notice.tender, source_event_id=notice.source_event_id
    )
    assert again.pk == notice.pk


def test_candidates_are_due_within_3_days_of_the_report_and_the_award_brings_its_letter(
    clock: ControlledClock,
) -> None:
    world = make_world()
    lot = first_lot(make_tender(world))
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot = record_outcome(world, lot)
    deliver_events(clock)
    candidates = Notice.objects.get(lot=lot, kind=NoticeKind.CANDIDATES)
    assert candidates.due_at is not None
    assert timedelta(days=3) < candidates.due_at - clock.now <= timedelta(days=4)

    clock.set(publicity_end(lot) + timedelta(minutes=1))
    award_and_close(world, lot)
    deliver_events(clock)

    assert kinds(lot=lot) == ["award_letter", "candidates", "result"]
    letter = Notice.objects.get(lot=lot, kind=NoticeKind.AWARD_LETTER)
    assert letter.addressee_id == world.bidders[0].pk
    assert letter.issuer == world.owner.name


def test_a_sale_by_listing_brings_a_deal_notice_and_a_deal_confirmation(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="land")
    lot = first_lot(make_tender(world))
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot = record_outcome(world, lot)
    clock.set(publicity_end(lot) + timedelta(minutes=1))
    award_and_close(world, lot)
    deliver_events(clock)

    assert kinds(lot=lot) == ["deal", "deal_confirmation"]
    confirmation = Notice.objects.get(lot=lot, kind=NoticeKind.DEAL_CONFIRMATION)
    assert confirmation.addressee_id == world.bidders[0].pk


@pytest.mark.parametrize("how", ["too_few_bids", "unsold", "terminated"])
def test_a_failed_or_terminated_lot_is_announced(clock: ControlledClock, how: str) -> None:
    world = make_world(business_type="land" if how == "unsold" else "engineering")
    lot = first_lot(make_tender(world))
    if how == "terminated":
        lot_terminate(lot=lot, reason="项目取消", actor=world.owner_user)
        expected = "termination"
    else:
        clock.set(closes(lot) + timedelta(minutes=1))
        chronograph_tick(clock=clock)
        lot.refresh_from_db()
        if how == "unsold":
            lot_record_auction_result(lot=lot, sold=False, actor=world.staff)
        else:
            lot_record_bid_count(lot=lot, count=1, actor=world.staff)
        expected = "failure"
    deliver_events(clock)

    assert kinds(lot=lot) == [expected]


def test_answers_to_questions_are_drafted_as_a_clarification(clock: ControlledClock) -> None:
    world = make_world()
    tender = make_tender(world)
    question = question_ask(tender=tender, text="工期能否顺延？", actor=world.bidder_users[0])
    question_answer(
        questions=[Question.objects.get(pk=question.pk)],
        document_file=pdf_file("answers.pdf"),
        title="澄清文件",
        actor=world.owner_user,
    )
    deliver_events(clock)

    assert kinds(tender=tender) == ["announcement", "clarification"]


# --- review and publication ---------------------------------------------------------------


def test_desk_staff_edit_a_draft_and_others_may_not(clock: ControlledClock) -> None:
    notice = announcement(clock)
    world_staff = staff_of(notice)

    notice_update(notice=notice, title="新标题", body="补充说明", actor=world_staff)
    notice.refresh_from_db()
    assert (notice.title, notice.body) == ("新标题", "补充说明")
    with pytest.raises(PermissionDenied):
        notice_update(notice=notice, title="x", body="", actor=notice.tender.drafted_by)
    with pytest.raises(ValidationError):
        notice_update(notice=notice, title="  ", body="", actor=world_staff)


def test_approving_now_queues_the_render_and_the_render_publishes_with_the_next_number(
    clock: ControlledClock,
    queued: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    notice = announcement(clock)
    staff = staff_of(notice)
    with django_capture_on_commit_callbacks(execute=True):
        notice_approve(notice=notice, actor=staff)
    assert queued == [notice.pk]
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SCHEDULED
    assert notice.publish_at == clock.now + RENDER_LEASE

    clock.advance(seconds=2)
    notice_render_and_publish(notice.pk, render=fake_render, clock=clock)

    notice.refresh_from_db()
    expected = fake_render(notice)
    assert notice.status == NoticeStatus.PUBLISHED
    assert notice.publication_seq == 1
    assert notice.published_at == clock.now
    assert (notice.pdf_sha256, notice.hash_alg) == (expected.sha256, "sha256")
    assert notice.template_version == "test-1"
    assert notice.pdf.read() == expected.content
    assert "海口" in notice.search_terms
    entry = LedgerEntry.objects.get(
        scope__key=tender_scope_key(notice.tender_id), action="notice.published"
    )
    assert entry.payload["sha256"] == notice.pdf_sha256
    assert entry.payload["seq"] == 1

    # A second copy of the task finds it published and changes nothing.
    notice_render_and_publish(notice.pk, render=fake_render, clock=clock)
    notice.refresh_from_db()
    assert notice.publication_seq == 1


def test_a_notice_set_for_later_is_published_by_the_chronograph_when_due(
    clock: ControlledClock, queued: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    notice = announcement(clock)
    at = clock.now + timedelta(hours=2)
    notice_approve(notice=notice, publish_at=at, actor=staff_of(notice))

    with due_work_override(PUBLISH), django_capture_on_commit_callbacks(execute=True):
        assert chronograph_tick(clock=clock) == 0
        clock.set(at)
        assert chronograph_tick(clock=clock) == 1
        # The render is leased: the next tick does not queue it again.
        clock.advance(seconds=30)
        assert chronograph_tick(clock=clock) == 0
    assert queued == [notice.pk]


def test_a_publish_time_in_the_past_is_refused(clock: ControlledClock) -> None:
    notice = announcement(clock)
    with pytest.raises(ValidationError):
        notice_approve(
            notice=notice,
            publish_at=clock.now - timedelta(minutes=1),
            actor=staff_of(notice),
        )


@pytest.mark.parametrize(
    "publish_at",
    [
        datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
        datetime(2026, 12, 1, 0, 1, tzinfo=SHANGHAI),
    ],
)
def test_the_service_refuses_a_time_after_the_legal_limit(
    clock: ControlledClock, publish_at: datetime
) -> None:
    notice = announcement(clock)
    with pytest.raises(ValidationError) as refused:
        notice_approve(notice=notice, publish_at=publish_at, actor=staff_of(notice))

    assert refused.value.error_dict["publish_at"][0].code == "after_legal_limit"
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DRAFT


def test_the_service_accepts_the_last_moment_of_the_legal_limit(clock: ControlledClock) -> None:
    notice = announcement(clock)
    assert notice.due_at == datetime(2026, 12, 1, tzinfo=SHANGHAI)

    notice_approve(notice=notice, publish_at=notice.due_at, actor=staff_of(notice))

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SCHEDULED


def test_a_failed_render_leaves_the_notice_unpublished_and_retries_it_with_backoff(
    clock: ControlledClock, queued: list[int]
) -> None:
    notice = announcement(clock)
    notice_approve(notice=notice, actor=staff_of(notice))

    notice_render_and_publish(notice.pk, render=broken_render, clock=clock)

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SCHEDULED
    assert notice.publication_seq is None and notice.pdf_sha256 == ""
    assert notice.render_attempts == 1
    assert "字体缺失" in notice.render_error
    assert notice.publish_at == clock.now + timedelta(seconds=5)

    clock.advance(seconds=5)
    with due_work_override(PUBLISH):
        assert chronograph_tick(clock=clock) == 1
    notice_render_and_publish(notice.pk, render=fake_render, clock=clock)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED
    assert notice.render_error == ""
    assert notice.publication_seq == 1


def test_after_the_last_automatic_attempt_a_failed_render_waits_for_staff(
    clock: ControlledClock, queued: list[int]
) -> None:
    from notices.services import notice_render_retry

    notice = announcement(clock)
    notice_approve(notice=notice, actor=staff_of(notice))
    Notice.objects.filter(pk=notice.pk).update(render_attempts=MAX_ATTEMPTS - 1)

    notice_render_and_publish(notice.pk, render=broken_render, clock=clock)
    notice.refresh_from_db()
    assert notice.publish_at is None
    clock.advance(days=2)
    with due_work_override(PUBLISH):
        assert chronograph_tick(clock=clock) == 0

    notice_render_retry(notice=notice, actor=staff_of(notice))
    notice.refresh_from_db()
    assert notice.publish_at == clock.now + RENDER_LEASE


def test_a_published_letter_is_delivered_to_the_winners_users(
    clock: ControlledClock, queued: list[int]
) -> None:
    world = make_world()
    lot = first_lot(make_tender(world))
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot = record_outcome(world, lot)
    clock.set(publicity_end(lot) + timedelta(minutes=1))
    award_and_close(world, lot)
    deliver_events(clock)
    letter = Notice.objects.get(lot=lot, kind__in=LETTER_KINDS)

    notice_approve(notice=letter, actor=world.staff)
    notice_render_and_publish(letter.pk, render=fake_render, clock=clock)

    inbox = Notification.objects.filter(kind="notice.letter", recipient=world.bidder_users[0])
    # The document's kind in the reader's words, then the lot it awards (not the Chinese title).
    assert inbox.get().title == f"中标通知书：{lot.code} {lot.name}"
    with translation.override("en"):
        assert inbox.get().shown_title.startswith("Award letter")


def test_a_correction_is_a_new_draft_that_points_at_the_published_notice(
    clock: ControlledClock, queued: list[int]
) -> None:
    notice = announcement(clock)
    staff = staff_of(notice)
    notice_approve(notice=notice, actor=staff)
    notice_render_and_publish(notice.pk, render=fake_render, clock=clock)
    notice.refresh_from_db()

    correction = notice_correct(notice=notice, title="更正公告", body="开标地点更正", actor=staff)

    assert (correction.status, correction.corrects_id) == ("draft", notice.pk)
    assert correction.verification_code != notice.verification_code
    with pytest.raises(ValidationError):
        notice_update(notice=notice, title="改", body="", actor=staff)
    with pytest.raises(ValidationError):
        notice_correct(notice=correction, title="再改", body="", actor=staff)


# --- timeline lights ----------------------------------------------------------------------


def test_the_lot_timeline_shows_a_late_notice_red_and_a_published_one_done(
    clock: ControlledClock, queued: list[int]
) -> None:
    notice = announcement(clock)
    lot = first_lot(notice.tender)
    assert notice.due_at is not None

    items = {item.key: item for item in lot_timeline(lot, clock.now)}
    assert items[f"notice:{notice.pk}"].light == "yellow"
    late = {item.key: item for item in lot_timeline(lot, notice.due_at + timedelta(minutes=1))}
    assert late[f"notice:{notice.pk}"].light == "red"
    # 招标投标法 第16条 sets no period: the same-day limit is the platform's own rule.
    assert late[f"notice:{notice.pk}"].article == "本平台规则（法律未规定期限）"

    notice_approve(notice=notice, actor=staff_of(notice))
    notice_render_and_publish(notice.pk, render=fake_render, clock=clock)
    done = {item.key: item for item in lot_timeline(lot, clock.now + timedelta(days=9))}
    assert done[f"notice:{notice.pk}"].light == "done"


def test_the_real_renderer_publishes_a_pdf_whose_hash_is_stored(
    clock: ControlledClock, queued: list[int]
) -> None:
    notice = announcement(clock)
    notice_approve(notice=notice, actor=staff_of(notice))

    notice_render_and_publish(notice.pk, clock=clock)

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED, notice.render_error
    content = notice.pdf.read()
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == notice.pdf_sha256
    assert notice.template_version
