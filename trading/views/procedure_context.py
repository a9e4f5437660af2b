"""What the lot page offers at a procedure's own close, and the words each business type uses.

A land listing's close and a prequalification's review are recorded by desk staff; a property
disclosure's qualified transferees too, after which the transferor (the owner) extends it,
re-discloses it at a new price or ends it when none qualified (32号令 第18条).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from trading.domain.lifecycle import Family, LotStatus
from trading.domain.procedures import is_sale
from trading.forms import ReasonForm
from trading.forms_procedures import (
    CountForm,
    DealForm,
    ExtendDisclosureForm,
    ListingCloseForm,
    RedisclosureForm,
)
from trading.models import Lot, Organisation, Tender
from trading.openings import lot_auction_run_by_platform
from trading.participants import lot_participants_named
from trading.selectors.access import Role

# The forms of this module, by the key the page context and a refused POST use.
PROCEDURE_FORM_KEYS = (
    "listing_close_form",
    "transferees_form",
    "deal_form",
    "prequal_form",
    "extend_form",
    "redisclose_form",
    "end_disclosure_form",
)

# The ledger's actions of these procedures as a reader says them (the lot page's history).
PROCEDURE_LEDGER_ACTIONS: dict[str, Any] = {
    "lot.applications_closed": _("资格预审申请截止"),
    "lot.applicants_sufficient": _("资格审查：合格申请人足够，邀请投标"),
    "lot.applicants_insufficient": _("资格审查：合格申请人不足3个"),
    "lot.several_bidders": _("期满竞买人（意向受让方）两个以上，进入竞价"),
    "lot.one_transferee": _("披露期满一个合格意向受让方，协议转让"),
    "lot.no_transferee": _("披露期满未征集到意向受让方"),
    "lot.disclosure_extended": _("延长信息披露期"),
    "lot.redisclosed": _("降低转让底价，重新披露"),
}

# The business type's words (受让方, 成交价, 竞得人) are `trading.domain.vocabulary`'s; these are
# the few the lot page adds for its own sections.
TENDER_WORDS = {"downloads": _("下载招标文件的投标人")}
PROPERTY_WORDS = {"downloads": _("下载转让文件的意向受让方")}
# 32号令 第三章: a capital increase looks for investors, not transferees.
INVESTOR_WORDS = {"downloads": _("下载增资文件的意向投资方")}
SALE_WORDS = {"downloads": _("下载出让文件的竞买人")}


def lot_words(tender: Tender) -> dict[str, Any]:
    """The lot page's own words for a property transfer (32号令) or a sale (39号令)."""
    if tender.project.business_type.code == "property":
        return INVESTOR_WORDS if tender.procedure.code == "capital-increase" else PROPERTY_WORDS
    if is_sale(tender.procedure.family):
        return SALE_WORDS
    return TENDER_WORDS


# The schedule's words where a procedure's own differ from a tender's (投标/开标).
_SCHEDULE_WORDS: dict[str, dict[str, Any]] = {
    Family.PROPERTY_DISCLOSURE: {
        "opens": _("意向受让方登记开始"),
        "closes": _("信息披露期满"),
        "price": _("转让底价"),
        "qualified": _("合格意向受让方人数"),
    },
    Family.LISTING: {
        "opens": _("挂牌开始"),
        "closes": _("挂牌截止"),
        "price": _("起始价"),
        "qualified": _("挂牌期内报价的竞买人数"),
    },
    Family.PREQUALIFIED: {
        "opens": _("投标开始"),
        "closes": _("投标截止（开标）"),
        "price": _("估算价/预算"),
        "qualified": _("资格预审合格申请人数"),
    },
}

# A disclosure's or a listing's bidding period is not a tender's (开始投标, 投标截止).
_LEDGER_WORDS: dict[str, dict[str, Any]] = {
    Family.PROPERTY_DISCLOSURE: {
        "lot.open_bidding": _("意向受让方登记开始"),
        "lot.close_bidding": _("信息披露期满"),
        "lot.sold": _("成交，结果公示"),
    },
    Family.LISTING: {
        "lot.open_bidding": _("挂牌开始"),
        "lot.close_bidding": _("挂牌截止"),
        "lot.sold": _("挂牌（竞价）成交，结果公示"),
    },
}


