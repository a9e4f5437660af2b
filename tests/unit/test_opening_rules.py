"""The opening's pure rules: PDF features for the collusion checks, what 唱标 reads, the window."""

from __future__ import annotations

import pytest

from bidding.domain.opening import offer_read_out, pdf_info, window_minutes_valid
from notices.domain.documents.opening_record import build_opening_record


def test_pdf_info_reads_literal_hex_and_escaped_strings() -> None:
    data = (
        b"%PDF-1.7\n4 0 obj << /Author <FEFF5F204E09> /Creator (Writer \\(v2\\)\\051)"
        b" /Producer (caf\\351) >> endobj\ntrailer << /Info 4 0 R >>\n%%EOF"
    )

    assert pdf_info(data) == {"author": "张三", "creator": "Writer (v2))", "producer": "café"}


def test_an_incremental_update_s_later_info_wins_and_absent_fields_are_empty() -> None:
    data = b"%PDF-1.4\n<< /Author (First) >>\n%%EOF\n<< /Author (Second) >>\n%%EOF"

    assert pdf_info(data) == {"author": "Second", "creator": "", "producer": ""}


def test_a_pdf_without_an_info_dictionary_has_no_features_and_does_not_fail() -> None:
    assert pdf_info(b"%PDF-1.5\n\x00\xff binary /Author") == {
        "author": "",
        "creator": "",
        "producer": "",
    }


def test_read_out_takes_a_rate_where_there_is_no_price_and_leaves_blanks_empty() -> None:
    assert offer_read_out({"rate": "0.85", "duration": 90, "quality": ""}) == {
        "price": "0.85",
        "duration": "90",
        "quality": None,
        "project_manager": None,
    }
    assert offer_read_out(None)["price"] is None


@pytest.mark.parametrize(
    ("minutes", "valid"),
    [(30, True), (5, True), (240, True), (4, False), (241, False), (True, False), ("30", False)],
)
def test_the_window_is_five_to_240_whole_minutes(minutes: object, valid: bool) -> None:
    assert window_minutes_valid(minutes) is valid


def test_the_record_lists_every_bid_with_its_attribution_and_hashes() -> None:
    bids = [
        {
            "bidder_number": "T001",
            "name": "甲公司",
            "outcome": "opened",
            "price": "968000.00",
            "duration": "180",
            "quality": "合格",
            "files": ["a" * 64, "b" * 64],
        },
        {
            "bidder_number": "T002",
            "name": "乙公司",
            "outcome": "bidder_fault",
            "price": None,
            "duration": None,
            "quality": None,
            "files": ["c" * 64],
        },
    ]
    context = build_opening_record({"data": {"bids": bids, "tender_name": "某工程"}})

    results, hashes, _attendance, _objections = context["tables"]
    assert results["rows"][0][:3] == ["T001", "甲公司", "968,000.00 元"]
    assert results["rows"][1][5] == "投标人原因无法解密（视为撤销）"
    assert [row[2] for row in hashes["rows"]] == ["a" * 64, "b" * 64, "c" * 64]
    assert "递交投标文件 2 份，解密成功 1 份" in context["opening"][0]
