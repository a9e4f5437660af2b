"""Demo tenders: every business type in a different state, and training tenders that move live.

Seeded through the services, as the demo accounts of `trading.services.demo` would act, each
history played on a clock set back in time so that every status is reached lawfully and stays
consistent with today (a lot shown as bidding closes in the future; one in publicity ends in a
few days). Idempotent: a demo tender whose project exists is left alone.

Training tenders (Project.training, time_scale=1440: one day of the schedule per minute), one
of each procedure family, are re-armed on every seeding once the previous ones have run through:
their lots open a minute after seeding and close a few minutes later; the training scenario
(`trading.services.training`, `notices.receivers`) then publishes their notices and takes every
step nobody takes, so `make run` shows them reach their end by themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from trading.clock import Clock, get_clock
from trading.domain.lifecycle import LotStatus
from trading.models import (
    BusinessType,
    Lot,
    Organisation,
    Procedure,
    Project,
    Region,
    TimelineRule,
    User,
)
from trading.models.tenders import DocumentKind, PriceForm
from trading.participants import lot_participants_enrol
from trading.services.demo_documents import (
    CONTRACT,
    EVALUATION_REPORT,
    TENDER_DOCUMENTS,
    WRITTEN_REPORT,
    demo_pdf,
)
from trading.services.demo_procedures import (
    demo_disclosure_extended,
    demo_two_bidders_at_the_close,
)

TRAINING_SCALE = 1440  # one day of the schedule runs in one minute
TRAINING_PREFIX = "培训演示"


class SteppingClock:
    """A clock the demo moves by hand: each service call reads the moment of its step."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def at(self, moment: datetime) -> SteppingClock:
        self.now = moment
        return self


@dataclass(frozen=True)
class DemoTender:
    """One demo history: who drafts and publishes, where, and how far it goes."""

    project: str
    tender: str
    lot: str
    business_type: str
    procedure: str
    region: str
    owner: str  # username of the drafter
    staff: str  # username of the publisher (another person, 管办分离 and four eyes)
    estimate: Decimal
    goes_to: str  # draft | pending_review | published | bidding | evaluation | publicity |
    # awarded | issued (letter and result out) | closed | failed_bids | failed_auction |
    # retendered (a failed lot and its successor) | extended_disclosure (32号令 第18条) |
    # suspended (bidding, held by its regulator's intervention, 实施条例 第62条) |
    # complaint (bidding, a complaint accepted and awaiting statements, 实施条例 第60、61条). A
    # negotiated lot's "evaluation" is its negotiation (no opening, no bid count).
    owner_org: str | None = None  # the owner when an agency drafts
    bid_days: int = 45
    extra: dict[str, Any] = field(default_factory=dict)


# Days before today each history starts, so that its current status is consistent with today.
STARTS = {
    "draft": 0,
    "pending_review": 0,
    "published": 0,
    "bidding": 30,
    "suspended": 30,
    "complaint": 30,
    "evaluation": 50,
    "publicity": 50,
    "failed_bids": 50,
    "failed_auction": 50,
    "retendered": 50,
    "awarded": 70,
    "issued": 70,
    "closed": 90,
    "extended_disclosure": 50,
}