# A capital increase's own (32号令 第三章: 意向投资方, 增资金额).
_INVESTOR_SCHEDULE_WORDS = {
    "opens": _("意向投资方登记开始"),
    "closes": _("信息披露期满"),
    "price": _("拟募集资金金额"),
    "qualified": _("合格意向投资方人数"),
}
_INVESTOR_LEDGER_WORDS = {
    "lot.open_bidding": _("意向投资方登记开始"),
    "lot.close_bidding": _("信息披露期满"),
    "lot.sold": _("成交，结果公示"),
    "lot.several_bidders": _("期满合格意向投资方两个以上，进入竞价"),
    "lot.one_transferee": _("披露期满一个合格意向投资方，协议增资"),
    "lot.no_transferee": _("披露期满未征集到意向投资方"),
}


def _capital_increase(tender: Tender) -> bool:
    return tender.procedure.code == "capital-increase"


def procedure_schedule_words(tender: Tender) -> dict[str, Any] | None:
    """The words of the lot's schedule facts for its procedure; None for a tender's own."""
    if _capital_increase(tender):
        return _INVESTOR_SCHEDULE_WORDS
    return _SCHEDULE_WORDS.get(tender.procedure.family)


def procedure_ledger_labels(tender: Tender) -> dict[str, Any]:
    """History labels that a procedure says in its own words (信息披露期满, not 投标截止)."""
    if _capital_increase(tender):
        return _INVESTOR_LEDGER_WORDS
    return _LEDGER_WORDS.get(tender.procedure.family, {})


def lot_bidders(lot: Lot) -> QuerySet[Organisation]:
    # Named among the lot's enrolled bidders; the services check again.
    return lot_participants_named(lot)


def procedure_context(lot: Lot, role: Role, forms: dict[str, Any]) -> dict[str, Any]:
    """The procedure's forms the page offers `role` now, and a refused one again as posted."""
    tender = lot.tender
    family, status = tender.procedure.family, lot.status
    offered: dict[str, Any] = {}
    if lot.suspended_at is None and role == Role.STAFF:
        # A live auction the platform runs closes itself: its forms are not offered.
        platform_auction = lot_auction_run_by_platform(lot)
        if family == Family.LISTING and status == LotStatus.LISTING_CLOSED and not platform_auction:
            offered["listing_close_form"] = ListingCloseForm(bidders=lot_bidders(lot))
        if (
            family == Family.PROPERTY_DISCLOSURE
            and status == LotStatus.LISTING_CLOSED
            and lot.qualified_count is None
        ):
            offered["transferees_form"] = CountForm(
                label=_INVESTOR_SCHEDULE_WORDS["qualified"]
                if _capital_increase(tender)
                else _("合格意向受让方人数")
            )
        if is_sale(family) and (
            status == LotStatus.AGREEMENT or (status == LotStatus.AUCTION and not platform_auction)
        ):
            offered["deal_form"] = DealForm(bidders=lot_bidders(lot))
        if family == Family.PREQUALIFIED and status == LotStatus.PREQUAL_REVIEW:
            offered["prequal_form"] = CountForm(label=_("资格预审合格申请人数"))
    if (
        lot.suspended_at is None
        and role == Role.OWNER
        and family == Family.PROPERTY_DISCLOSURE
        and status == LotStatus.LISTING_CLOSED
        and lot.qualified_count == 0
    ):
        offered["extend_form"] = ExtendDisclosureForm()
        offered["redisclose_form"] = RedisclosureForm(initial={"valuation": lot.valuation})
        offered["end_disclosure_form"] = ReasonForm(label=_("终结理由"))
    for key in PROCEDURE_FORM_KEYS:
        if key in forms:
            offered[key] = forms[key]
    return {
        **offered,
        "procedure_actions": bool(offered),
        "words": lot_words(tender),
    }
