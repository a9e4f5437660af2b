"""Test helpers for notices: a stand-in renderer, event delivery, and publishing a notice.

Tests inject `fake_render` into `notice_render_and_publish(render=...)`; production code always
renders with `notices.rendering.render_notice`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from notices.models import ComplaintDocument, Notice, NoticeStatus
from notices.rendering import RenderedPdf, notice_html
from trading.chronograph import OUTBOX, chronograph_tick, due_work_override
from trading.clock import Clock


def fake_render(notice: Notice) -> RenderedPdf:
    content = f"%PDF-1.4 test {notice.verification_code} {notice.title}".encode()
    # The real HTML (cheap): only WeasyPrint's PDF is stood in for.
    return RenderedPdf(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        template_version="test-1",
        html=notice_html(notice),
    )


def fake_complaint_render(document: ComplaintDocument) -> RenderedPdf:
    """A complaint document's real HTML with a stand-in PDF (WeasyPrint is tested elsewhere)."""
    from notices.complaint_documents import complaint_document_html

    content = f"%PDF-1.4 test {document.kind} {document.complaint_id}".encode()
    return RenderedPdf(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        template_version="test-1",
        html=complaint_document_html(document),
    )


def broken_render(notice: Notice) -> RenderedPdf:
    raise RuntimeError("字体缺失")


def deliver_events(clock: Clock) -> int:
    """Deliver pending domain events to their receivers (the outbox only, nothing else due)."""
    with due_work_override(OUTBOX):
        return chronograph_tick(clock=clock)


@contextmanager
def queued_renders(monkeypatch: Any) -> Iterator[list[int]]:
    """Record the renders queued on commit instead of sending them to a broker."""
    from notices import tasks

    queued: list[int] = []

    def record(args: tuple[int], **options: Any) -> None:
        assert options.get("queue") == "slow"
        queued.append(args[0])

    monkeypatch.setattr(tasks.notice_render, "apply_async", record)
    yield queued


def published(notice: Notice) -> bool:
    notice.refresh_from_db()
    return notice.status == NoticeStatus.PUBLISHED