DEMO_TENDERS = [
    DemoTender(
        "海口市第一中学教学楼新建工程",
        "海口市第一中学教学楼新建工程施工",
        "施工一标段",
        "engineering",
        "open",
        "460100",
        "owner_school",
        "staff_haikou",
        Decimal("36800000.00"),
        "publicity",
    ),
    DemoTender(
        "海口市美兰区海甸溪沿岸市政道路改造工程",
        "海甸溪沿岸市政道路改造工程施工",
        "施工标段",
        "engineering",
        "open",
        "460100",
        "owner_school",
        "staff_haikou",
        Decimal("12600000.00"),
        "suspended",
        extra={
            "regulator": "reg_housing",
            "hold_reason": "接实名举报，核查招标文件资格条件是否排斥潜在投标人，核查期间暂停。",
        },
    ),
    DemoTender(
        "海口市美兰区白龙南路排水管网改造工程",
        "白龙南路排水管网改造工程施工",
        "施工标段",
        "engineering",
        "open",
        "460100",
        "owner_school",
        "staff_haikou",
        Decimal("8900000.00"),
        "complaint",
        extra={"regulator": "reg_housing", "bidder": "bidder1"},
    ),
    DemoTender(
        "海口市实验小学操场改造工程",
        "海口市实验小学操场改造工程施工",
        "施工标段",
        "engineering",
        "open",
        "460100",
        "owner_school",
        "staff_haikou",
        Decimal("4200000.00"),
        "draft",
    ),
    DemoTender(
        "海口市第二中学风雨操场新建工程",
        "海口市第二中学风雨操场新建工程施工",
        "施工标段",
        "engineering",
        "open",
        "460100",
        "owner_school",
        "staff_haikou",
        Decimal("5600000.00"),
        "retendered",
    ),
    DemoTender(
        "海口市中小学多媒体教室设备采购",
        "多媒体教室设备采购",
        "第1包 交互式平板",
        "procurement",
        "open",
        "460100",
        "owner_school",
        "staff_haikou",
        Decimal("2650000.00"),
        "pending_review",
    ),
    DemoTender(
        "海口市教育系统校园安保服务",
        "校园安保服务采购",
        "第1包 安保服务",
        "procurement",
        "open",
        "460100",
        "agency",
        "staff_haikou",
        Decimal("1880000.00"),
        "bidding",
        owner_org="school",
        # Deliberately late: the desk published the announcement two days after its limit, so
        # the finance regulator's console has one red light to follow (`notices.demo`).
        extra={"announcement_late_days": 2},
    ),
    DemoTender(
        "三亚市海棠湾HT-07地块国有建设用地使用权出让",
        "海棠湾HT-07地块挂牌出让",
        "HT-07地块",
        "land",
        "listing",
        "460200",
        "owner_land",
        "staff_land",
        Decimal("186000000.00"),
        "bidding",
    ),
    DemoTender(
        "三亚市崖州区建筑用花岗岩采矿权出让",
        "建筑用花岗岩采矿权拍卖出让",
        "花岗岩矿区",
        "mining",
        "auction",
        "460200",
        "owner_land",
        "staff_land",
        Decimal("23500000.00"),
        "failed_auction",
    ),
    DemoTender(
        "三亚旅游发展有限公司20%股权转让",
        "旅游发展公司股权挂牌转让",
        "20%股权",
        "property",
        "transfer",
        "460200",
        "owner_land",
        "staff_sanya",
        Decimal("52000000.00"),
        "awarded",
    ),
    # 32号令 第18条: nobody qualified when the disclosure closed; the transferor extended it.
    DemoTender(
        "三亚湾酒店管理有限公司100%股权转让",
        "酒店管理公司股权转让信息披露",
        "100%股权",
        "property",
        "transfer",
        "460200",
        "owner_land",
        "staff_sanya",
        Decimal("18600000.00"),
        "extended_disclosure",
    ),
    DemoTender(
        "三亚市2026年度碳排放配额有偿竞价",
        "碳排放配额竞价出售",
        "配额第1批",
        "carbon",
        "auction",
        "460200",
        "owner_land",
        "staff_sanya",
        Decimal("3000000.00"),
        "published",
    ),
    DemoTender(
        "三亚市化学需氧量排污权协议出让",
        "化学需氧量排污权协议出让",
        "COD 120吨",
        "pollution",
        "agreement",
        "460200",
        "owner_land",
        "staff_sanya",
        Decimal("960000.00"),
        "evaluation",
    ),
    DemoTender(
        "三亚市公立医院医用耗材集中采购",
        "医用耗材集中招标采购",
        "第3包 一次性注射器",
        "medicine",
        "tender",
        "460200",
        "owner_land",
        "staff_sanya",
        Decimal("7800000.00"),
        "failed_bids",
    ),
    # 政府采购法实施条例 第43条, 87号令 第69条: awarded from the report without candidate
    # publicity; the result notice and the award letter went out together.
    DemoTender(
        "海口市教育局办公家具采购",
        "办公家具采购",
        "第1包 办公桌椅",
        "procurement",
        "open",
        "460100",
        "owner_school",
        "staff_haikou",
        Decimal("860000.00"),
        "issued",
    ),
    DemoTender(
        "三亚市国企办公用品框架采购",
        "国企办公用品公开采购",
        "办公用品包",
        "other",
        "open",
        "460200",
        "agency",
        "staff_sanya",
        Decimal("640000.00"),
        "closed",
        owner_org="school",
    ),
]

