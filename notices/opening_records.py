"""The opening record (开标记录表): frozen when the opening closes, rendered, stored unchanged and
published (实施条例 第44条, 电子招标投标办法 第30条).

Bidding's `opening_close` emits `opening.closed`. The receiver freezes what the opening read
out, who checked in and confirmed, and what was objected and answered; the chronograph queues
the render on the slow queue; the render task stores the PDF and publishes it in one
transaction. Every step is idempotent, like the complaint documents' (complaint_delivery).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from bidding.models import Opening, OpeningAttendance
from bidding.opening_records import OpeningRecordLink
from bidding.services.opening import read_out_rows
from notices.domain.codes import verification_code_new
from notices.domain.documents.opening_record import OPENING_RECORD, OPENING_RECORD_NAME
from notices.models import ComplaintDocument, Notice, OpeningRecord
from notices.rendering import verification_url
from trading.chronograph import DueWork, register_due_work
from trading.clock import Clock, get_clock
from trading.domain.retry import MAX_ATTEMPTS, backoff_seconds
from trading.events import receiver
from trading.models import Lot, Objection, OutboxEvent
from trading.models.tenders import ObjectionStage
from trading.services.common import ledger, lot_tender

if TYPE_CHECKING:
    from notices.rendering import RenderedPdf

logger = logging.getLogger(__name__)

RENDER_LEASE = timedelta(minutes=10)

Renderer = Callable[[OpeningRecord], "RenderedPdf"]


def _local(moment: datetime | None) -> str:
    # Printed in Asia/Shanghai time, as every document of the platform.
    return timezone.localtime(moment).isoformat() if moment is not None else ""


def _verification_code() -> str:
    # One space of codes with the notices and complaint documents: the verification page
    # looks a code up in all three.
    while True:
        code = verification_code_new()
        if not (
            Notice.objects.filter(verification_code=code).exists()
            or ComplaintDocument.objects.filter(verification_code=code).exists()
            or OpeningRecord.objects.filter(verification_code=code).exists()
        ):
            return code


def opening_record_input(lot: Lot, opening: Opening) -> dict[str, Any]:
    """What the record's builder reads: the opening as it closed (its read-out, the check-ins
    and confirmations by bidder number, the objections and their answers)."""
    tender = lot_tender(lot)
    project = tender.project
    numbers = {
        row.enrolment.lead_id: row.enrolment.bidder_number
        for row in OpeningAttendance.objects.filter(opening=opening).select_related("enrolment")
    }
    return {
        "business_type": project.business_type.code,
        "training": project.training,
        "tender_name": tender.name,
        "tender_code": tender.code,
        "lot_code": lot.code,
        "lot_name": lot.name,
        "owner": project.owner.name,
        "deadline": _local(lot.closes_at),
        "started_at": _local(opening.started_at),
        "window_opened_at": _local(opening.window_opened_at),
        "read_out_at": _local(opening.read_out_at),
        "closed_at": _local(opening.closed_at),
        "bids": read_out_rows(lot.pk),
        "attendance": [
            {
                "bidder_number": row.enrolment.bidder_number,
                "checked_in_at": _local(row.checked_in_at),
                "confirmed_at": _local(row.confirmed_at),
            }
            for row in OpeningAttendance.objects.filter(opening=opening)
            .select_related("enrolment")
            .order_by("enrolment__bidder_number")
        ],
        "objections": [
            {
                "bidder_number": numbers.get(objection.raised_by_id, ""),
                "text": objection.text,
                "answer": objection.answer,
            }
            for objection in Objection.objects.filter(
                lot=lot, stage=ObjectionStage.OPENING
            ).order_by("raised_at", "pk")
        ],
    }


def opening_record_draft(event: OutboxEvent) -> OpeningRecord:
    """The lot's opening record, its input frozen now; once per lot."""
    lot = Lot.objects.get(pk=int(event.payload["lot"]))
    existing = OpeningRecord.objects.filter(lot=lot).first()
    if existing is not None:
        return existing
    opening = Opening.objects.get(lot=lot)
    project = lot_tender(lot).project
    issuer = (project.agency or project.owner).name
    code = _verification_code()
    data = opening_record_input(lot, opening)
    document = {
        "kind": OPENING_RECORD,
        "title": f"{OPENING_RECORD_NAME}（{lot.code}）",
        "body": "",
        "issuer": issuer,
        "number": f"{lot.code}-KB",
        "dated": timezone.localtime(event.occurred_at).date().isoformat(),
        "verification_code": code,
        "verify_url": verification_url(code),
        "data": data,
    }
    return OpeningRecord.objects.create(
        lot=lot,
        source_event_id=event.pk,
        issuer=issuer,
        verification_code=code,
        data=document,
        created_at=event.occurred_at,
        render_at=event.occurred_at,
    )


@receiver("opening.closed", name="notices.opening_record")
def opening_closed(event: OutboxEvent) -> None:
    """开标记录表 (实施条例 第44条; 电子招标投标办法 第30条)."""
    opening_record_draft(event)


