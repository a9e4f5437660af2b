"""Documents speak their business type's words and say when a publicity runs.

A property transfer's documents name the 受让方 and the 成交价 under 32号令, not a 中标人 under the
tendering law; land's name the 竞得人; procurement's letter is a 中标（成交）通知书 binding under
政府采购法 第46条. A candidates' notice drafted before its publication counts its period from the
publication (实施条例 第54条).
"""

from __future__ import annotations

from typing import Any

import pytest

from notices.domain import documents as doc
from tests.unit.test_document_builders import document_input, flattened

TENDERING = ("中标人", "中标价", "中标候选人", "招标投标法")


def _printed(kind: str, **data: Any) -> str:
    context = doc.BUILDERS[kind](document_input(kind, **data))
    labels = " ".join(str(label) for label, _value in context["rows"])
    return labels + flattened(context) + str(context["document_name"])


@pytest.mark.parametrize("kind", [doc.DEAL, doc.DEAL_CONFIRMATION])
def test_a_property_deal_names_the_transferee_and_the_deal_price_never_the_tendering_law(
    kind: str,
) -> None:
    printed = _printed(kind, business_type="property", procedure_family="listing_auction")
    assert "受让方" in printed and "成交价" in printed
    assert not [word for word in TENDERING if word in printed]


@pytest.mark.parametrize("kind", [doc.DEAL, doc.DEAL_CONFIRMATION])
def test_a_land_result_names_the_jingderen(kind: str) -> None:
    printed = _printed(kind, business_type="land", procedure_family="listing_auction")
    assert "竞得人" in printed and "中标人" not in printed


def test_a_procurement_letter_is_binding_under_procurement_law_art_46() -> None:
    context = doc.build_award_letter(document_input(doc.AWARD_LETTER, business_type="procurement"))
    closing = "".join(context["closing"])
    assert context["document_name"] == "中标（成交）通知书"
    assert "政府采购法 第46条" in closing and "招标投标法" not in closing
    assert "所有未中标（成交）的供应商" in closing


def test_an_engineering_letter_says_the_other_bidders_are_told_tendering_law_art_45() -> None:
    context = doc.build_award_letter(document_input(doc.AWARD_LETTER, business_type="engineering"))
    closing = "".join(context["closing"])
    assert "招标投标法 第45条" in closing and "所有未中标（成交）的投标人" in closing


def test_implementing_regulations_art_54_a_draft_counts_the_publicity_from_its_publication() -> (
    None
):
    context = doc.build_candidates(
        document_input(
            doc.CANDIDATES,
            publicity_starts_at=None,
            publicity_ends_at=None,
            publicity_days=3,
            publicity_unit="day",
        )
    )
    period = dict(context["rows"])["公示期"]
    assert period.startswith("自本公示发布之日起3日")
    assert "None" not in flattened(context)


def test_a_property_deal_publicity_lasts_five_working_days_from_publication() -> None:
    data = {
        "business_type": "property",
        "publicity_days": 5,
        "publicity_unit": "workday",
        "publicity_starts_at": None,
        "publicity_ends_at": None,
    }
    context = doc.build_deal(document_input(doc.DEAL, **data))
    assert dict(context["rows"])["公示期"].startswith("自本公示发布之日起5个工作日")


@pytest.mark.parametrize("kind", [doc.DEAL, doc.DEAL_CONFIRMATION])
def test_a_capital_increase_deal_names_the_investor_and_the_amount_32号令_第三章(kind: str) -> None:
    printed = _printed(
        kind,
        business_type="property",
        procedure_code="capital-increase",
        procedure_family="property_disclosure",
    )
    assert "投资方" in printed and "增资金额" in printed
    assert "受让方" not in printed
