"""How one business type names the parties and amounts in its documents."""

from __future__ import annotations

from dataclasses import dataclass

from notices.domain.documents.kinds import N_


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


_TENDER_WORDS = Vocabulary(
    announcement=N_("招标公告"),
    owner=N_("招标人"),
    bidder=N_("投标人"),
    estimate=N_("招标控制价（估算价）"),
    deadline=N_("投标截止（开标）时间"),
    winner=N_("中标人"),
    price=N_("中标价"),
)
_SALE_WORDS = Vocabulary(
    announcement=N_("出让公告"),
    owner=N_("出让人"),
    bidder=N_("竞买人"),
    estimate=N_("起始价"),
    deadline=N_("挂牌（竞价）截止时间"),
    winner=N_("竞得人"),
    price=N_("成交价"),
)

VOCABULARY: dict[str, Vocabulary] = {
    "engineering": _TENDER_WORDS,
    "procurement": Vocabulary(
        announcement=N_("采购公告"),
        owner=N_("采购人"),
        bidder=N_("供应商"),
        estimate=N_("预算金额"),
        deadline=N_("响应文件提交截止（开标）时间"),
        winner=N_("中标（成交）供应商"),
        price=N_("中标（成交）金额"),
    ),
    "land": Vocabulary(
        announcement=N_("国有建设用地使用权出让公告"),
        owner=_SALE_WORDS.owner,
        bidder=_SALE_WORDS.bidder,
        estimate=_SALE_WORDS.estimate,
        deadline=_SALE_WORDS.deadline,
        winner=_SALE_WORDS.winner,
        price=_SALE_WORDS.price,
    ),
    "mining": Vocabulary(
        announcement=N_("矿业权出让公告"),
        owner=_SALE_WORDS.owner,
        bidder=_SALE_WORDS.bidder,
        estimate=_SALE_WORDS.estimate,
        deadline=_SALE_WORDS.deadline,
        winner=_SALE_WORDS.winner,
        price=_SALE_WORDS.price,
    ),
    "property": Vocabulary(
        announcement=N_("国有产权转让公告"),
        owner=N_("转让方"),
        bidder=N_("意向受让方"),
        estimate=N_("转让底价"),
        deadline=N_("信息披露（竞价）截止时间"),
        winner=N_("受让方"),
        price=N_("成交价"),
    ),
    "carbon": Vocabulary(
        announcement=N_("碳排放权交易公告"),
        owner=N_("出让方"),
        bidder=N_("竞买人"),
        estimate=N_("起始价"),
        deadline=N_("竞价截止时间"),
        winner=N_("竞得人"),
        price=N_("成交价"),
    ),
    "pollution": Vocabulary(
        announcement=N_("排污权出让公告"),
        owner=N_("出让方"),
        bidder=N_("竞买人"),
        estimate=N_("起始价"),
        deadline=N_("竞价截止时间"),
        winner=N_("受让方"),
        price=N_("成交价"),
    ),
    "medicine": Vocabulary(
        announcement=N_("药品和医用耗材采购公告"),
        owner=N_("采购人"),
        bidder=N_("投标人"),
        estimate=N_("预算金额"),
        deadline=N_("投标截止时间"),
        winner=N_("中选企业"),
        price=N_("中选价"),
    ),
    "other": Vocabulary(
        announcement=N_("交易公告"),
        owner=N_("委托方"),
        bidder=N_("意向受让方（投标人）"),
        estimate=N_("起始价（预算）"),
        deadline=N_("交易截止时间"),
        winner=N_("成交人"),
        price=N_("成交价"),
    ),
}


def vocabulary(business_type: str) -> Vocabulary:
    return VOCABULARY.get(business_type, _TENDER_WORDS)
