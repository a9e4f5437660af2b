"""Test data for tenders, made through the services (as users make it), with fixed money.

`make_world(business_type=...)` gives the people around one desk; `make_tender(world, ...)`
drafts, submits and (by default) publishes a tender through `trading.services.tenders`. The
browser tests reuse both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import models

from tests.factories import grant_desks, grant_jurisdictions, make_organisation, make_user
from trading.clock import get_clock
from trading.domain.timeline import local_date as shanghai_day
from trading.models import (
    BusinessType,
    CalendarDay,
    Desk,
    Industry,
    Jurisdiction,
    Lot,
    Organisation,
    Procedure,
    Region,
    Tender,
    TimelineRule,
    User,
)
from trading.services.awards import (
    award_confirm,
    award_letter_issue,
    contract_record,
    report_file,
)
from trading.services.documents import tender_document_upload
from trading.services.lots import lot_create
from trading.services.negotiations import lot_record_negotiation
from trading.services.outcomes import (
    CandidateInput,
    lot_record_auction_result,
    lot_record_bid_count,
    lot_record_evaluation,
)
from trading.services.procedures import lot_record_listing_close, lot_record_transferees
from trading.services.projects import project_create
from trading.services.publicity import lot_publicity_open, publicity_notice_kind
from trading.services.tenders import tender_create, tender_publish, tender_submit

BUSINESS_TYPES = [
    "engineering",
    "procurement",
    "land",
    "mining",
    "property",
    "carbon",
    "pollution",
    "medicine",
    "other",
]

# One procedure per business type that every test can run end to end.
DEFAULT_PROCEDURE = {
    "engineering": "open",
    "procurement": "open",
    "land": "listing",
    "mining": "auction",
    "property": "transfer",
    "carbon": "auction",
    "pollution": "agreement",
    "medicine": "tender",
    "other": "listing",
}

ESTIMATE = Decimal("1000000.00")
DEPOSIT = Decimal("20000.00")  # 2% of the estimate: the cap exactly (实施条例 第26条)


def seed_reference_and_rules() -> None:
    """Regions, business types, procedures, desks, the rule rows and the holiday calendar."""
    from trading.services.reference import reference_data_seed
    from trading.services.rules import calendar_seed, timeline_rules_seed

    def seed() -> None:
        reference_data_seed()
        timeline_rules_seed()
        calendar_seed(range(2026, 2029))

    _seed_once("reference_and_rules", seed)


def seed_reference_data() -> None:
    """What `reference_data_seed()` writes (the rule rows and the calendar too), for fixtures."""
    from trading.services.reference import reference_data_seed

    _seed_once("reference", reference_data_seed)


def _seed_once(name: str, seed: Callable[[], object]) -> None:
    """Seed through the services once per test process, and copy those rows afterwards.

    Into a database that holds none of these rows, the rows the services wrote the first time
    are copied in bulk (new keys, same references; tests/integration/test_test_seed_copy.py
    compares the two): most tests start from this seed, and the services' row-by-row upserts
    made it their largest cost. The calendar's years follow the clock, so they are in the key.
    """
    from trading.domain.holiday_calendar import calendar_seed_years
    from trading.selectors.lights import lot_lights_stale_all

    key = (name, *calendar_seed_years(shanghai_day(get_clock()())))
    empty = not any(model._default_manager.exists() for model in SEEDED_MODELS)
    if empty and key in _seeded_rows:
        _seed_copy(_seeded_rows[key])
        # What a rule row's or a calendar day's save does (trading/selectors/lights.py).
        lot_lights_stale_all()
        return
    seed()
    if empty:
        _seeded_rows[key] = [list(model._default_manager.order_by("pk")) for model in SEEDED_MODELS]


def _target(field: models.Field[Any, Any]) -> type[models.Model]:
    target = field.related_model
    assert isinstance(target, type), field
    return target


# What the reference seeds write, each model after those it refers to.
SEEDED_MODELS: list[type[models.Model]] = [
    Region,
    BusinessType,
    Procedure,
    Industry,
    Desk,
    TimelineRule,
    CalendarDay,
]
_seeded_rows: dict[tuple[object, ...], list[list[models.Model]]] = {}


def _seed_copy(rows_per_model: list[list[models.Model]]) -> None:
    """Insert copies of seeded rows under new keys, pointing at the copies of what they name."""
    new_pk: dict[tuple[type[models.Model], Any], Any] = {}
    for model, rows in zip(SEEDED_MODELS, rows_per_model, strict=True):
        relations = [f for f in model._meta.concrete_fields if f.many_to_one]
        pending = list(rows)
        # A row naming another of its own table (an industry's parent) waits for that one.
        while pending:
            ready = [
                row
                for row in pending
                if all(
                    getattr(row, f.attname) is None
                    or _target(f) is not model
                    or (model, getattr(row, f.attname)) in new_pk
                    for f in relations
                )
            ]
            assert ready, f"{model.__name__}: rows that name each other"
            copies = []
            for row in ready:
                copy = model(
                    **{f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
                )
                copy.pk = None
                for f in relations:
                    old = getattr(row, f.attname)
                    if old is not None:
                        setattr(copy, f.attname, new_pk[(_target(f), old)])
                copies.append(copy)
            model._default_manager.bulk_create(copies)
            for row, copy in zip(ready, copies, strict=True):
                assert copy.pk is not None
                new_pk[(model, row.pk)] = copy.pk
            pending = [row for row in pending if (model, row.pk) not in new_pk]


def pdf_file(name: str = "document.pdf", *, size: int = 0) -> ContentFile[bytes]:
    """A small PDF (or one padded to `size` bytes)."""
    body = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    if size > len(body):
        body += b"0" * (size - len(body))
    return ContentFile(body, name=name)


@dataclass
class World:
    """The people around one desk (region × business type), and some outsiders."""

    region: Region
    business_type: BusinessType
    desk: Desk
    owner: Organisation
    owner_user: User
    agency: Organisation
    agency_user: User
    staff: User
    staff2: User
    other_desk_staff: User
    regulator: User
    other_regulator: User
    other_owner_user: User
    bidders: list[Organisation] = field(default_factory=list)
    bidder_users: list[User] = field(default_factory=list)
    admin: User | None = None

    def procedure(self, code: str | None = None) -> Procedure:
        return Procedure.objects.get(
            business_type=self.business_type,
            code=code or DEFAULT_PROCEDURE[self.business_type.code],
        )


def make_world(*, business_type: str = "engineering", region_code: str = "460100") -> World:
    """Reference data and rules, plus an owner, an agency, two desk staff, a regulator, bidders."""
    if not Region.objects.filter(code=region_code).exists():
        seed_reference_and_rules()
    region = Region.objects.get(code=region_code)
    bt = BusinessType.objects.get(code=business_type)
    desk = Desk.objects.get(region=region, business_type=bt)
    other_bt = "procurement" if business_type == "engineering" else "engineering"
    other_desk = Desk.objects.get(region=region, business_type__code=other_bt)

    center = make_organisation("center")
    staff = make_user(center, first_name="审核员甲")
    staff2 = make_user(center, first_name="审核员乙")
    other_desk_staff = make_user(center, first_name="他科室")
    grant_desks(staff, desk)
    grant_desks(staff2, desk)
    grant_desks(other_desk_staff, other_desk)

    regulator_org = make_organisation("regulator")
    regulator = make_user(regulator_org)
    jurisdiction = Jurisdiction.objects.create(
        regulator=regulator_org, name=f"监管 {region.code} {bt.code} {regulator_org.pk}"
    )
    jurisdiction.regions.set([region])
    jurisdiction.business_types.set([bt])
    grant_jurisdictions(regulator, jurisdiction)
    other_regulator_org = make_organisation("regulator")
    other_regulator = make_user(other_regulator_org)
    elsewhere = Jurisdiction.objects.create(
        regulator=other_regulator_org, name=f"监管 其他 {other_regulator_org.pk}"
    )
    elsewhere.regions.set(Region.objects.exclude(pk=region.pk)[:1])
    elsewhere.business_types.set([bt])
    grant_jurisdictions(other_regulator, elsewhere)

    owner = make_organisation("owner", region=region)
    agency = make_organisation("agency", region=region)
    other_owner = make_organisation("owner", region=region)
    bidders = [make_organisation("bidder", region=region) for _ in range(3)]
    admin = User.objects.filter(is_superuser=True).first()
    return World(
        region=region,
        business_type=bt,
        desk=desk,
        owner=owner,
        owner_user=make_user(owner, first_name="招标人"),
        agency=agency,
        agency_user=make_user(agency, first_name="代理"),
        staff=staff,
        staff2=staff2,
        other_desk_staff=other_desk_staff,
        regulator=regulator,
        other_regulator=other_regulator,
        other_owner_user=make_user(other_owner),
        bidders=bidders,
        bidder_users=[make_user(org) for org in bidders],
        admin=admin,
    )


def make_tender(
    world: World,
    *,
    procedure: str | None = None,
    name: str = "测试招标项目",
    lots: int = 1,
    drafter: User | None = None,
    documents_issued_at: datetime | None = None,
    opens_in: timedelta = timedelta(days=30),
    closes_in: timedelta = timedelta(days=60),
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    applications_close_at: datetime | None = None,
    estimate: Decimal = ESTIMATE,
    deposit: Decimal = DEPOSIT,
    state_funded: bool = True,
    training: bool = False,
    time_scale: int = 1,
    submit: bool = True,
    publish: bool = True,
    publisher: User | None = None,
) -> Tender:
    """A tender with `lots` lots, drafted by the owner (or `drafter`) and, unless told, published.

    Times are relative to the configured clock's now (the `clock` fixture's, in tests).
    """
    now = get_clock()()
    drafter = drafter or world.owner_user
    project = project_create(
        owner=world.owner,
        agency=world.agency,
        name=f"{name}（项目）",
        region=world.region,
        business_type=world.business_type,
        state_funded=state_funded,
        training=training,
        time_scale=time_scale,
        actor=world.owner_user,
    )
    tender = tender_create(
        project=project,
        name=name,
        procedure=world.procedure(procedure),
        documents_issued_at=documents_issued_at or now,
        actor=drafter,
    )
    lot_opens = opens_at or now + opens_in
    if tender.procedure.prequalification and applications_close_at is None:
        # 实施条例 第16、17条: ≥ 10 日 after the documents; the review before the bidding.
        applications_close_at = lot_opens - timedelta(days=7)
    for n in range(lots):
        lot_create(
            tender=tender,
            name=f"第{n + 1}标段",
            estimate=estimate,
            deposit_amount=deposit,
            opens_at=lot_opens,
            closes_at=closes_at or now + closes_in,
            applications_close_at=applications_close_at,
            actor=drafter,
        )
    tender_document_upload(
        tender=tender,
        kind="tender_documents",
        title="招标文件",
        file=pdf_file("tender.pdf"),
        actor=drafter,
    )
    if submit:
        tender_submit(tender=tender, actor=drafter)
    if submit and publish:
        tender_publish(tender=tender, actor=publisher or world.staff)
    tender.refresh_from_db()
    return tender


def first_lot(tender: Tender) -> Lot:
    lot = tender.lots.order_by("pk").first()
    assert lot is not None
    return lot


# The evaluation committee every recorded evaluation names (五人以上单数, 招标投标法 第37条).
COMMITTEE = ["评委甲", "评委乙", "评委丙", "评委丁", "评委戊"]


def candidates(world: World, count: int = 3) -> list[CandidateInput]:
    return [
        CandidateInput(
            organisation=org,
            price=Decimal("950000.00") + Decimal(n * 10000),
            score=Decimal("90.50") - n,
            duration_days=180,
            project_manager=f"项目经理{n + 1}",
        )
        for n, org in enumerate(world.bidders[:count])
    ]


def record_outcome(world: World, lot: Lot, *, publish: bool = True) -> Lot:
    """From the opening or the auction to publicity, as the bidding app will report it.

    With `publish`, the publicity's notice is published at once (`open_publicity`); a procedure
    without candidate publicity (government procurement) stays in evaluation for the award.
    """
    from tests.enrolments import enrol_all

    lot.refresh_from_db()
    # Candidates, winners and negotiating parties come from the lot's enrolments.
    enrol_all(lot, world.bidders[:3])
    if lot.status == "listing_closed":
        # Two bidders at a land listing's close, two qualified transferees at a disclosure's:
        # timed bidding (39号令 第20条, 32号令 第22条).
        if lot.tender.procedure.family == "listing":
            lot = lot_record_listing_close(lot=lot, bidders=2, actor=world.staff)
        else:
            lot = lot_record_transferees(lot=lot, count=2, actor=world.staff)
    if lot.status == "auction":
        lot = lot_record_auction_result(
            lot=lot, sold=True, winner=world.bidders[0], price=ESTIMATE + 50000, actor=world.staff
        )
    elif lot.status == "negotiation":
        lot_record_negotiation(
            lot=lot,
            parties=world.bidders[:3],
            agreed=True,
            winner=world.bidders[0],
            price=ESTIMATE - 20000,
            minutes="三方参与谈判，第一方最终报价最低。",
            actor=world.staff,
        )
        lot.refresh_from_db()
    else:
        lot = lot_record_bid_count(lot=lot, count=3, actor=world.staff)
        lot = lot_record_evaluation(
            lot=lot,
            candidates=candidates(world),
            report_file=pdf_file("report.pdf"),
            committee=COMMITTEE,
            actor=world.staff,
        )
    if publish and lot.status == "publicity":
        open_publicity(lot)
    return lot


def open_publicity(lot: Lot) -> Lot:
    """What publishing the lot's publicity notice does in trading (`notice.published`), now."""
    tender = Tender.objects.select_related("procedure").get(pk=lot.tender_id)
    lot_publicity_open(
        lot_id=lot.pk,
        notice_kind=publicity_notice_kind(tender.procedure),
        published_at=get_clock()(),
    )
    lot.refresh_from_db()
    return lot


