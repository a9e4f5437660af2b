"""A complaint's documents reach people: each step's event becomes a stored PDF, delivered to the
parties through the inbox and, for a procurement decision, published on the portal.

The regulator's steps (trading.services.complaints) emit `complaint.accepted`, `.refused` and
`.decided`. The receiver freezes the document's input and asks for a render; the chronograph
queues it on the slow queue (the fast worker never waits behind WeasyPrint); the render task
stores the PDF, tells the parties and publishes, in one transaction. Every step is idempotent:
the outbox delivers at least once, and a render may be queued twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_noop

from notices.complaint_documents import complaint_document_input
from notices.domain.codes import verification_code_new
from notices.domain.documents.complaint_documents import (
    COMPLAINT_DOCUMENT_NAMES,
    complaint_document_published,
)
from notices.models import ComplaintDocument, ComplaintDocumentKind, Notice
from notices.rendering import verification_url
from trading.chronograph import DueWork, register_due_work
from trading.clock import Clock, get_clock
from trading.domain.retry import MAX_ATTEMPTS, backoff_seconds
from trading.events import receiver
from trading.models import Complaint, OutboxEvent
from trading.services.common import fixed_clock, ledger, lot_tender
from trading.services.complaint_support import complaint_parties, tender_regulators
from trading.services.notifications import notification_send
from trading.translatable import Message, Word

if TYPE_CHECKING:
    from notices.rendering import RenderedPdf

logger = logging.getLogger(__name__)

# A queued render that has not finished by then (a lost message, a killed worker) is queued again.
RENDER_LEASE = timedelta(minutes=10)

EVENT_DOCUMENT = {
    "complaint.accepted": ComplaintDocumentKind.ACCEPTED,
    "complaint.refused": ComplaintDocumentKind.REFUSED,
    "complaint.decided": ComplaintDocumentKind.DECISION,
}

Renderer = Callable[[ComplaintDocument], "RenderedPdf"]


def _complaint(pk: int) -> Complaint:
    return Complaint.objects.select_related(
        "lot__tender__project__business_type", "complainant", "handled_by__organisation"
    ).get(pk=pk)


def _verification_code() -> str:
    # One space of codes with the notices: the verification page looks a code up in both.
    while True:
        code = verification_code_new()
        if not (
            Notice.objects.filter(verification_code=code).exists()
            or ComplaintDocument.objects.filter(verification_code=code).exists()
        ):
            return code


def complaint_document_draft(event: OutboxEvent) -> ComplaintDocument:
    """The document a complaint step calls for, its input frozen now; once per event."""
    kind = EVENT_DOCUMENT[event.kind]
    complaint = _complaint(int(event.payload["complaint"]))
    existing = ComplaintDocument.objects.filter(complaint=complaint, kind=kind).first()
    if existing is not None:
        return existing
    regulator = complaint.handled_by.organisation if complaint.handled_by else None
    issuer = regulator.name if regulator is not None else ""
    code = _verification_code()
    data = complaint_document_input(complaint, kind, issuer=issuer, dated=event.occurred_at)
    data |= {"verification_code": code, "verify_url": verification_url(code)}
    return ComplaintDocument.objects.create(
        complaint=complaint,
        kind=kind,
        source_event_id=event.pk,
        issuer=issuer,
        verification_code=code,
        data=data,
        created_at=event.occurred_at,
        render_at=event.occurred_at,
    )


@receiver("complaint.accepted", name="notices.complaint_accepted")
def accepted(event: OutboxEvent) -> None:
    """受理通知书 (实施条例 第61条; 财政部令第94号 第21条)."""
    complaint_document_draft(event)


@receiver("complaint.refused", name="notices.complaint_refused")
def refused(event: OutboxEvent) -> None:
    """不予受理通知书, with the reasons (财政部令第94号 第21条)."""
    complaint_document_draft(event)


@receiver("complaint.decided", name="notices.complaint_decided")
def decided(event: OutboxEvent) -> None:
    """投诉处理决定书 (实施条例 第61条; 政府采购法 第56条)."""
    complaint_document_draft(event)


def complaint_documents_due(now: datetime) -> QuerySet[ComplaintDocument]:
    """Documents waiting for their (next) render: the chronograph's query."""
    return ComplaintDocument.objects.filter(stored_at__isnull=True, render_at__lte=now)


