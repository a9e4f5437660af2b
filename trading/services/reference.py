"""Reference data: the 8 regions, 9 business types, their procedures, industries and the 72 desks.

Seeding is idempotent (update_or_create by code), so `make run` can call it on every start and a
corrected name in this file reaches existing databases.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from trading.clock import get_clock
from trading.domain.holiday_calendar import calendar_seed_years
from trading.domain.timeline import local_date
from trading.models import BusinessType, Desk, Industry, Procedure, ProcedureFamily, Region
from trading.services.rules import calendar_seed, timeline_rules_seed

# DOMAIN.md: the regions of the demo data (GB/T 2260 codes), each a top-level trading region.
REGIONS = [
    ("460100", "海口市", "Haikou"),
    ("460200", "三亚市", "Sanya"),
    ("460400", "儋州市", "Danzhou"),
    ("469002", "琼海市", "Qionghai"),
    ("469005", "文昌市", "Wenchang"),
    ("469006", "万宁市", "Wanning"),
    ("469001", "五指山市", "Wuzhishan"),
    ("469007", "东方市", "Dongfang"),
]

# DOMAIN.md: the nine business types, numbered as in the national data specification.
BUSINESS_TYPES = [
    (1, "engineering", "工程建设项目招标投标", "Construction project tendering"),
    (2, "procurement", "政府采购", "Government procurement"),
    (3, "land", "国有建设用地使用权出让", "State-owned construction land use rights"),
    (4, "mining", "矿业权出让", "Mining rights"),
    (5, "property", "国有产权交易", "State-owned property rights"),
    (6, "carbon", "碳排放权交易", "Carbon emission rights"),
    (7, "pollution", "排污权交易", "Pollutant discharge rights"),
    (8, "medicine", "药品和医用耗材采购", "Medicines and medical consumables"),
    (9, "other", "其他交易", "Other transactions"),
]


@dataclass(frozen=True)
class ProcedureSeed:
    business_type: str
    code: str
    name: str
    name_en: str
    family: ProcedureFamily
    sealed_bids: bool = False
    live_auction: bool = False
    listing: bool = False
    evaluation: bool = False
    prequalification: bool = False
    invitation_only: bool = False
    bidder_list_secret: bool = True
    min_bids: int = 1


# 政府采购法实施条例 第43条, 87号令 第69条: procurement publishes no candidates; the purchaser
# decides from the evaluation report and the result is announced with the award letter.
NO_CANDIDATE_PUBLICITY = frozenset({"procurement"})

SB = ProcedureFamily.SEALED_BID
LA = ProcedureFamily.LISTING_AUCTION
NG = ProcedureFamily.NEGOTIATED
LISTING = ProcedureFamily.LISTING
DISCLOSURE = ProcedureFamily.PROPERTY_DISCLOSURE
PREQUAL = ProcedureFamily.PREQUALIFIED

# DOMAIN.md "The nine business types": procedures per type. min_bids=3 where 实施条例 第44条 /
# 政府采购法 require three bids for an opening; property transfers qualify bidders openly.
PROCEDURES = [
    ProcedureSeed(
        "engineering",
        "open",
        "公开招标（资格后审）",
        "Open tendering (post-qualification)",
        SB,
        sealed_bids=True,
        evaluation=True,
        min_bids=3,
    ),
    ProcedureSeed(
        "engineering",
        "open-prequal",
        "公开招标（资格预审）",
        "Open tendering (prequalification)",
        PREQUAL,
        sealed_bids=True,
        evaluation=True,
        prequalification=True,
        min_bids=3,
    ),
    ProcedureSeed(
        "engineering",
        "invited",
        "邀请招标",
        "Invited tendering",
        SB,
        sealed_bids=True,
        evaluation=True,
        invitation_only=True,
        min_bids=3,
    ),
    ProcedureSeed(
        "procurement",
        "open",
        "公开招标",
        "Open tendering",
        SB,
        sealed_bids=True,
        evaluation=True,
        min_bids=3,
    ),
    ProcedureSeed(
        "procurement",
        "invited",
        "邀请招标",
        "Invited tendering",
        SB,
        sealed_bids=True,
        evaluation=True,
        invitation_only=True,
        min_bids=3,
    ),
    # 财政部令第87号 第14条: suppliers of an invited tender drawn from those a prequalification
    # notice qualified.
    ProcedureSeed(
        "procurement",
        "invited-prequal",
        "邀请招标（资格预审）",
        "Invited tendering (prequalification)",
        PREQUAL,
        sealed_bids=True,
        evaluation=True,
        prequalification=True,
        min_bids=3,
    ),
    ProcedureSeed(
        "procurement",
        "negotiation",
        "竞争性谈判",
        "Competitive negotiation",
        NG,
        sealed_bids=True,
        evaluation=True,
        min_bids=3,
    ),
    ProcedureSeed(
        "procurement",
        "consultation",
        "竞争性磋商",
        "Competitive consultation",
        NG,
        sealed_bids=True,
        evaluation=True,
        min_bids=3,
    ),
    ProcedureSeed(
        "procurement",
        "quotation",
        "询价",
        "Request for quotations",
        SB,
        sealed_bids=True,
        evaluation=True,
        min_bids=3,
    ),
    ProcedureSeed(
        "procurement",
        "single-source",
        "单一来源采购",
        "Single-source procurement",
        NG,
        invitation_only=True,
        bidder_list_secret=False,
    ),
    ProcedureSeed(
        "procurement",
        "framework",
        "框架协议采购",
        "Framework agreement",
        SB,
        sealed_bids=True,
        evaluation=True,
        min_bids=1,
    ),
    ProcedureSeed(
        "land", "tender", "招标出让", "Tender", SB, sealed_bids=True, evaluation=True, min_bids=3
    ),
    ProcedureSeed("land", "auction", "拍卖出让", "Auction", LA, live_auction=True),
    ProcedureSeed(
        "land",
        "listing",
        "挂牌出让（网上挂牌+限时竞价）",
        "Listing with timed bidding",
        LISTING,
        listing=True,
        live_auction=True,
    ),
    ProcedureSeed(
        "mining", "tender", "招标出让", "Tender", SB, sealed_bids=True, evaluation=True, min_bids=3
    ),
    ProcedureSeed("mining", "auction", "拍卖出让", "Auction", LA, live_auction=True),
    ProcedureSeed("mining", "listing", "挂牌出让", "Listing", LA, listing=True, live_auction=True),
    ProcedureSeed("mining", "agreement", "协议出让", "Agreement", NG, bidder_list_secret=False),
    # 32号令: one disclosure; 协议 or 竞价 is decided at its close by the qualified 意向受让方
    # (第18、22条), not chosen up front.
    ProcedureSeed(
        "property",
        "transfer",
        "产权转让（信息披露，期满确定协议或竞价）",
        "Transfer by disclosure (agreement or bidding decided at the close)",
        DISCLOSURE,
        listing=True,
        live_auction=True,
        bidder_list_secret=False,
    ),
    # 32号令 第39条: a capital increase discloses for at least 40 工作日 to find investors.
    ProcedureSeed(
        "property",
        "capital-increase",
        "企业增资（信息披露征集投资方）",
        "Capital increase (disclosure to find investors)",
        DISCLOSURE,
        listing=True,
        live_auction=True,
        bidder_list_secret=False,
    ),
    ProcedureSeed("carbon", "sale", "有偿出售", "Paid allocation", NG, bidder_list_secret=False),
    ProcedureSeed("carbon", "auction", "竞价出售", "Auction", LA, live_auction=True),
    ProcedureSeed("pollution", "auction", "竞价出让", "Auction", LA, live_auction=True),
    ProcedureSeed("pollution", "agreement", "协议出让", "Agreement", NG, bidder_list_secret=False),
    ProcedureSeed(
        "medicine",
        "tender",
        "集中招标采购",
        "Centralised tendering",
        SB,
        sealed_bids=True,
        evaluation=True,
        min_bids=3,
    ),
    ProcedureSeed(
        "medicine",
        "listing",
        "挂网采购",
        "Online listing",
        NG,
        listing=True,
        bidder_list_secret=False,
    ),
    ProcedureSeed("medicine", "negotiation", "谈判采购", "Negotiated purchase", NG),
    ProcedureSeed(
        "other",
        "listing",
        "挂牌交易（林权、农村产权等）",
        "Listing (forest, rural rights …)",
        LA,
        listing=True,
        live_auction=True,
        bidder_list_secret=False,
    ),
    ProcedureSeed(
        "other",
        "open",
        "国企公开采购",
        "State-enterprise open purchase",
        SB,
        sealed_bids=True,
        evaluation=True,
        min_bids=3,
    ),
    # Last, so the sort order of the procedures before it stays as it was.
    # 政府采购 网上竞价: the purchaser buys in a descending auction (bidding.domain.auction).
    ProcedureSeed(
        "procurement",
        "reverse-auction",
        "网上竞价（反向竞价）",
        "Reverse auction",
        LA,
        live_auction=True,
    ),
]

# GB/T 4754-2017 sections that trading touches, and the engineering sub-classes of the regulators.
INDUSTRIES = [
    ("E", None, "建筑业", "Construction"),
    ("E-housing", "E", "房屋建筑和市政基础设施工程", "Buildings and municipal works"),
    ("E-transport", "E", "交通运输工程", "Transport works"),
    ("E-water", "E", "水利工程", "Water conservancy works"),
    ("E-power", "E", "电力工程", "Power works"),
    ("E-telecom", "E", "通信工程", "Telecommunication works"),
    ("E-agriculture", "E", "农业农村工程", "Agricultural and rural works"),
    ("B", None, "采矿业", "Mining"),
    ("C", None, "制造业", "Manufacturing"),
    ("F", None, "批发和零售业", "Wholesale and retail"),
    ("I", None, "信息传输、软件和信息技术服务业", "Information technology services"),
    ("K", None, "房地产业", "Real estate"),
    ("M", None, "科学研究和技术服务业", "Research and technical services"),
    ("N", None, "水利、环境和公共设施管理业", "Water, environment and public facilities"),
    ("Q", None, "卫生和社会工作", "Health and social work"),
]


@transaction.atomic
def reference_data_seed() -> dict[str, int]:
    """Create or correct every reference row; return how many of each kind exist."""
    regions = {}
    for code, name, name_en in REGIONS:
        regions[code], _ = Region.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )
    types = {}
    for number, code, name, name_en in BUSINESS_TYPES:
        types[code], _ = BusinessType.objects.update_or_create(
            code=code, defaults={"number": number, "name": name, "name_en": name_en}
        )
    for order, seed in enumerate(PROCEDURES):
        Procedure.objects.update_or_create(
            business_type=types[seed.business_type],
            code=seed.code,
            defaults={
                "name": seed.name,
                "name_en": seed.name_en,
                "family": seed.family,
                "sealed_bids": seed.sealed_bids,
                "live_auction": seed.live_auction and not seed.sealed_bids,
                "listing": seed.listing,
                "evaluation": seed.evaluation,
                "prequalification": seed.prequalification,
                "invitation_only": seed.invitation_only,
                "bidder_list_secret": seed.bidder_list_secret,
                # A live auction's result is public the moment it closes: its deal notice
                # (成交公告) is publicised like any sale's, a reverse auction's too.
                "candidate_publicity": seed.business_type not in NO_CANDIDATE_PUBLICITY
                or seed.live_auction,
                "min_bids": seed.min_bids,
                "sort_order": order,
            },
        )
    for code, parent, name, name_en in INDUSTRIES:
        Industry.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "parent": Industry.objects.get(code=parent) if parent else None,
            },
        )
    for region in regions.values():
        for business_type in types.values():
            Desk.objects.get_or_create(region=region, business_type=business_type)
    return {
        "regions": len(regions),
        "business_types": len(types),
        "procedures": Procedure.objects.count(),
        "industries": Industry.objects.count(),
        "desks": Desk.objects.count(),
        # After the procedures: rule seeding checks every procedure code it names.
        "timeline_rules": timeline_rules_seed(),
        # Official years where known, provisional ones through today + 2 years.
        "calendar_days": calendar_seed(calendar_seed_years(local_date(get_clock()()))),
    }
