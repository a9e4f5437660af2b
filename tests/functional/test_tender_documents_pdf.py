"""The tender documents the platform generates: the chapters of a 招标文件 with the tender's data.

Rendered by WeasyPrint from a tender made through the services; poppler reads every page back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from notices.tender_documents import tender_documents_pdf
from tests.conftest import ControlledClock
from tests.pdf_pages import page_count, page_images, page_texts, squeezed, wrapped_names
from tests.tenders import first_lot, make_tender, make_world
from trading.services.lots import lot_update

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

OUT = Path(__file__).resolve().parents[2] / "var" / "test-pdfs"

CHAPTERS = {
    "engineering": [
        "招标文件",
        "第一章招标公告",
        "第二章投标人须知",
        "第三章评标办法（综合评估法）",
        "第四章合同条款及格式",
        "第五章技术标准和要求",
        "第六章投标文件格式",
        "招标投标法第46条",
    ],
    "procurement": [
        "采购文件",
        "第一章采购公告",
        "第二章供应商须知",
        "第三章评标办法（综合评分法）",
        "第五章采购需求",
        "第六章响应文件格式",
        "政府采购法第46条",
    ],
    "land": [
        "出让文件",
        "国有建设用地使用权出让公告",
        "第二章竞买须知",
        "第三章竞价规则",
        "第五章标的说明",
        "第六章竞买申请文件格式",
        "竞得人",
    ],
}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("business_type", sorted(CHAPTERS))
def test_the_tender_documents_are_a_multi_page_pdf_of_the_tenders_own_data(
    business_type: str, clock: ControlledClock
) -> None:
    world = make_world(business_type=business_type)
    tender = make_tender(world, name="海口市滨海大道道路改造工程", submit=False)
    lot = lot_update(
        lot=first_lot(tender),
        duration_days=210,
        quality="合格（符合国家现行验收规范）",
        actor=world.owner_user,
    )

    content = tender_documents_pdf(tender)

    page_images(content, OUT, f"tender-documents-{business_type}")
    assert page_count(content) >= 6
    pages = page_texts(content)
    text = squeezed("".join(pages))
    expected = [
        tender.name,
        tender.code,
        lot.code,
        world.owner.name,
        "1,000,000.00元",
        "210日",
        "合格（符合国家现行验收规范）",
        *CHAPTERS[business_type],
    ]
    assert [needle for needle in expected if squeezed(needle) not in text] == []
    assert "—" not in text
    assert all(len(squeezed(page)) > 60 for page in pages), "a page holds next to nothing"
    assert wrapped_names(content, [world.owner.name]) == []