def complaint_document_render_due(document: ComplaintDocument, now: datetime) -> None:
    """Queue the render on the slow queue; the lease keeps the next tick from queueing it twice."""
    from notices.tasks import complaint_document_render

    document.render_at = now + RENDER_LEASE
    document.save(update_fields=["render_at"])
    document_id = document.pk
    # A broker outage must not fail the tick: the lease runs out and a later tick queues again.
    transaction.on_commit(
        lambda: complaint_document_render.apply_async((document_id,), queue="slow", retry=False),
        robust=True,
    )


RENDER = DueWork(
    name="notices.complaint_documents",
    due=complaint_documents_due,
    advance=complaint_document_render_due,
)
register_due_work(RENDER)


def complaint_document_url(document: ComplaintDocument) -> str:
    return reverse("complaint_document", args=[document.complaint_id, document.kind])


def complaint_document_store(
    *, document: ComplaintDocument, rendered: RenderedPdf, clock: Clock | None = None
) -> ComplaintDocument:
    """Store the rendered PDF once, deliver it to the parties and publish what the law
    publishes (政府采购法实施条例 第58条), in one transaction."""
    if hashlib.sha256(rendered.content).hexdigest() != rendered.sha256:
        raise ValueError("the rendered PDF does not match its sha256")
    clock = clock or get_clock()
    with transaction.atomic():
        document = ComplaintDocument.objects.select_for_update().get(pk=document.pk)
        if document.stored_at is not None:
            return document  # stored by another render of the same document
        complaint = _complaint(document.complaint_id)
        lot = complaint.lot
        tender = lot_tender(lot)
        now = clock()
        document.pdf.save(
            f"{lot.code}-{complaint.pk}-{document.kind}.pdf",
            ContentFile(rendered.content),
            save=False,
        )
        document.pdf_sha256 = rendered.sha256
        document.hash_alg = "sha256"
        document.template_version = rendered.template_version
        document.document_html = rendered.html
        document.stored_at = now
        document.render_at = None
        document.render_error = ""
        published = complaint_document_published(document.kind, tender.project.business_type.code)
        if published:
            document.published_at = now
        document.save()
        notification_send(
            recipients=[*complaint_parties(complaint, tender), *tender_regulators(tender)],
            kind="complaint.document",
            title=Message(
                gettext_noop("%(document)s已出具：%(code)s"),
                document=Word(COMPLAINT_DOCUMENT_NAMES[document.kind]),
                code=lot.code,
            ),
            body=Message(gettext_noop("该处理决定已在本平台公告（政府采购法实施条例 第58条）。"))
            if published
            else "",
            url=complaint_document_url(document),
            clock=fixed_clock(now),
        )
        ledger(
            tender,
            action="complaint.document_stored",
            actor=None,
            obj=lot,
            payload={
                "complaint": complaint.pk,
                "document": document.pk,
                "kind": document.kind,
                "sha256": document.pdf_sha256,
                "hash_alg": document.hash_alg,
                "template_version": document.template_version,
                "published": published,
            },
            now=now,
        )
    return document


def complaint_document_render_failed(
    *, document: ComplaintDocument, error: str, clock: Clock | None = None
) -> ComplaintDocument:
    """A failed render stores nothing and is tried again later (backoff, then it stops)."""
    clock = clock or get_clock()
    with transaction.atomic():
        document = ComplaintDocument.objects.select_for_update().get(pk=document.pk)
        if document.stored_at is not None:
            return document
        now = clock()
        document.render_attempts += 1
        document.render_error = (error or "?").strip()[:2000]
        document.render_at = (
            now + timedelta(seconds=backoff_seconds(document.render_attempts))
            if document.render_attempts < MAX_ATTEMPTS
            else None
        )
        document.save(update_fields=["render_attempts", "render_error", "render_at"])
    return document


def complaint_document_render_and_store(
    document_id: int, *, render: Renderer | None = None, clock: Clock | None = None
) -> ComplaintDocument | None:
    """Render outside any transaction, then store; a failure leaves it unstored, retried."""
    if render is None:
        from notices.complaint_documents import render_complaint_document

        render = render_complaint_document
    document = ComplaintDocument.objects.filter(pk=document_id).first()
    if document is None or document.stored_at is not None:
        return document
    try:
        return complaint_document_store(document=document, rendered=render(document), clock=clock)
    except Exception as exc:
        logger.exception("complaint document #%s: render or storage failed", document_id)
        return complaint_document_render_failed(
            document=document, error=f"{type(exc).__name__}: {exc}", clock=clock
        )
