"""Demo notices for `make run`: the demo tenders' events drafted into notices and approved by staff.

The rendering itself happens in the Celery worker of the slow queue, as in production, so the
portal fills within a minute of start-up. One draft is left for the staff's review queue.

The demo's tenders are played in the past; their notices are published by the workers at
start-up. Each keeps the moment the demo's story has the desk publish it (an hour after the fact
that called for it, as the demo's publicity and award letters are), which the publication
records: the lights show the story, not a month's delay that is an artefact of the demo. One
demo tender's story publishes its announcement late on purpose (its `announcement_late_days`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, OuterRef, Subquery

from notices.models import Notice, NoticeKind, NoticeStatus
from notices.services import notice_approve
from trading.chronograph import OUTBOX, chronograph_tick, due_work_override
from trading.clock import get_clock
from trading.models import OutboxEvent
from trading.selectors.access import desk_staff_list

# How long after the fact the demo's desk publishes its notice (demo_tenders opens the publicity
# and issues the letter an hour after the report and the award); a training tender's is scaled.
DESK_REACTION = timedelta(hours=1)


def _late(notice: Notice) -> timedelta | None:
    """How late the demo's story publishes this announcement, where it wants one late."""
    from trading.services.demo_tenders import DEMO_TENDERS

    if notice.kind != NoticeKind.ANNOUNCEMENT or notice.tender.project.training:
        return None
    for demo in DEMO_TENDERS:
        if demo.tender == notice.tender.name and "announcement_late_days" in demo.extra:
            return timedelta(days=int(demo.extra["announcement_late_days"]))
    return None


def notice_story_set(notice: Notice, now: datetime) -> Notice:
    """Record when the demo's (or a training scenario's) story publishes this draft."""
    if not (settings.DEMO or notice.training):
        raise ImproperlyConfigured("Only demo or training notices have a story (TIANPING_DEMO).")
    occurred = (
        OutboxEvent.objects.filter(pk=notice.source_event_id)
        .values_list("occurred_at", flat=True)
        .first()
        if notice.source_event_id is not None
        else None
    )
    if occurred is None or notice.status != NoticeStatus.DRAFT:
        return notice
    scale = max(notice.tender.project.time_scale, 1)
    story = min(occurred + DESK_REACTION / scale, now)
    if notice.due_at is not None:
        late = _late(notice)
        story = min(story, notice.due_at) if late is None else min(notice.due_at + late, now)
    notice.story_published_at = story
    notice.save(update_fields=["story_published_at"])
    return notice


def demo_notices_seed() -> dict[str, int]:
    """Deliver the pending events (drafting notices), then approve all drafts but the newest."""
    if not settings.DEMO:
        raise ImproperlyConfigured("Demo notices are only seeded in demo mode (TIANPING_DEMO).")
    with due_work_override(OUTBOX):
        while chronograph_tick():
            pass
    drafts = list(
        Notice.objects.filter(status=NoticeStatus.DRAFT, training=False)
        .select_related("tender__desk", "tender__project")
        # By when their facts happened in the story, not when the outbox drafted them: a
        # demonstration armed after the histories (the opening's) is not the newest fact.
        .annotate(
            occurred=Subquery(
                OutboxEvent.objects.filter(pk=OuterRef("source_event_id")).values("occurred_at")[:1]
            )
        )
        .order_by(F("occurred").asc(nulls_last=True), "created_at", "pk")
    )
    now = get_clock()()
    for notice in drafts[:-1]:
        notice_story_set(notice, now)
    for notice in drafts[:-1]:
        staff = desk_staff_list(notice.tender.desk)
        # A procurement's result and letter are approved together (87号令 第69条).
        still_draft = Notice.objects.filter(pk=notice.pk, status=NoticeStatus.DRAFT).exists()
        if staff and still_draft:
            notice_approve(notice=notice, actor=staff[0])
    left = Notice.objects.filter(pk__in=[n.pk for n in drafts], status=NoticeStatus.DRAFT).count()
    return {"notices_approved": len(drafts) - left, "notices_left_for_review": left}
