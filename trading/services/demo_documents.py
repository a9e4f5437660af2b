"""The demo's files (招标文件, 评标报告, 合同, 书面报告): real PDFs made by the platform.

The renderer lives in notices, which trading never imports (DESIGN.md §3): notices registers its
maker when the apps are ready, as it registers its receivers. Without one (trading alone), the
demo falls back to a minimal valid PDF so seeding still works.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from trading.models import Lot

TENDER_DOCUMENTS = "tender_documents"
EVALUATION_REPORT = "evaluation_report"
CONTRACT = "contract"
WRITTEN_REPORT = "written_report"

# kind, the lot, and what the demo knows that the database does not hold yet (the candidates
# of an evaluation whose report is uploaded with them).
DemoDocumentMaker = Callable[[str, Lot, Mapping[str, Any]], bytes]

FALLBACK_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)

_MAKERS: list[DemoDocumentMaker] = []


def demo_document_maker_register(maker: DemoDocumentMaker) -> None:
    """Use `maker` for the demo's files (the last registration wins)."""
    _MAKERS[:] = [maker]


def demo_pdf(
    name: str, kind: str, lot: Lot, facts: Mapping[str, Any] | None = None
) -> SimpleUploadedFile:
    """The demo file `kind` of `lot`, as an upload named `name`."""
    content = _MAKERS[0](kind, lot, facts or {}) if _MAKERS else FALLBACK_PDF
    return SimpleUploadedFile(name, content, content_type="application/pdf")