# The committee the demo's evaluations name (五人以上单数, 招标投标法 第37条).
DEMO_COMMITTEE = ["王建国（组长）", "李海燕", "陈志强", "符永明", "吴晓琳"]
# Registered constructors (注册建造师) the demo's engineering bids name as project managers.
_MANAGERS = [
    ("林国栋", "琼146202012345"),
    ("黄志明", "琼146201954321"),
    ("邢海波", "琼146202167890"),
]
_OWNER_ORGS = {"school": "海口市教育局", "landbureau": "三亚市自然资源和规划局"}
_BIDDERS = ["海南建工集团有限公司", "琼海路桥工程有限公司", "三亚宏图建设有限公司"]


# 工期/服务期 and 质量要求 of the works and services; a sale has neither.
_DURATION = {"engineering": 365, "procurement": 90, "medicine": 365, "other": 180}
_QUALITY = {
    "engineering": "合格（符合国家现行施工质量验收规范）",
    "procurement": "符合国家标准和采购需求，验收合格",
    "medicine": "符合《中华人民共和国药典》及国家药品标准",
}


def _user(username: str) -> User:
    return User.objects.select_related("organisation").get(username=username)


def _organisation(user: User) -> Organisation:
    if user.organisation is None:
        raise ValueError(f"demo user {user.username} has no organisation")
    return user.organisation


def _advance(lot: Lot, now: datetime) -> Lot:
    """What the chronograph does at `now`, done here for a history played in the past."""
    from trading.lock_objects import lock_lot
    from trading.services.lots import lot_advance

    with transaction.atomic():
        lot_advance(lock_lot(lot.pk), now)
    return Lot.objects.get(pk=lot.pk)


def _deposit(demo: DemoTender) -> Decimal:
    # 实施条例 第26条: at most 2% of the estimate for engineering and procurement bids.
    share = (
        Decimal("0.01") if demo.business_type in ("engineering", "procurement") else Decimal("0.1")
    )
    return (demo.estimate * share).quantize(Decimal("1"))


def _draft(
    demo: DemoTender,
    clock: SteppingClock,
    *,
    training: bool = False,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    documents_in: timedelta = timedelta(minutes=30),
) -> Lot:
    from trading.services.documents import tender_document_upload
    from trading.services.lots import lot_create
    from trading.services.projects import project_create
    from trading.services.tenders import tender_create

    actor = _user(demo.owner)
    agency = _organisation(actor) if demo.owner_org else None
    owner = (
        Organisation.objects.get(name=_OWNER_ORGS[demo.owner_org])
        if demo.owner_org
        else _organisation(actor)
    )
    start = clock.now
    project = project_create(
        owner=owner,
        agency=agency,
        name=demo.project,
        region=Region.objects.get(code=demo.region),
        business_type=BusinessType.objects.get(code=demo.business_type),
        funding_source="state",
        state_funded=True,
        training=training,
        time_scale=int(demo.extra.get("scale", TRAINING_SCALE)) if training else 1,
        actor=actor,
        clock=clock,
    )
    procedure = Procedure.objects.get(business_type__code=demo.business_type, code=demo.procedure)
    tender = tender_create(
        project=project,
        name=demo.tender,
        procedure=procedure,
        price_form=PriceForm.AMOUNT,
        documents_issued_at=start
        + (documents_in if not training else timedelta())
        + timedelta(seconds=5),
        actor=actor,
        clock=clock,
    )
    lot = lot_create(
        tender=tender,
        name=demo.lot,
        estimate=demo.estimate,
        deposit_amount=_deposit(demo),
        increment=Decimal("100000.00") if procedure.live_auction else Decimal("0"),
        scope=demo.tender,
        duration_days=_DURATION.get(demo.business_type),
        quality=_QUALITY.get(demo.business_type, ""),
        opens_at=opens_at or start + timedelta(days=25),
        closes_at=closes_at or start + timedelta(days=demo.bid_days),
        actor=actor,
        clock=clock,
    )
    tender_document_upload(
        tender=tender,
        kind=DocumentKind.TENDER_DOCUMENTS,
        title=f"{demo.tender} 招标（出让）文件",
        file=demo_pdf("documents.pdf", TENDER_DOCUMENTS, lot),
        actor=actor,
        clock=clock,
    )
    return lot


def _submit_and_publish(demo: DemoTender, lot: Lot, clock: SteppingClock, *, publish: bool) -> Lot:
    from trading.services.tenders import tender_publish, tender_submit

    tender = lot.tender
    tender_submit(tender=tender, actor=_user(demo.owner), clock=clock)
    if publish:
        clock.at(clock.now + timedelta(minutes=10))
        tender_publish(tender=tender, actor=_user(demo.staff), clock=clock)
    return Lot.objects.get(pk=lot.pk)


