"""A document leaves out a line it holds nothing for, rather than print '—'; the committee rule."""

from __future__ import annotations

import json
from typing import Any

import pytest

from notices.domain import documents as doc
from notices.domain.documents.records import (
    CONTRACT,
    EVALUATION_REPORT,
    WRITTEN_REPORT,
    build_record,
)
from notices.domain.documents.tender_documents import build_tender_documents
from tests.unit.test_document_builders import DATA, LOT, document_input
from trading.domain.committee import committee_is_lawful, committee_members

WINNER = {
    "winner_name": "海南建工集团有限公司",
    "winner_uscc": "91460100000000008X",
    "price": "3100000.00",
    "award_confirmed_at": "2027-02-05T10:00:00+08:00",
    "contract_days": 30,
}


def _labels(context: dict[str, Any]) -> dict[str, str]:
    return dict(context["rows"])


@pytest.mark.parametrize(
    ("kind", "absent", "labels"),
    [
        (
            doc.AWARD_LETTER,
            {
                "duration_days": None,
                "quality": "",
                "project_manager": "",
                "manager_certificate": "",
            },
            ["工期", "质量要求", "项目负责人及证书编号"],
        ),
        (
            doc.RESULT,
            {"experts": [], "winner_phone": "", "owner_phone": ""},
            ["评标委员会成员", "联系电话"],
        ),
        (doc.ANNOUNCEMENT, {"clarification_deadline": None}, ["澄清截止时间"]),
        (doc.DEAL_CONFIRMATION, {"lot": {**LOT, "scope": ""}}, ["标的说明（面积、用途、年限）"]),
    ],
)
def test_a_line_without_a_value_is_left_out(
    kind: str, absent: dict[str, Any], labels: list[str]
) -> None:
    context = doc.BUILDERS[kind](document_input(kind, **WINNER, **absent))
    rows = _labels(context)
    assert [label for label in labels if label in rows] == []
    assert "—" not in rows.values()


def test_the_award_letter_prints_duration_quality_and_manager_when_known() -> None:
    given = {
        **WINNER,
        "duration_days": 365,
        "quality": "合格",
        "project_manager": "林国栋",
        "manager_certificate": "琼146202012345",
    }
    rows = _labels(doc.build_award_letter(document_input(doc.AWARD_LETTER, **given)))
    assert rows["工期"] == "365 日"
    assert rows["质量要求"] == "合格"
    assert rows["项目负责人及证书编号"] == "林国栋 琼146202012345"
    assert rows["中标价"].startswith("人民币 3,100,000.00 元")


def test_the_candidates_table_drops_columns_no_candidate_fills() -> None:
    candidates = [
        {"rank": 1, "name": "甲公司", "uscc": "X", "price": "1", "score": "90", "quality": ""},
        {"rank": 2, "name": "乙公司", "uscc": "Y", "price": "2", "score": "80", "quality": ""},
    ]
    context = doc.build_candidates(document_input(doc.CANDIDATES, candidates=candidates))
    table = context["tables"][0]
    assert table["columns"] == ["排名", "名称", "统一社会信用代码", "投标报价", "得分"]
    assert table["rows"][0] == ["第1名", "甲公司", "X", "1.00 元", "90"]


@pytest.mark.parametrize("business_type", ["engineering", "procurement", "land", "property"])
def test_the_tender_documents_have_six_chapters_in_the_words_of_the_business_type(
    business_type: str,
) -> None:
    family = "sealed_bid" if business_type in ("engineering", "procurement") else "listing_auction"
    data = {**DATA, "business_type": business_type, "procedure_family": family}
    context = build_tender_documents({"data": data})
    titles = [chapter.title for chapter in context["chapters"]]
    assert len(titles) == 6
    assert titles[0].startswith("第一章") and titles[5].startswith("第六章")
    expected = {
        "engineering": ("招标文件", "第三章 评标办法（综合评估法）"),
        "procurement": ("采购文件", "第三章 评标办法（综合评分法）"),
        "land": ("出让文件", "第三章 竞价规则"),
        "property": ("转让文件", "第三章 竞价规则"),
    }[business_type]
    assert context["document_name"] == expected[0]
    assert expected[1] in titles
    for chapter in context["chapters"]:
        assert "—" not in dict(chapter.rows).values()


@pytest.mark.parametrize("kind", [EVALUATION_REPORT, CONTRACT, WRITTEN_REPORT])
def test_a_record_names_its_tender_and_lot(kind: str) -> None:
    context = build_record(kind, {**DATA, **WINNER}, {"committee": ["甲", "乙", "丙"]})
    assert context["title"].startswith("滨海大道道路改造工程（第1标段）")
    assert context["number"] == LOT["code"]


@pytest.mark.parametrize(
    ("lines", "names", "lawful"),
    [
        (["王一\n", "李二", "张三"], ["王一", "李二", "张三"], True),
        (["王一、李二，张三,赵四、钱五"], ["王一", "李二", "张三", "赵四", "钱五"], True),
        (["王一", "", "  ", "李二"], ["王一", "李二"], False),
        (["王一", "李二", "张三", "赵四"], ["王一", "李二", "张三", "赵四"], False),
        (["王一", "王一", "张三"], ["王一", "王一", "张三"], False),
        ([], [], False),
    ],
)
def test_a_committee_is_an_odd_number_of_at_least_three_different_members(
    lines: list[str], names: list[str], lawful: bool
) -> None:
    members = committee_members(lines)
    assert members == names
    assert committee_is_lawful(members) is lawful


def test_procurement_documents_cite_the_procurement_law_not_the_tendering_law() -> None:
    data = {**DATA, "business_type": "procurement", "procedure_family": "sealed_bid"}
    context = build_tender_documents({"data": data})
    printed = json.dumps(
        [(c.title, c.intro, c.rows, c.items) for c in context["chapters"]], ensure_ascii=False
    )
    assert "财政部令第87号 第39条" in printed and "政府采购法实施条例 第33条" in printed
    assert "实施条例 第2" not in printed.replace("政府采购法实施条例", "")
    assert "招标投标法 第" not in printed
