"""The pure builders of notices and letters: fields per kind, amounts in words, dates."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notices.domain import documents as doc

LOT = {
    "id": 7,
    "code": "46010020260000001001001",
    "name": "第1标段",
    "status": "awarded",
    "estimate": "1000000.00",
    "deposit": "20000.00",
    "increment": "0.00",
    "scope": "道路、排水及照明工程施工",
    "duration_days": 180,
    "opens_at": "2026-12-30T12:00:00+08:00",
    "closes_at": "2027-01-29T09:30:00+08:00",
    "status_changed_at": "2027-02-01T10:00:00+08:00",
    "bid_count": 3,
}
DATA: dict[str, Any] = {
    "business_type": "engineering",
    "business_type_name": "工程建设项目招标投标",
    "region_code": "460100",
    "region_name": "海口市",
    "project_code": "46010020260000001",
    "project_name": "滨海大道改造（项目）",
    "tender_code": "46010020260000001001",
    "tender_name": "滨海大道道路改造工程",
    "trade_id": "JY4601002026000000100101",
    "procedure_code": "open",
    "procedure_name": "公开招标",
    "procedure_family": "sealed_bid",
    "owner_name": "海口市城市建设投资有限公司",
    "owner_uscc": "12460100000000001X",
    "owner_phone": "0898-66666666",
    "agency_name": "海南工程咨询有限公司",
    "agency_phone": "0898-65555555",
    "funding_source": "国有资金",
    "training": False,
    "lots": [LOT],
    "lot": LOT,
    "price_form": "金额",
    "deposit_form": "现金或保函",
    "documents_issued_at": "2026-11-30T12:00:00+08:00",
    "clarification_deadline": None,
    "document": {
        "title": "第一次变更",
        "version": 2,
        "note": "调整业绩要求",
        "uploaded_at": "2026-12-05T10:00:00+08:00",
    },
    "questions": [{"question": "沥青标号？", "answer": "见澄清文件"}],
    "candidates": [
        {
            "rank": 1,
            "name": "海南建工集团有限公司",
            "uscc": "91460100000000001A",
            "price": "950000.00",
            "score": "90.50",
            "duration_days": 180,
            "quality": "合格",
            "project_manager": "王建国",
            "manager_certificate": "琼146202600001",
        },
        {
            "rank": 2,
            "name": "琼州路桥有限公司",
            "uscc": "91460100000000002B",
            "price": "960000.00",
            "score": "89.50",
            "duration_days": 180,
            "quality": "合格",
            "project_manager": "李明",
            "manager_certificate": "",
        },
    ],
    "bid_count": 3,
    "min_bids": 3,
    "evaluation_reported_at": "2027-01-29T12:00:00+08:00",
    "publicity_starts_at": "2027-01-29T12:00:00+08:00",
    "publicity_ends_at": "2027-02-01T23:59:00+08:00",
    "winner_id": 3,
    "winner_name": "海南建工集团有限公司",
    "winner_uscc": "91460100000000001A",
    "winner_phone": "0898-68888888",
    "price": "950000.00",
    "award_confirmed_at": "2027-02-02T09:00:00+08:00",
    "letter_issued_at": "2027-02-02T09:00:00+08:00",
    "project_manager": "王建国",
    "manager_certificate": "琼146202600001",
    "duration_days": 180,
    "quality": "合格",
    "contract_days": 30,
    "experts": ["张三", "李四", "王五", "赵六", "钱七"],
    "reason": "项目建设资金未落实",
}


def document_input(kind: str, **data: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": "滨海大道道路改造工程（第1标段）文件",
        "body": "第一段。\n\n第二段。",
        "issuer": "海口市城市建设投资有限公司",
        "verification_code": "7KQ2-9M4X-3TZA",
        "number": doc.document_number(kind, "46010020260000001001", 12),
        "dated": "2027-02-02",
        "verify_url": "https://ggzy.example.cn/verify/?code=7KQ2-9M4X-3TZA",
        "data": {**DATA, **data},
    }


def flattened(context: dict[str, Any]) -> str:
    """Everything the template prints, as one string."""
    return json.dumps(
        {k: v for k, v in context.items() if k != "words"}, ensure_ascii=False, default=str
    ).replace(" ", "")


EXPECTED = {
    doc.ANNOUNCEMENT: [
        "招标公告",
        "1,000,000.00元",
        "20,000.00元",
        "2027年1月29日09:30",
        "投标人",
        "海南工程咨询有限公司",
    ],
    doc.AMENDMENT: ["第一次变更", "第2版", "调整业绩要求", "第21条"],
    doc.CLARIFICATION: ["沥青标号？", "见澄清文件", "第2版"],
    doc.CANDIDATES: [
        "第1名",
        "海南建工集团有限公司",
        "950,000.00元",
        "王建国琼146202600001",
        "琼州路桥有限公司",
        "2027年2月1日23:59",
        "第54条",
    ],
    doc.RESULT: [
        "海南建工集团有限公司",
        "91460100000000001A",
        "玖拾伍万元整",
        "张三、李四、王五",
        "0898-68888888",
        "道路、排水及照明工程施工",
    ],
    doc.DEAL: ["海南建工集团有限公司", "人民币950,000.00元（大写：玖拾伍万元整）"],
    doc.FAILURE: ["流标", "第44条", "有效投标（竞买）数"],
    doc.TERMINATION: ["项目建设资金未落实", "2027年2月1日10:00"],
    doc.AWARD_LETTER: [
        "海南建工集团有限公司：",
        "2027年1月29日",
        "180日",
        "王建国琼146202600001",
        "30日内",
        "第46条",
        "2027年2月2日",
        "道路、排水及照明工程施工",
    ],
    doc.DEAL_CONFIRMATION: ["海南建工集团有限公司：", "定金", "20,000.00元", "30日内", "成交地点"],
}


@pytest.mark.parametrize("kind", doc.KINDS)
def test_each_builder_prints_the_fields_of_its_kind(kind: str) -> None:
    context = doc.BUILDERS[kind](document_input(kind))

    printed = flattened(context)
    common = [
        "7KQ2-9M4X-3TZA",
        "46010020260000001001-",
        "海口市城市建设投资有限公司",
        "2027年2月2日",
        "第一段。",
        "第二段。",
    ]
    missing = [
        s.replace(" ", "") for s in [*common, *EXPECTED[kind]] if s.replace(" ", "") not in printed
    ]
    assert not missing, missing


@pytest.mark.parametrize("kind", doc.KINDS)
def test_builders_are_pure_and_deterministic(kind: str) -> None:
    given_input = document_input(kind)
    before = copy.deepcopy(given_input)

    first = doc.BUILDERS[kind](given_input)
    second = doc.BUILDERS[kind](given_input)

    assert given_input == before
    assert flattened(first) == flattened(second)


@pytest.mark.parametrize("kind", doc.KINDS)
def test_builders_never_fail_on_missing_data(kind: str) -> None:
    context = doc.BUILDERS[kind]({"kind": kind, "data": {}})

    assert context["title"] == "—" and context["verification_code"] == "—"


def test_every_kind_has_fields_a_builder_and_a_number_code() -> None:
    assert set(doc.NOTICE_FIELDS) == set(doc.BUILDERS) == set(doc.NUMBER_CODES) == set(doc.KINDS)


@pytest.mark.parametrize(
    ("kind", "removed", "missing"),
    [
        (doc.AWARD_LETTER, "winner_uscc", ["winner_uscc"]),
        (doc.CANDIDATES, "candidates", ["candidates"]),
        (doc.TERMINATION, "reason", ["reason"]),
        (doc.ANNOUNCEMENT, "agency_name", []),  # optional: not every owner uses an agency
    ],
)
def test_missing_required_fields_are_named(kind: str, removed: str, missing: list[str]) -> None:
    data = {k: v for k, v in DATA.items() if k != removed}

    assert doc.missing_fields(kind, data) == missing


@pytest.mark.parametrize(
    ("business_type", "owner", "winner"),
    [
        ("engineering", "招标人", "中标人"),
        ("procurement", "采购人", "中标（成交）供应商"),
        ("land", "出让人", "竞得人"),
        ("property", "转让方", "受让方"),
        ("unknown", "招标人", "中标人"),
    ],
)
def test_each_business_type_names_its_parties(business_type: str, owner: str, winner: str) -> None:
    words = doc.vocabulary(business_type)

    assert (words.owner, words.winner) == (owner, winner)


def test_procurement_candidates_explain_the_challenge_route_of_procurement_law() -> None:
    context = doc.build_candidates(document_input(doc.CANDIDATES, business_type="procurement"))

    assert "政府采购法 第52条" in context["closing"][0]


def test_an_announcement_prints_the_end_of_the_documents_sale_when_one_is_set() -> None:
    """实施条例 第16条, 87号令 第16条: bidders read how long the documents are offered."""
    without = doc.build_announcement(document_input(doc.ANNOUNCEMENT))
    assert "文件发售截止时间" not in flattened(without)

    context = doc.build_announcement(
        document_input(doc.ANNOUNCEMENT, documents_sale_ends_at="2026-12-07T09:00:00+08:00")
    )
    assert "文件发售截止时间" in flattened(context)
    assert "2026年12月7日" in flattened(context)


def test_a_land_announcement_is_titled_as_a_land_sale() -> None:
    context = doc.build_announcement(document_input(doc.ANNOUNCEMENT, business_type="land"))

    assert context["document_name"] == "国有建设用地使用权出让公告"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("0.5", "伍角"),
        ("1", "壹元整"),
        ("1.05", "壹元零伍分"),
        ("10", "壹拾元整"),
        ("100.50", "壹佰元伍角"),
        ("1010", "壹仟零壹拾元整"),
        ("10001", "壹万零壹元整"),
        ("110000", "壹拾壹万元整"),
        ("950000.00", "玖拾伍万元整"),
        ("1000000", "壹佰万元整"),
        ("1000100", "壹佰万零壹佰元整"),
        ("1001000", "壹佰万壹仟元整"),
        ("1050000", "壹佰零伍万元整"),
        ("100010000", "壹亿零壹万元整"),
        ("120000000", "壹亿贰仟万元整"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_amounts_in_words(amount: str, words: str) -> None:
    assert doc.yuan_in_words(Decimal(amount)) == words


_VALUES = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def read_words(words: str) -> Decimal:
    """The inverse of yuan_in_words, written independently for the property test."""
    integer, _, cents = words.partition("元") if "元" in words else ("", "", words)
    total = section = number = 0
    for char in integer:
        if char in _VALUES:
            number = _VALUES[char]
        elif char in _UNITS:
            section += number * _UNITS[char]
            number = 0
        elif char == "万":
            section = (section + number) * 10_000
            number = 0
        elif char == "亿":
            total = (total + section + number) * 100_000_000
            section = number = 0
    value = Decimal(total + section + number)
    digit = 0
    for char in cents:
        if char in _VALUES:
            digit = _VALUES[char]
        elif char == "角":
            value += Decimal(digit) / 10
        elif char == "分":
            value += Decimal(digit) / 100
    return value


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_amounts_in_words_read_back_to_the_same_amount(amount: Decimal) -> None:
    words = doc.yuan_in_words(amount)

    assert read_words(words) == amount
    assert "零零" not in words
    assert amount < 1 or not words.startswith("零")
    assert words.endswith(("整", "角", "分"))


@pytest.mark.parametrize(
    ("value", "figures"),
    [
        ("1000000", "1,000,000.00 元"),
        ("0.5", "0.50 元"),
        (None, "—"),
        ("abc", "—"),
        ("NaN", "—"),
        ("", "—"),
    ],
)
def test_amounts_in_figures(value: Any, figures: str) -> None:
    assert doc.yuan(value) == figures


@pytest.mark.parametrize(
    ("value", "date", "moment"),
    [
        ("2027-01-29T09:30:00+08:00", "2027年1月29日", "2027年1月29日 09:30"),
        ("2027-01-29", "2027年1月29日", "2027年1月29日"),
        (None, "—", "—"),
        ("yesterday", "—", "—"),
        (12, "—", "—"),
    ],
)
def test_dates_are_written_the_chinese_way(value: Any, date: str, moment: str) -> None:
    assert doc.chinese_date(value) == date
    assert doc.chinese_datetime(value) == moment


def test_document_numbers_name_the_tender_and_the_kind() -> None:
    assert doc.document_number(doc.AWARD_LETTER, "46010020260000001001", 12) == (
        "46010020260000001001-TZS-0012"
    )