def _bidders() -> list[Organisation]:
    return list(Organisation.objects.filter(name__in=_BIDDERS).order_by("pk"))


def _play(demo: DemoTender, today: datetime) -> None:
    """Play one demo history from its start to the status it should have today."""
    from trading.services.awards import (
        award_confirm,
        award_letter_issue,
        contract_record,
        report_file,
    )
    from trading.services.outcomes import (
        CandidateInput,
        lot_record_auction_result,
        lot_record_bid_count,
        lot_record_evaluation,
    )
    from trading.services.publicity import lot_publicity_open, publicity_notice_kind

    goal = demo.goes_to
    clock = SteppingClock(today - timedelta(days=STARTS[goal], hours=1))
    # A tender still awaiting the desk's review issues its documents tomorrow, not in the past.
    lot = _draft(
        demo,
        clock,
        documents_in=timedelta(days=1) if goal == "pending_review" else timedelta(minutes=30),
    )
    if goal == "draft":
        return
    lot = _submit_and_publish(demo, lot, clock, publish=goal != "pending_review")
    if goal in ("pending_review", "published"):
        return
    staff, owner = _user(demo.staff), _user(demo.owner)
    closes_at = lot.closes_at or today  # set by _draft
    if goal == "bidding":
        moment = min(today, closes_at - timedelta(minutes=1))
        _advance(lot, moment)
        # Two demo bidders have enrolled: their enrolment pages and lists show it (报名).
        lot_participants_enrol(lot, _bidders()[:2], moment)
        return
    if goal == "suspended":
        from trading.services.interventions import intervention_hold_place

        held_at = min(today, closes_at - timedelta(minutes=1))
        lot = _advance(lot, held_at)
        intervention_hold_place(
            target=lot,
            reason=demo.extra["hold_reason"],
            actor=_user(demo.extra["regulator"]),
            clock=clock.at(held_at),
        )
        return
    if goal == "complaint":
        from trading.services.demo_complaints import demo_complaint_in_progress

        demo_complaint_in_progress(
            lot,
            owner=owner,
            bidder=_user(demo.extra["bidder"]),
            regulator=_user(demo.extra["regulator"]),
            clock=clock,
            today=today,
        )
        _advance(lot, min(today, closes_at - timedelta(minutes=1)))
        return
    lot = _advance(lot, closes_at + timedelta(minutes=1))
    after_close = closes_at + timedelta(hours=2)
    bidders = _bidders()
    # The demo bidders enrolled while the lot took bids: candidates come from the enrolments.
    lot_participants_enrol(lot, bidders, closes_at - timedelta(hours=1))
    if goal == "failed_auction":
        lot_record_auction_result(lot=lot, sold=False, actor=staff, clock=clock.at(after_close))
        return
    if goal == "failed_bids":
        lot_record_bid_count(lot=lot, count=1, actor=staff, clock=clock.at(after_close))
        return
    if goal == "retendered":
        _retender(lot, staff=staff, owner=owner, after_close=after_close, today=today)
        return
    if lot.status == LotStatus.NEGOTIATION:
        return
    if goal == "extended_disclosure":
        demo_disclosure_extended(lot, staff, owner, clock, after_close, today)
        return
    if lot.status == LotStatus.LISTING_CLOSED:
        lot = demo_two_bidders_at_the_close(lot, staff, clock.at(after_close))
        after_close += timedelta(minutes=30)
    if lot.status == LotStatus.AUCTION:
        lot_record_auction_result(
            lot=lot,
            sold=True,
            winner=bidders[0],
            price=demo.estimate * Decimal("1.18"),
            actor=staff,
            clock=clock.at(after_close),
        )
    else:
        lot_record_bid_count(lot=lot, count=len(bidders), actor=staff, clock=clock.at(after_close))
        if goal == "evaluation":
            return
        candidates = [
            CandidateInput(
                organisation=organisation,
                price=(demo.estimate * Decimal(str(0.95 + rank / 100))).quantize(Decimal("0.01")),
                score=Decimal(str(92 - rank * 3)),
                project_manager=_MANAGERS[rank][0] if demo.business_type == "engineering" else "",
                manager_certificate=_MANAGERS[rank][1]
                if demo.business_type == "engineering"
                else "",
            )
            for rank, organisation in enumerate(bidders)
        ]
        # Publicity starts the day before today, so it is still running.
        reported = after_close + timedelta(days=1)
        if goal == "publicity":
            reported = today - timedelta(days=1)
        lot_record_evaluation(
            lot=lot,
            candidates=candidates,
            report_file=demo_pdf(
                "evaluation-report.pdf",
                EVALUATION_REPORT,
                lot,
                {
                    "candidates": [
                        {
                            "name": c.organisation.name,
                            "uscc": c.organisation.uscc,
                            "price": str(c.price),
                            "score": str(c.score),
                        }
                        for c in candidates
                    ],
                    "committee": DEMO_COMMITTEE,
                },
            ),
            committee=DEMO_COMMITTEE,
            actor=staff,
            clock=clock.at(reported),
        )
    lot = Lot.objects.get(pk=lot.pk)
    procedure = lot.tender.procedure
    period_notice = publicity_notice_kind(procedure)
    if lot.status == LotStatus.PUBLICITY:
        # The desk publishes the publicity an hour later (played here, in the past); the
        # period runs from then (实施条例 第54条). The notice drafted at start-up opens nothing.
        opened = clock.now + timedelta(hours=1)
        lot_publicity_open(
            lot_id=lot.pk, notice_kind=period_notice, published_at=opened, clock=clock.at(opened)
        )
    if goal == "publicity":
        return
    lot = Lot.objects.get(pk=lot.pk)
    if lot.status == LotStatus.PUBLICITY:
        awarded_at = (lot.publicity_ends_at or today) + timedelta(hours=1)
        lot = _advance(lot, awarded_at)
    else:
        # No candidate publicity: the purchaser decides within 5 工作日 (政府采购法实施条例 第43条).
        awarded_at = clock.now + timedelta(days=1)
    first = lot.candidates.order_by("rank").first()
    if first is None:
        raise ValueError(f"demo lot {lot.code} has no candidate")
    award_confirm(lot=lot, candidate=first, actor=owner, clock=clock.at(awarded_at))
    if goal == "awarded":
        return
    # The letter's notice is published by the desk an hour later (played here, in the past);
    # a procurement's result notice with it, for 1 工作日 (87号令 第69条).
    letter_issued = awarded_at + timedelta(hours=1)
    award_letter_issue(
        lot_id=lot.pk, issued_at=letter_issued, verification_code="", clock=clock.at(letter_issued)
    )
    if period_notice == "result":
        lot_publicity_open(
            lot_id=lot.pk,
            notice_kind=period_notice,
            published_at=letter_issued,
            clock=clock.at(letter_issued),
        )
    if goal == "issued":
        return
    signed = awarded_at + timedelta(days=7)
    contract_record(
        lot=lot,
        signed_on=timezone.localtime(signed).date(),
        amount=first.price,
        file=demo_pdf("contract.pdf", CONTRACT, lot),
        actor=owner,
        clock=clock.at(signed),
    )
    report_file(
        lot=lot,
        file=demo_pdf("report.pdf", WRITTEN_REPORT, lot),
        actor=owner,
        clock=clock.at(signed + timedelta(days=2)),
    )


