"""`{% terms business_type as words %}`: a business type's words, translated, for templates."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django import template
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from trading.domain.lifecycle import LotStatus
from trading.domain.vocabulary import terms_for
from trading.models import Lot
from trading.selectors.terms import article_words

register = template.Library()

# The vocabulary's words, where makemessages finds them for the English pages; a unit test keeps
# this list equal to `trading.domain.vocabulary`.
VOCABULARY_MESSAGES = (
    gettext_noop("招标人"),
    gettext_noop("投标人"),
    gettext_noop("中标候选人"),
    gettext_noop("中标人"),
    gettext_noop("中标价"),
    gettext_noop("投标报价"),
    gettext_noop("确定中标人"),
    gettext_noop("中标通知书"),
    gettext_noop("中标候选人公示"),
    gettext_noop("招标投标法"),
    gettext_noop("招标投标法 第46条"),
    gettext_noop("招标投标法 第47条"),
    gettext_noop("招标投标法 第45条"),
    gettext_noop("招标文件"),
    gettext_noop("采购人"),
    gettext_noop("供应商"),
    gettext_noop("中标（成交）候选人"),
    gettext_noop("中标（成交）供应商"),
    gettext_noop("中标（成交）金额"),
    gettext_noop("响应报价"),
    gettext_noop("确定中标（成交）供应商"),
    gettext_noop("中标（成交）通知书"),
    gettext_noop("中标（成交）结果公告"),
    gettext_noop("政府采购法"),
    gettext_noop("政府采购法 第46条"),
    gettext_noop("政府采购法 第47条"),
    gettext_noop("采购文件"),
    gettext_noop("出让人"),
    gettext_noop("竞买人"),
    gettext_noop("竞得人"),
    gettext_noop("成交价"),
    gettext_noop("竞买报价"),
    gettext_noop("确认竞得人"),
    gettext_noop("成交确认书"),
    gettext_noop("成交结果公示"),
    gettext_noop("国土资源部令第39号"),
    gettext_noop("出让文件"),
    gettext_noop("本平台交易规则（地方规则）"),
    gettext_noop("转让方"),
    gettext_noop("意向受让方"),
    gettext_noop("受让方"),
    gettext_noop("报价"),
    gettext_noop("确认受让方"),
    gettext_noop("交易结果公示"),
    gettext_noop("国资委 财政部令第32号"),
    gettext_noop("转让文件"),
    gettext_noop("出让方"),
    gettext_noop("拟中选企业"),
    gettext_noop("中选企业"),
    gettext_noop("中选价"),
    gettext_noop("确定中选企业"),
    gettext_noop("中选通知书"),
    gettext_noop("中选结果公示"),
    gettext_noop("委托方"),
    gettext_noop("成交人"),
    gettext_noop("确认成交人"),
    gettext_noop("增资企业"),
    gettext_noop("意向投资方"),
    gettext_noop("投资方"),
    gettext_noop("增资金额"),
    gettext_noop("投资金额"),
    gettext_noop("确定投资方"),
    gettext_noop("增资结果公示"),
    gettext_noop("增资文件"),
)

# A lot's status in its procedure's words where the tender's would mislead: a property is
# disclosed (32号令 信息披露), a parcel listed (39号令 挂牌), a negotiated lot responded to.
STATUS_WORDS: dict[str, dict[str, Any]] = {
    "property_disclosure": {
        LotStatus.BIDDING: _("信息披露中"),
        LotStatus.LISTING_CLOSED: _("信息披露期满"),
        LotStatus.AUCTION: _("网络竞价"),
        LotStatus.AWARDED: _("已成交"),
        LotStatus.FAILED: _("未成交"),
    },
    "listing": {
        LotStatus.BIDDING: _("挂牌中"),
        LotStatus.LISTING_CLOSED: _("挂牌期满"),
        LotStatus.AUCTION: _("限时竞价"),
        LotStatus.AWARDED: _("已成交"),
        LotStatus.FAILED: _("流拍"),
    },
    "listing_auction": {
        LotStatus.BIDDING: _("竞买报名中"),
        LotStatus.AWARDED: _("已成交"),
        LotStatus.FAILED: _("流拍"),
    },
    "negotiated": {
        LotStatus.BIDDING: _("响应中"),
        LotStatus.AWARDED: _("已成交"),
        LotStatus.FAILED: _("未成交"),
    },
}


def translated_terms(business_type: str, procedure: str = "") -> dict[str, str]:
    """Every word of `business_type`'s (and `procedure`'s) vocabulary in the reader's language."""
    words = terms_for(business_type, procedure)
    return {name: gettext(word) for name, word in asdict(words).items()}


@register.filter
def article(value: str) -> str:
    """`{{ rule.article|article }}`: a law's title stays Chinese, the platform's phrases do not."""
    return article_words(str(value or ""))


@register.simple_tag
def terms(business_type: str, procedure: str = "") -> dict[str, str]:
    return translated_terms(str(business_type or ""), str(procedure or ""))


@register.simple_tag
def lot_status_word(lot: Lot) -> str:
    """The lot's status as its procedure calls it: 信息披露中, not 投标中, for a property."""
    word = STATUS_WORDS.get(lot.tender.procedure.family, {}).get(LotStatus(lot.status))
    return str(word) if word is not None else lot.get_status_display()
