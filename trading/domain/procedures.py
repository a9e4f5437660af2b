"""What decides where a listing, a property disclosure and a prequalification go at their close.

Pure: no Django, no clock. The transition tables are in `trading.domain.lifecycle`; these are the
decisions staff and owners record at the close, each from the article that makes it.
"""

from __future__ import annotations

from decimal import Decimal

from trading.domain.lifecycle import Family, LotEvent

# Procedures that sell: the result is a deal (成交), not an award to a tenderer.
SALE_FAMILIES = frozenset({Family.LISTING_AUCTION, Family.LISTING, Family.PROPERTY_DISCLOSURE})

# 实施条例 第19条: fewer than 3 qualified applicants and the tendering starts again.
MIN_QUALIFIED_APPLICANTS = 3
PREQUAL_INSUFFICIENT_REASON = "资格预审合格申请人不足3个"

# 32号令 第18条: a new price below 90% of the valuation needs the approving body's consent.
REDISCLOSURE_APPROVAL_RATIO = Decimal("0.9")


def is_sale(family: Family | str) -> bool:
    """A listing, an auction or a property transfer: a deal with a buyer (成交)."""
    return Family(family) in SALE_FAMILIES


def listing_outcome(bidders: int, *, reaches_reserve: bool) -> LotEvent:
    """Where a land listing goes at its close (国土资源部令第39号 第20条).

    One bidder whose bid reaches the reserve buys at the listing price, without on-site bidding;
    none, or one below the reserve, leaves it unsold (流拍); two or more go to timed bidding.
    """
    if isinstance(bidders, bool) or bidders < 0:
        raise ValueError(f"the number of bidders must be ≥ 0, got {bidders!r}")
    if bidders >= 2:
        return LotEvent.SEVERAL_BIDDERS
    if bidders == 1 and reaches_reserve:
        return LotEvent.SOLD
    return LotEvent.UNSOLD


def disclosure_outcome(qualified: int) -> LotEvent | None:
    """Where a property disclosure goes at its close, by its qualified 意向受让方 (32号令 第22条).

    One: 协议转让; two or more: 网络竞价; none: the transferor decides (第18条), so no event.
    """
    if isinstance(qualified, bool) or qualified < 0:
        raise ValueError(f"the number of qualified transferees must be ≥ 0, got {qualified!r}")
    if qualified == 0:
        return None
    return LotEvent.ONE_TRANSFEREE if qualified == 1 else LotEvent.SEVERAL_BIDDERS


def prequalification_outcome(qualified: int) -> LotEvent:
    """Three or more qualified applicants are invited to bid; fewer restart it (实施条例 第19条)."""
    if isinstance(qualified, bool) or qualified < 0:
        raise ValueError(f"the number of qualified applicants must be ≥ 0, got {qualified!r}")
    if qualified < MIN_QUALIFIED_APPLICANTS:
        return LotEvent.APPLICANTS_INSUFFICIENT
    return LotEvent.APPLICANTS_SUFFICIENT


def redisclosure_needs_approval(new_price: Decimal, valuation: Decimal) -> bool:
    """A re-disclosure price below 90% of the valuation needs written consent (32号令 第18条)."""
    if new_price < 0 or valuation < 0:
        raise ValueError(f"prices cannot be negative, got {new_price} and {valuation}")
    return new_price < valuation * REDISCLOSURE_APPROVAL_RATIO