def _retender(lot: Lot, *, staff: User, owner: User, after_close: datetime, today: datetime) -> Lot:
    """Two bids at the opening (流标, 实施条例 第44条), then the owner's draft of the next round."""
    from trading.services.outcomes import lot_record_bid_count
    from trading.services.retender import lot_retender

    lot_record_bid_count(lot=lot, count=2, actor=staff, clock=SteppingClock(after_close))
    # Drafted today for a deadline 25 days ahead: the owner completes the documents and submits.
    return lot_retender(
        lot=Lot.objects.get(pk=lot.pk),
        documents_issued_at=today + timedelta(days=1),
        opens_at=today + timedelta(days=2),
        closes_at=today + timedelta(days=26),
        actor=owner,
        clock=SteppingClock(today),
    )


# --- training tenders -----------------------------------------------------------------------------

TRAINING_TENDERS = [
    DemoTender(
        "（培训）海口市体育馆维修工程",
        "体育馆维修工程施工（培训）",
        "施工标段",
        "engineering",
        "open",
        "460100",
        "owner_school",
        "staff_haikou",
        Decimal("3200000.00"),
        "bidding",
    ),
    DemoTender(
        "（培训）三亚市碳排放配额竞价",
        "碳排放配额竞价出售（培训）",
        "配额培训批",
        "carbon",
        "auction",
        "460200",
        "owner_land",
        "staff_sanya",
        Decimal("500000.00"),
        "bidding",
    ),
    DemoTender(
        "（培训）三亚市氨氮排污权协议出让",
        "氨氮排污权协议出让（培训）",
        "氨氮 20吨",
        "pollution",
        "agreement",
        "460200",
        "owner_land",
        "staff_sanya",
        Decimal("240000.00"),
        "bidding",
    ),
    # 32号令: 20 工作日 of disclosure and 5 工作日 of result publicity; two training days a
    # minute, so that it ends within a quarter of an hour like the others.
    DemoTender(
        "（培训）三亚市国有企业10%股权转让",
        "国有企业股权转让（培训）",
        "10%股权",
        "property",
        "transfer",
        "460200",
        "owner_land",
        "staff_sanya",
        Decimal("6800000.00"),
        "bidding",
        extra={"scale": TRAINING_SCALE * 2},
    ),
]

