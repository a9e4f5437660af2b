"""Celery tasks of notices: rendering runs here, on the slow queue, never in a request."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from celery import shared_task

from notices.models import Notice, NoticeStatus
from notices.services import notice_publish_rendered, notice_render_failed
from trading.clock import Clock

if TYPE_CHECKING:
    from notices.rendering import RenderedPdf

logger = logging.getLogger(__name__)

Renderer = Callable[[Notice], "RenderedPdf"]


def notice_render_and_publish(
    notice_id: int, *, render: Renderer | None = None, clock: Clock | None = None
) -> Notice | None:
    """Render outside any transaction, then publish; a failure leaves it unpublished, retried."""
    if render is None:
        from notices.rendering import render_notice

        render = render_notice
    notice = Notice.objects.select_related("tender", "lot").filter(pk=notice_id).first()
    if notice is None or notice.status != NoticeStatus.SCHEDULED:
        return notice  # published by an earlier copy of this task, or withdrawn
    try:
        rendered = render(notice)
        return notice_publish_rendered(notice=notice, rendered=rendered, clock=clock)
    except Exception as exc:
        # The publishing transaction rolled back whole: the notice is as it was, still scheduled.
        logger.exception("notice #%s: render or publication failed", notice_id)
        error = f"{type(exc).__name__}: {exc}"
        return notice_render_failed(notice=notice, error=error, clock=clock)


@shared_task(name="notices.tasks.notice_render", ignore_result=True)
def notice_render(notice_id: int) -> None:
    notice_render_and_publish(notice_id)


@shared_task(name="notices.tasks.complaint_document_render", ignore_result=True)
def complaint_document_render(document_id: int) -> None:
    from notices.complaint_delivery import complaint_document_render_and_store

    complaint_document_render_and_store(document_id)


@shared_task(name="notices.tasks.opening_record_render", ignore_result=True)
def opening_record_render(record_id: int) -> None:
    from notices.opening_records import opening_record_render_and_store

    opening_record_render_and_store(record_id)
