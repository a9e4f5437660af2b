"""A complaint's documents: each party downloads them; the portal publishes procurement decisions.

The download is behind `access_complaint_document` (the parties, the regulators of the
jurisdiction, the lot's desk; 404 for anyone else). The published list and its PDFs are public
(政府采购法实施条例 第58条); an engineering complaint's documents are delivered, not published.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe

from notices.complaint_selectors import (
    access_complaint_document,
    complaint_decision_list_published,
)
from notices.models import ComplaintDocument
from trading.views.common import acting_user


def _pdf(document: ComplaintDocument) -> FileResponse:
    lot_code = document.complaint.lot.code
    response = FileResponse(
        document.pdf.open("rb"),
        content_type="application/pdf",
        filename=f"{lot_code}-{document.get_kind_display()}.pdf",
    )
    response["X-Content-SHA256"] = document.pdf_sha256
    return response


@require_GET
@login_required
def complaint_document(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    complaint, document = access_complaint_document(acting_user(request), pk, kind)
    if document is None:
        # Printed on the slow queue a moment after the step: the reader is told to come back.
        return render(
            request,
            "notices/complaint_document_pending.html",
            {"complaint": complaint, "lot": complaint.lot},
            status=404,
        )
    return _pdf(document)


@require_safe
def complaint_decisions(request: HttpRequest) -> HttpResponse:
    decisions = complaint_decision_list_published()
    code = (request.GET.get("code") or "").strip()[:60]
    if code:
        decisions = decisions.filter(
            Q(complaint__lot__tender__code=code) | Q(complaint__lot__code=code)
        )
    page = Paginator(decisions, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/portal_complaint_decisions.html",
        {"page": page, "code": code, "section": "portal_complaint_decisions"},
    )


@require_safe
def complaint_decision_pdf(request: HttpRequest, pk: int) -> FileResponse:
    document = complaint_decision_list_published().filter(pk=pk).first()
    if document is None:
        raise Http404(_("没有找到该投诉处理决定。"))
    return _pdf(document)