def issue_award_letter(lot: Lot) -> None:
    """What publishing the letter's notice does in trading (`award.letter_published`), now."""
    award_letter_issue(lot_id=lot.pk, issued_at=get_clock()(), verification_code="TESTCODE")


def award_and_close(world: World, lot: Lot, **kwargs: Any) -> Lot:
    """From the end of publicity to CLOSED: award, contract, written report."""
    candidate = lot.candidates.filter(superseded_at__isnull=True).order_by("rank").first()
    assert candidate is not None
    award = award_confirm(lot=lot, candidate=candidate, actor=world.owner_user)
    issue_award_letter(lot)
    contract_record(
        lot=lot,
        signed_on=shanghai_day(get_clock()()),
        amount=award.price,
        file=pdf_file("contract.pdf"),
        actor=world.owner_user,
    )
    report_file(lot=lot, file=pdf_file("written-report.pdf"), actor=world.owner_user)
    lot.refresh_from_db()
    return lot


def opens(lot: Lot) -> datetime:
    assert lot.opens_at is not None
    return lot.opens_at


def closes(lot: Lot) -> datetime:
    assert lot.closes_at is not None
    return lot.closes_at


def publicity_end(lot: Lot) -> datetime:
    assert lot.publicity_ends_at is not None
    return lot.publicity_ends_at
