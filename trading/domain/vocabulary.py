"""What each business type calls the parties, the price and the award, and which law it cites.

Pure: no Django. A property transfer has a 受让方 and a 成交价 under 国资委 财政部令第32号, not a
中标候选人 and a 中标价 under the tendering law; land has a 竞得人 (39号令); procurement has
供应商 and 中标（成交） (政府采购法). Pages, lights and documents read their words from here;
engineering's words are the default. The strings are Chinese source strings for gettext.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Terms:
    """The words of one business type."""

    owner: str
    bidder: str
    # Who the evaluation ranks or the auction names, before the award.
    candidates: str
    winner: str
    price: str
    bid_price: str
    # The owner's decision and the letter that issues it.
    award: str
    letter: str
    # The period a result notice opens before (or, in procurement, after) the award.
    publicity: str
    law: str
    contract_article: str
    report_article: str
    # The article that makes the letter binding on both sides.
    letter_article: str = "招标投标法 第45条"
    # The documents the owner issues: 招标文件, 采购文件, 出让文件, 转让文件.
    documents: str = "招标文件"


ENGINEERING = Terms(
    owner="招标人",
    bidder="投标人",
    candidates="中标候选人",
    winner="中标人",
    price="中标价",
    bid_price="投标报价",
    award="确定中标人",
    letter="中标通知书",
    publicity="中标候选人公示",
    law="招标投标法",
    contract_article="招标投标法 第46条",
    report_article="招标投标法 第47条",
)

PROCUREMENT = Terms(
    owner="采购人",
    bidder="供应商",
    candidates="中标（成交）候选人",
    winner="中标（成交）供应商",
    price="中标（成交）金额",
    bid_price="响应报价",
    award="确定中标（成交）供应商",
    letter="中标（成交）通知书",
    publicity="中标（成交）结果公告",
    documents="采购文件",
    law="政府采购法",
    contract_article="政府采购法 第46条",
    letter_article="政府采购法 第46条",
    # The contract's copy is filed with the regulator within 7 工作日 (政府采购法 第47条).
    report_article="政府采购法 第47条",
)

# A sale (land, mining rights, emission rights): the buyer outbids the others.
_SALE = Terms(
    owner="出让人",
    bidder="竞买人",
    candidates="竞得人",
    winner="竞得人",
    price="成交价",
    bid_price="竞买报价",
    award="确认竞得人",
    letter="成交确认书",
    publicity="成交结果公示",
    documents="出让文件",
    law="国土资源部令第39号",
    contract_article="国土资源部令第39号",
    report_article="国土资源部令第39号",
    letter_article="国土资源部令第39号",
)

PROPERTY = Terms(
    owner="转让方",
    bidder="意向受让方",
    candidates="受让方",
    winner="受让方",
    price="成交价",
    bid_price="报价",
    award="确认受让方",
    letter="成交确认书",
    publicity="交易结果公示",
    documents="转让文件",
    law="国资委 财政部令第32号",
    contract_article="国资委 财政部令第32号",
    report_article="国资委 财政部令第32号",
    letter_article="国资委 财政部令第32号",
)

_LOCAL = "本平台交易规则（地方规则）"
# Where the national rules in DOMAIN.md say nothing, the platform's own rules are cited.
_LOCAL_LAW = {
    "law": _LOCAL,
    "contract_article": _LOCAL,
    "report_article": _LOCAL,
    "letter_article": _LOCAL,
}

TERMS: dict[str, Terms] = {
    "engineering": ENGINEERING,
    "procurement": PROCUREMENT,
    "land": _SALE,
    "mining": replace(_SALE, **_LOCAL_LAW),
    "property": PROPERTY,
    "carbon": replace(
        _SALE,
        owner="出让方",
        **_LOCAL_LAW,
    ),
    "pollution": replace(
        PROPERTY,
        owner="出让方",
        **_LOCAL_LAW,
    ),
    "medicine": replace(
        PROCUREMENT,
        bidder="投标人",
        candidates="拟中选企业",
        winner="中选企业",
        price="中选价",
        award="确定中选企业",
        letter="中选通知书",
        publicity="中选结果公示",
        **_LOCAL_LAW,
    ),
    "other": replace(
        PROPERTY,
        owner="委托方",
        candidates="成交人",
        winner="成交人",
        award="确认成交人",
        **_LOCAL_LAW,
    ),
}


# A procedure whose words differ from its business type's: a capital increase (增资, 32号令 第三章)
# finds investors (投资方) who pay an investment (增资金额), not transferees and a price.
PROCEDURE_TERMS: dict[tuple[str, str], Terms] = {
    ("property", "capital-increase"): replace(
        PROPERTY,
        owner="增资企业",
        bidder="意向投资方",
        candidates="投资方",
        winner="投资方",
        price="增资金额",
        bid_price="投资金额",
        award="确定投资方",
        publicity="增资结果公示",
        documents="增资文件",
    ),
}


def terms_for(business_type: str, procedure: str = "") -> Terms:
    """The words of `business_type` (and its `procedure`); an unknown type speaks engineering's."""
    own = PROCEDURE_TERMS.get((business_type, procedure))
    if own is not None:
        return own
    return TERMS.get(business_type, ENGINEERING)
