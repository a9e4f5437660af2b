"""Demo notices for `make run`: the demo tenders' events drafted into notices and approved by staff.

The rendering itself happens in the Celery worker of the slow queue, as in production, so the
portal fills within a minute of start-up. One draft is left for the staff's review queue.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from notices.models import Notice, NoticeStatus
from notices.services import notice_approve
from trading.chronograph import OUTBOX, chronograph_tick, due_work_override
from trading.selectors.access import desk_staff_list


def demo_notices_seed() -> dict[str, int]:
    """Deliver the pending events (drafting notices), then approve all drafts but the newest."""
    if not settings.DEMO:
        raise ImproperlyConfigured("Demo notices are only seeded in demo mode (TIANPING_DEMO).")
    with due_work_override(OUTBOX):
        while chronograph_tick():
            pass
    drafts = list(
        Notice.objects.filter(status=NoticeStatus.DRAFT, training=False)
        .select_related("tender__desk")
        .order_by("created_at", "pk")
    )
    for notice in drafts[:-1]:
        staff = desk_staff_list(notice.tender.desk)
        # A procurement's result and letter are approved together (87号令 第69条).
        still_draft = Notice.objects.filter(pk=notice.pk, status=NoticeStatus.DRAFT).exists()
        if staff and still_draft:
            notice_approve(notice=notice, actor=staff[0])
    left = Notice.objects.filter(pk__in=[n.pk for n in drafts], status=NoticeStatus.DRAFT).count()
    return {"notices_approved": len(drafts) - left, "notices_left_for_review": left}
