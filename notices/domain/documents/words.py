"""How one business type names the parties and amounts in its documents.

The parties, the price, the letter and the law are the platform's one vocabulary
(`trading.domain.vocabulary`), so a page and the document it links to say the same; what only a
document prints (its announcement's name, the estimate, the deadline) is added here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from notices.domain.documents.kinds import N_
from trading.domain.vocabulary import PROCEDURE_TERMS, Terms, terms_for


@dataclass(frozen=True)
class Vocabulary:
    """How one business type names the parties and amounts in its documents."""

    announcement: str
    owner: str
    bidder: str
    estimate: str
    deadline: str
    winner: str
    price: str
    candidates: str = N_("中标候选人")
    letter: str = N_("中标通知书")
    publicity: str = N_("中标候选人公示")
    law: str = N_("招标投标法")
    contract_article: str = N_("招标投标法 第46条")
    letter_article: str = N_("招标投标法 第45条")


def _words(business_type: str, *, announcement: str, estimate: str, deadline: str) -> Vocabulary:
    terms: Terms = terms_for(business_type)
    return Vocabulary(
        announcement=announcement,
        owner=terms.owner,
        bidder=terms.bidder,
        estimate=estimate,
        deadline=deadline,
        winner=terms.winner,
        price=terms.price,
        candidates=terms.candidates,
        letter=terms.letter,
        publicity=terms.publicity,
        law=terms.law,
        contract_article=terms.contract_article,
        letter_article=terms.letter_article,
    )


_SALE_DEADLINE = N_("挂牌（竞价）截止时间")
_AUCTION_DEADLINE = N_("竞价截止时间")

_TENDER_WORDS = _words(
    "engineering",
    announcement=N_("招标公告"),
    estimate=N_("招标控制价（估算价）"),
    deadline=N_("投标截止（开标）时间"),
)

VOCABULARY: dict[str, Vocabulary] = {
    "engineering": _TENDER_WORDS,
    "procurement": _words(
        "procurement",
        announcement=N_("采购公告"),
        estimate=N_("预算金额"),
        deadline=N_("响应文件提交截止（开标）时间"),
    ),
    "land": _words(
        "land",
        announcement=N_("国有建设用地使用权出让公告"),
        estimate=N_("起始价"),
        deadline=_SALE_DEADLINE,
    ),
    "mining": _words(
        "mining", announcement=N_("矿业权出让公告"), estimate=N_("起始价"), deadline=_SALE_DEADLINE
    ),
    "property": _words(
        "property",
        announcement=N_("国有产权转让公告"),
        estimate=N_("转让底价"),
        deadline=N_("信息披露（竞价）截止时间"),
    ),
    "carbon": _words(
        "carbon",
        announcement=N_("碳排放权交易公告"),
        estimate=N_("起始价"),
        deadline=_AUCTION_DEADLINE,
    ),
    "pollution": _words(
        "pollution",
        announcement=N_("排污权出让公告"),
        estimate=N_("起始价"),
        deadline=_AUCTION_DEADLINE,
    ),
    "medicine": _words(
        "medicine",
        announcement=N_("药品和医用耗材采购公告"),
        estimate=N_("预算金额"),
        deadline=N_("投标截止时间"),
    ),
    "other": _words(
        "other",
        announcement=N_("交易公告"),
        estimate=N_("起始价（预算）"),
        deadline=N_("交易截止时间"),
    ),
}


def vocabulary(business_type: str, procedure: str = "") -> Vocabulary:
    """The document words of `business_type`; a procedure with its own parties (增资: 投资方,
    32号令 第三章) prints those."""
    words = VOCABULARY.get(business_type, _TENDER_WORDS)
    if (business_type, procedure) not in PROCEDURE_TERMS:
        return words
    terms = terms_for(business_type, procedure)
    return replace(
        words,
        owner=terms.owner,
        bidder=terms.bidder,
        winner=terms.winner,
        price=terms.price,
        candidates=terms.candidates,
        letter=terms.letter,
        publicity=terms.publicity,
    )
