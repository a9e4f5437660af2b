"""Each business type's words (the issue's "own vocabulary"), engineering's by default."""

from __future__ import annotations

from dataclasses import fields

import pytest

from trading.domain.vocabulary import ENGINEERING, TERMS, terms_for

TENDERING_WORDS = {"中标候选人", "中标价", "中标人", "招标人", "投标人"}


@pytest.mark.parametrize(
    ("business_type", "winner", "price", "law"),
    [
        ("engineering", "中标人", "中标价", "招标投标法"),
        ("procurement", "中标（成交）供应商", "中标（成交）金额", "政府采购法"),
        ("land", "竞得人", "成交价", "国土资源部令第39号"),
        ("property", "受让方", "成交价", "国资委 财政部令第32号"),
    ],
)
def test_each_business_type_names_its_winner_price_and_law(
    business_type: str, winner: str, price: str, law: str
) -> None:
    terms = terms_for(business_type)
    assert (terms.winner, terms.price, terms.law) == (winner, price, law)


@pytest.mark.parametrize("business_type", ["property", "land", "mining", "carbon", "pollution"])
def test_a_sale_never_speaks_the_tendering_laws_words(business_type: str) -> None:
    terms = terms_for(business_type)
    words = {getattr(terms, f.name) for f in fields(terms)}
    assert not words & TENDERING_WORDS
    assert "招标投标法" not in " ".join(words)


def test_procurement_speaks_of_suppliers() -> None:
    assert terms_for("procurement").bidder == "供应商"
    assert "成交" in terms_for("procurement").winner


@pytest.mark.parametrize("business_type", ["", "unknown", "ENGINEERING"])
def test_an_unknown_business_type_speaks_engineering(business_type: str) -> None:
    assert terms_for(business_type) is ENGINEERING


def test_every_business_type_has_every_word() -> None:
    for terms in TERMS.values():
        assert all(getattr(terms, f.name) for f in fields(terms))


def test_a_capital_increase_speaks_of_investors_32号令_第三章() -> None:
    words = terms_for("property", "capital-increase")
    assert (words.bidder, words.winner, words.price) == ("意向投资方", "投资方", "增资金额")
    assert "受让方" not in " ".join(vars(words).values())
    # Another property procedure keeps the transfer's words.
    assert terms_for("property", "transfer").winner == "受让方"
