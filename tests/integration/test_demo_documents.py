"""`make run`'s tender documents are real PDFs: several pages of text printed from each tender.

A user who downloads the 招标文件 of a demo tender reads its chapters, its own name, lots and
amounts; the evaluation reports, contracts and written reports are readable documents too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.pdf_pages import page_count, page_texts, squeezed
from trading.models import TenderDocument
from trading.models.tenders import DocumentKind
from trading.services.demo_tenders import demo_tenders_seed

pytestmark = pytest.mark.django_db


def test_every_demo_tender_document_is_a_multi_page_pdf_of_its_tender(
    demo: dict[str, int], settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_tenders_seed()

    files = list(TenderDocument.objects.select_related("tender", "lot").order_by("pk"))
    issued = [d for d in files if d.kind == DocumentKind.TENDER_DOCUMENTS]
    assert len(issued) >= 10
    for document in issued:
        content = document.file.read()
        document.file.close()
        assert page_count(content) >= 6, document.title
        text = squeezed("".join(page_texts(content)))
        tender = document.tender
        lot = tender.lots.order_by("code").first()
        assert lot is not None
        for needle in (tender.name, tender.code, lot.code, "第一章", "第六章"):
            assert squeezed(needle) in text, (document.title, needle)
        assert "—" not in text, document.title

    # The training tenders' documents (and letters) print a name, not an internal timestamp.
    training = [d.tender.project.name for d in issued if d.tender.project.training]
    assert training
    # (It once read 培训演示 2026-12-05 15:40:21…; a name may hold numbers, as in 10%股权.)
    timestamp = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}|\d{8,}")
    assert all(name.startswith("培训演示：") and not timestamp.search(name) for name in training), (
        training
    )

    records = [d for d in files if d.kind != DocumentKind.TENDER_DOCUMENTS]
    assert {DocumentKind.EVALUATION_REPORT, DocumentKind.CONTRACT, DocumentKind.REPORT} <= {
        d.kind for d in records
    }
    for document in records:
        content = document.file.read()
        document.file.close()
        text = squeezed("".join(page_texts(content)))
        assert squeezed(document.tender.name) in text, document.title