def opening_records_due(now: datetime) -> QuerySet[OpeningRecord]:
    return OpeningRecord.objects.filter(stored_at__isnull=True, render_at__lte=now)


def opening_record_render_due(record: OpeningRecord, now: datetime) -> None:
    """Queue the render on the slow queue; the lease keeps the next tick from queueing it twice."""
    from notices.tasks import opening_record_render

    record.render_at = now + RENDER_LEASE
    record.save(update_fields=["render_at"])
    record_id = record.pk
    transaction.on_commit(
        lambda: opening_record_render.apply_async((record_id,), queue="slow", retry=False),
        robust=True,
    )


RENDER = DueWork(
    name="notices.opening_records", due=opening_records_due, advance=opening_record_render_due
)
register_due_work(RENDER)


def render_opening_record(record: OpeningRecord) -> RenderedPdf:
    """The record's PDF from the input frozen when the opening closed (WeasyPrint)."""
    from notices.rendering import RenderedPdf, render_html, render_pdf, template_version

    html = render_html(OPENING_RECORD, record.data)
    content = render_pdf(html)
    return RenderedPdf(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        template_version=template_version(OPENING_RECORD),
        html=html,
    )


def opening_record_store(
    *, record: OpeningRecord, rendered: RenderedPdf, clock: Clock | None = None
) -> OpeningRecord:
    """Store the rendered PDF once and publish it, with its ledger entry, in one transaction."""
    if hashlib.sha256(rendered.content).hexdigest() != rendered.sha256:
        raise ValueError("the rendered PDF does not match its sha256")
    clock = clock or get_clock()
    with transaction.atomic():
        record = OpeningRecord.objects.select_for_update().get(pk=record.pk)
        if record.stored_at is not None:
            return record
        lot = Lot.objects.get(pk=record.lot_id)
        tender = lot_tender(lot)
        now = clock()
        record.pdf.save(f"{lot.code}-opening-record.pdf", ContentFile(rendered.content), save=False)
        record.pdf_sha256 = rendered.sha256
        record.hash_alg = "sha256"
        record.template_version = rendered.template_version
        record.document_html = rendered.html
        record.stored_at = now
        record.published_at = now
        record.render_at = None
        record.render_error = ""
        record.save()
        ledger(
            tender,
            action="opening_record.published",
            actor=None,
            obj=lot,
            payload={
                "document": record.pk,
                "sha256": record.pdf_sha256,
                "hash_alg": record.hash_alg,
                "template_version": record.template_version,
                "verification_code": record.verification_code,
            },
            now=now,
        )
    return record


def opening_record_render_failed(
    *, record: OpeningRecord, error: str, clock: Clock | None = None
) -> OpeningRecord:
    """A failed render stores nothing and is tried again later (backoff, then it stops)."""
    clock = clock or get_clock()
    with transaction.atomic():
        record = OpeningRecord.objects.select_for_update().get(pk=record.pk)
        if record.stored_at is not None:
            return record
        now = clock()
        record.render_attempts += 1
        record.render_error = (error or "?").strip()[:2000]
        record.render_at = (
            now + timedelta(seconds=backoff_seconds(record.render_attempts))
            if record.render_attempts < MAX_ATTEMPTS
            else None
        )
        record.save(update_fields=["render_attempts", "render_error", "render_at"])
    return record


def opening_record_render_and_store(
    record_id: int, *, render: Renderer | None = None, clock: Clock | None = None
) -> OpeningRecord | None:
    """Render outside any transaction, then store; a failure leaves it unstored, retried."""
    render = render or render_opening_record
    record = OpeningRecord.objects.filter(pk=record_id).first()
    if record is None or record.stored_at is not None:
        return record
    try:
        return opening_record_store(record=record, rendered=render(record), clock=clock)
    except Exception as exc:
        logger.exception("opening record #%s: render or storage failed", record_id)
        return opening_record_render_failed(
            record=record, error=f"{type(exc).__name__}: {exc}", clock=clock
        )


def opening_record_published(lot_id: int) -> OpeningRecord | None:
    """The lot's published opening record, if there is one yet."""
    return OpeningRecord.objects.filter(lot_id=lot_id, published_at__isnull=False).first()


def opening_record_get_published_by_code(code: str) -> OpeningRecord | None:
    return OpeningRecord.objects.filter(verification_code=code, published_at__isnull=False).first()


def opening_record_get_published_by_sha256(sha256: str) -> OpeningRecord | None:
    return OpeningRecord.objects.filter(
        pdf_sha256=sha256, hash_alg="sha256", published_at__isnull=False
    ).first()


def opening_record_link_of(lot_id: int) -> OpeningRecordLink | None:
    """What the opening room links: the published record's code, download and digest."""
    record = opening_record_published(lot_id)
    if record is None:
        return None
    return OpeningRecordLink(
        verification_code=record.verification_code,
        url=reverse("verify_pdf", args=[record.verification_code]),
        sha256=record.pdf_sha256,
    )
