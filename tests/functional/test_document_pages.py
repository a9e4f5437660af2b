"""Every document kind as printed: its page count, no page holding only a signature, names whole.

The tenders are made through the services (tests/tenders.py), the notices drafted by
`notice_draft` and rendered by WeasyPrint; poppler reads them back page by page. The PNGs of
every page are left in var/test-pdfs/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from notices import rendering
from notices.models import NoticeKind
from notices.services import notice_draft
from notices.tender_documents import record_pdf
from tests.conftest import ControlledClock
from tests.functional.test_rendering import case_for
from tests.pdf_pages import body_left, page_count, page_images, page_texts, wrapped_names
from trading.services.demo_documents import CONTRACT, EVALUATION_REPORT, WRITTEN_REPORT

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

OUT = Path(__file__).resolve().parents[2] / "var" / "test-pdfs"

# A notice or a letter fits one page; the candidates' table and the way to object take two, the
# second holding the closing words with the signature (never the signature alone).
PAGES = {**{kind: 1 for kind in NoticeKind.values}, NoticeKind.CANDIDATES: 2}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://ggzy.example.cn"


@pytest.mark.parametrize("kind", NoticeKind.values)
def test_a_document_fits_its_pages_and_never_leaves_a_signature_alone(
    kind: str, clock: ControlledClock
) -> None:
    case = case_for(kind, clock)
    notice = notice_draft(kind=kind, tender=case.tender, lot=case.lot)

    content = rendering.render_notice(notice).content

    page_images(content, OUT, kind)
    assert page_count(content) == PAGES[kind]
    signature = [notice.issuer, "发布单位：", "招标人：", "出让人：", "（电子签章）", "（盖章）"]
    margins = [str(notice.data["tender_code"]), notice.verification_code, "验证码"]
    last = body_left(page_texts(content)[-1], [*signature, *margins, notice.title])
    assert len(last) > 40, f"{kind}: the last page holds only its signature: {last!r}"
    names = [case.world.owner.name, *(b.name for b in case.world.bidders)]
    assert wrapped_names(content, names) == []


@pytest.mark.parametrize("kind", [EVALUATION_REPORT, CONTRACT, WRITTEN_REPORT])
def test_a_record_the_demo_files_is_one_readable_page_signed_below_its_text(
    kind: str, clock: ControlledClock
) -> None:
    case = case_for(NoticeKind.AWARD_LETTER, clock)
    assert case.lot is not None
    committee = ["王建国", "李海燕", "陈志强", "符永明", "吴晓琳"]
    facts = {
        "committee": committee,
        "candidates": [
            {"name": c.name, "price": str(c.price), "score": str(c.score)}
            for c in case.lot.candidates.order_by("rank")
        ],
    }

    content = record_pdf(kind, case.lot, facts)

    page_images(content, OUT, kind)
    assert page_count(content) == 1
    text = page_texts(content)[0]
    assert case.tender.name in text.replace("\n", "")
    assert "—" not in text
    names = [case.world.owner.name, *(b.name for b in case.world.bidders)]
    assert wrapped_names(content, names) == []