# Real minutes from seeding: bidding opens after one, the deadline comes three minutes later.
# At 1440× the history before seeding is 35 minutes (35 days of schedule), so the documents went
# out more than the lawful 20 days (招标投标法 第24条) before the deadline, counted scaled.
TRAINING_OPENS_IN = timedelta(minutes=1)
TRAINING_CLOSES_IN = timedelta(minutes=4)
TRAINING_HISTORY = timedelta(minutes=35)


def _training_armed(now: datetime) -> bool:
    """Whether a training lot is still on its way to the deadline (no need for new ones)."""
    return Lot.objects.filter(
        tender__project__training=True,
        status__in=[LotStatus.PUBLISHED, LotStatus.BIDDING],
        closes_at__gt=now,
    ).exists()


def _arm_training(now: datetime) -> int:
    """Fresh training tenders: bidding opens in a minute, closes in four.

    Named as a person would name them: their documents print the name, and the rounds are told
    apart by their codes, not by a timestamp in the name.
    """
    created = 0
    for demo in TRAINING_TENDERS:
        named = DemoTender(
            f"{TRAINING_PREFIX}：{demo.project.removeprefix('（培训）')}",
            demo.tender,
            demo.lot,
            demo.business_type,
            demo.procedure,
            demo.region,
            demo.owner,
            demo.staff,
            demo.estimate,
            demo.goes_to,
            extra=demo.extra,
        )
        # The schedule was drafted "35 training days" ago; its lawful periods are checked scaled.
        clock = SteppingClock(now - TRAINING_HISTORY)
        lot = _draft(
            named,
            clock,
            training=True,
            opens_at=now + TRAINING_OPENS_IN,
            closes_at=now + TRAINING_CLOSES_IN,
        )
        _submit_and_publish(named, lot, clock, publish=True)
        created += 1
    return created


def _rules_ready(today: date) -> None:
    from trading.domain.holiday_calendar import calendar_seed_years
    from trading.services.rules import calendar_seed, timeline_rules_seed

    if not TimelineRule.objects.exists():
        timeline_rules_seed()
    # make run keeps provisional years through today + 2 years (a schedule's horizon).
    calendar_seed(calendar_seed_years(today))


def demo_tenders_seed(*, clock: Clock | None = None) -> dict[str, int]:
    """Demo tenders of every business type in different states, plus armed training tenders."""
    now = (clock or get_clock())()
    _rules_ready(timezone.localtime(now).date())
    created = 0
    for demo in DEMO_TENDERS:
        if Project.objects.filter(name=demo.project, training=False).exists():
            continue
        with transaction.atomic():
            _play(demo, now)
        created += 1
    training = 0
    if not _training_armed(now):
        with transaction.atomic():
            training = _arm_training(now)
    return {
        "demo_tenders": created,
        "demo_tenders_total": Project.objects.filter(training=False)
        .filter(name__in=[demo.project for demo in DEMO_TENDERS])
        .count(),
        "training_tenders": training,
    }


def demo_tender_arm(
    demo: DemoTender, *, now: datetime, history: timedelta, opens_at: datetime, closes_at: datetime
) -> Lot:
    """One demo tender drafted `history` ago and published, taking bids until `closes_at`.

    For other apps' demonstrations (the opening's, in bidding): the lawful periods run over the
    history, so the deadline may come minutes after `now`.
    """
    clock = SteppingClock(now - history)
    with transaction.atomic():
        lot = _draft(demo, clock, opens_at=opens_at, closes_at=closes_at)
        return _submit_and_publish(demo, lot, clock, publish=True)
