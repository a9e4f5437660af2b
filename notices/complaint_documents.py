"""A complaint's documents rendered through the notices' registry (受理通知书, 不予受理通知书,
处理决定书): the input a builder reads, taken from the complaint as it stands.

`notices.complaint_delivery` freezes that input when a step's event arrives, stores the PDF and
delivers it; this module only builds and prints.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.utils import timezone

from notices.domain.documents.complaint_documents import (
    COMPLAINT_ACCEPTED,
    COMPLAINT_DECISION,
    COMPLAINT_DOCUMENT_NAMES,
    COMPLAINT_REFUSED,
)
from notices.models import ComplaintDocument
from notices.rendering import RenderedPdf, render_html, render_pdf, template_version
from trading.models import Complaint

# The document a complaint's status calls for.
STATUS_DOCUMENT = {
    "accepted": COMPLAINT_ACCEPTED,
    "statements_requested": COMPLAINT_ACCEPTED,
    "refused": COMPLAINT_REFUSED,
    "dismissed": COMPLAINT_DECISION,
    "upheld": COMPLAINT_DECISION,
}


# Each document of a complaint has its own number (the complaint's, and what the document is).
NUMBER_SUFFIX = {COMPLAINT_ACCEPTED: "SL", COMPLAINT_REFUSED: "BSL", COMPLAINT_DECISION: "JD"}


def complaint_document_input(
    complaint: Complaint, kind: str, *, issuer: str, dated: datetime | None = None
) -> dict[str, Any]:
    """What a complaint document's builder reads: the complaint's facts, frozen as they are."""
    lot = complaint.lot
    tender = lot.tender
    dated = dated or complaint.decided_at or complaint.accepted_at or complaint.filed_at
    return {
        "kind": kind,
        "title": f"{COMPLAINT_DOCUMENT_NAMES[kind]}（{lot.code}）",
        "body": "",
        "issuer": issuer,
        "number": f"TS-{lot.code}-{complaint.pk:04d}-{NUMBER_SUFFIX[kind]}",
        "dated": timezone.localtime(dated).date().isoformat(),
        "verification_code": "",
        "verify_url": "",
        "data": {
            "business_type": tender.project.business_type.code,
            "training": tender.project.training,
            "complainant": complaint.complainant.name,
            "tender_name": tender.name,
            "lot_code": lot.code,
            "lot_name": lot.name,
            # Printed in Asia/Shanghai time, as every document of the platform.
            "filed_at": timezone.localtime(complaint.filed_at).isoformat(),
            "grounds": complaint.grounds,
            "decision_due": timezone.localtime(complaint.decision_due).isoformat()
            if complaint.decision_due
            else "",
            "reasons": complaint.reasons,
            "upheld": complaint.status == "upheld",
            "order": complaint.order,
        },
    }


def _rendered(kind: str, document_input: dict[str, Any]) -> RenderedPdf:
    html = render_html(kind, document_input)
    content = render_pdf(html)
    return RenderedPdf(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        template_version=template_version(kind),
        html=html,
    )


def complaint_document_render(complaint: Complaint, *, issuer: str) -> tuple[str, RenderedPdf]:
    """The document the complaint's status calls for, as HTML and PDF (WeasyPrint)."""
    kind = STATUS_DOCUMENT[complaint.status]
    return kind, _rendered(kind, complaint_document_input(complaint, kind, issuer=issuer))


def complaint_document_html(document: ComplaintDocument) -> str:
    """A stored document's HTML from its frozen input (what its PDF is printed from)."""
    return render_html(document.kind, document.data)


def render_complaint_document(document: ComplaintDocument) -> RenderedPdf:
    """A complaint document's PDF from the input frozen when its step's event arrived."""
    return _rendered(document.kind, document.data)
