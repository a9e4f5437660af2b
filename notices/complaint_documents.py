"""A complaint's documents rendered through the notices' registry (受理通知书, 不予受理通知书,
处理决定书): the input a builder reads, taken from the complaint as it stands.

Not yet stored or published: the integration decides where the regulator's PDFs are kept and
which decisions are published (财政部令第94号 第33条: procurement decisions are published).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils import timezone

from notices.domain.documents.complaint_documents import (
    COMPLAINT_ACCEPTED,
    COMPLAINT_DECISION,
    COMPLAINT_DOCUMENT_NAMES,
    COMPLAINT_REFUSED,
)
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


def complaint_document_input(complaint: Complaint, kind: str, *, issuer: str) -> dict[str, Any]:
    """What a complaint document's builder reads: the complaint's facts, frozen as they are."""
    lot = complaint.lot
    tender = lot.tender
    dated = complaint.decided_at or complaint.accepted_at or complaint.filed_at
    return {
        "kind": kind,
        "title": f"{COMPLAINT_DOCUMENT_NAMES[kind]}（{lot.code}）",
        "body": "",
        "issuer": issuer,
        "number": f"TS-{lot.code}-{complaint.pk:04d}",
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
            "filed_at": complaint.filed_at.isoformat(),
            "grounds": complaint.grounds,
            "decision_due": complaint.decision_due.isoformat() if complaint.decision_due else "",
            "reasons": complaint.reasons,
            "upheld": complaint.status == "upheld",
            "order": complaint.order,
        },
    }


def complaint_document_render(complaint: Complaint, *, issuer: str) -> tuple[str, RenderedPdf]:
    """The document the complaint's status calls for, as HTML and PDF (WeasyPrint)."""
    kind = STATUS_DOCUMENT[complaint.status]
    html = render_html(kind, complaint_document_input(complaint, kind, issuer=issuer))
    content = render_pdf(html)
    return kind, RenderedPdf(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        template_version=template_version(kind),
        html=html,
    )
