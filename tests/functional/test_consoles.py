"""The consoles: owners draft and answer, staff review and publish, everybody else gets 404.

Rows are made through the services (as users make them); pages are read through the test client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.factories import (
    grant_desks,
    grant_jurisdictions,
    make_organisation,
    make_user,
)
from tests.tenders import seed_reference_data
from trading.chronograph import chronograph_tick
from trading.models import (
    BusinessType,
    Desk,
    Jurisdiction,
    Lot,
    Procedure,
    Project,
    Region,
    Tender,
    TenderDocument,
    User,
)
from trading.services.documents import tender_document_upload
from trading.services.lots import lot_create
from trading.services.projects import project_create
from trading.services.rules import calendar_seed, timeline_rules_seed
from trading.services.tenders import tender_create, tender_publish, tender_submit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class World:
    owner: User
    other_owner: User
    staff: User
    second_staff: User
    other_desk_staff: User
    regulator: User
    other_regulator: User
    bidder: User


@pytest.fixture
def world(clock: ControlledClock) -> World:
    seed_reference_data()
    timeline_rules_seed()
    calendar_seed(range(2026, 2028))
    haikou = Region.objects.get(code="460100")
    engineering = BusinessType.objects.get(code="engineering")
    desk = Desk.objects.get(region=haikou, business_type=engineering)
    other_desk = Desk.objects.get(region__code="460200", business_type=engineering)
    center = make_organisation("center")
    staff = make_user(center, username="staff")
    second_staff = make_user(center, username="staff2")
    other_desk_staff = make_user(center, username="staff_sanya")
    grant_desks(staff, desk)
    grant_desks(second_staff, desk)
    grant_desks(other_desk_staff, other_desk)

    def regulator(name: str, region: str, username: str) -> User:
        organisation = make_organisation("regulator", name=name)
        user = make_user(organisation, username=username)
        jurisdiction = Jurisdiction.objects.create(regulator=organisation, name=name)
        jurisdiction.regions.set(Region.objects.filter(code=region))
        jurisdiction.business_types.set([engineering])
        grant_jurisdictions(user, jurisdiction)
        return user

    return World(
        owner=make_user(make_organisation("owner", name="海口市教育局"), username="owner"),
        other_owner=make_user(make_organisation("owner"), username="other_owner"),
        staff=staff,
        second_staff=second_staff,
        other_desk_staff=other_desk_staff,
        regulator=regulator("海口市住房和城乡建设局", "460100", "reg"),
        other_regulator=regulator("三亚市住房和城乡建设局", "460200", "reg_sanya"),
        bidder=make_user(make_organisation("bidder"), username="bidder"),
    )


def draft(
    world: World,
    clock: ControlledClock,
    *,
    closes_in: timedelta = timedelta(days=25),
    training: bool = False,
    name: str = "第一中学教学楼",
) -> tuple[Tender, Lot]:
    """A draft engineering tender of 海口 with one lot and its documents, through the services."""
    now = clock.now
    assert world.owner.organisation is not None
    project = project_create(
        owner=world.owner.organisation,
        name=f"{name}新建工程",
        region=Region.objects.get(code="460100"),
        business_type=BusinessType.objects.get(code="engineering"),
        funding_source="state",
        state_funded=True,
        training=training,
        time_scale=1440 if training else 1,
        actor=world.owner,
    )
    tender = tender_create(
        project=project,
        name=f"{name}施工",
        procedure=Procedure.objects.get(business_type__code="engineering", code="open"),
        documents_issued_at=now + timedelta(hours=1),
        actor=world.owner,
    )
    lot = lot_create(
        tender=tender,
        name=f"{name}施工一标段",
        estimate=Decimal("12000000.00"),
        deposit_amount=Decimal("200000.00"),
        opens_at=now + timedelta(hours=2),
        closes_at=now + closes_in,
        actor=world.owner,
    )
    tender_document_upload(
        tender=tender,
        kind="tender_documents",
        title="招标文件",
        file=SimpleUploadedFile("zbwj.pdf", PDF, content_type="application/pdf"),
        actor=world.owner,
    )
    return tender, lot


def published(world: World, clock: ControlledClock, **kwargs: Any) -> tuple[Tender, Lot]:
    tender, lot = draft(world, clock, **kwargs)
    tender_submit(tender=tender, actor=world.owner)
    tender_publish(tender=tender, actor=world.staff)
    lot.refresh_from_db()
    tender.refresh_from_db()
    return tender, lot


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- navigation and consoles ------------------------------------------------------------------


def test_the_owners_navigation_leads_to_the_project_console(world: World) -> None:
    response = signed_in(world.owner).get(reverse("workspace"))
    items = {str(item["label"]): item["url"] for item in response.context["nav"]}
    assert items["我的项目"] == reverse("owner_console")


def test_the_staffs_navigation_leads_to_the_desk_console(world: World) -> None:
    response = signed_in(world.staff).get(reverse("workspace"))
    items = {str(item["label"]): item["url"] for item in response.context["nav"]}
    assert items["交易科室"] == reverse("staff_console")


def test_the_owner_console_shows_each_draft_with_what_to_do_next(
    world: World, clock: ControlledClock
) -> None:
    tender, lot = draft(world, clock)

    html = text(signed_in(world.owner).get(reverse("owner_console")))

    assert tender.code in html and lot.code in html
    assert "提交交易中心审核" in html
    assert "草稿" in html


def test_training_tenders_are_marked_and_kept_apart_from_real_ones(
    world: World, clock: ControlledClock
) -> None:
    real, _ = draft(world, clock, name="实验楼")
    training, _ = draft(world, clock, name="演示楼", training=True)
    client = signed_in(world.owner)

    real_page = text(client.get(reverse("owner_console")))
    training_page = text(client.get(reverse("owner_console") + "?training=1"))

    assert real.code in real_page and training.code not in real_page
    assert "培训演示项目（1）" in real_page
    assert training.code in training_page and real.code not in training_page
    assert "培训演示" in text(client.get(reverse("tender_detail", args=[training.pk])))


@pytest.mark.parametrize(
    ("who", "url_name"),
    [
        ("owner", "staff_console"),
        ("bidder", "staff_console"),
        ("regulator", "staff_console"),
        ("staff", "owner_console"),
        ("bidder", "owner_console"),
        ("regulator", "project_create"),
    ],
)
def test_a_console_of_another_role_is_forbidden(world: World, who: str, url_name: str) -> None:
    # A console is no secret (it is in every role's navigation): the user may not use it.
    assert signed_in(getattr(world, who)).get(reverse(url_name)).status_code == 403


def test_center_staff_without_a_desk_are_told_why_the_console_is_empty(world: World) -> None:
    lonely = make_user(world.staff.organisation, username="lonely")

    response = signed_in(lonely).get(reverse("staff_console"))

    assert response.status_code == 200
    assert "您尚未被授予任何交易科室的操作权限" in text(response)


# --- who may see a lot ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_owner", "other_desk_staff", "other_regulator", "bidder"])
@pytest.mark.parametrize("url_name", ["lot_detail", "lot_live"])
def test_a_published_lot_of_another_organisation_or_desk_is_forbidden(
    world: World, clock: ControlledClock, who: str, url_name: str
) -> None:
    """A published lot is public (the portal lists it): its pages are refused, not hidden."""
    _, lot = published(world, clock)

    response = signed_in(getattr(world, who)).get(reverse(url_name, args=[lot.pk]))

    assert response.status_code == 403
    assert lot.name not in text(response)


@pytest.mark.parametrize("who", ["other_owner", "other_desk_staff", "other_regulator", "bidder"])
@pytest.mark.parametrize("url_name", ["lot_detail", "lot_live"])
def test_a_lot_under_review_of_another_organisation_or_desk_is_not_found(
    world: World, clock: ControlledClock, who: str, url_name: str
) -> None:
    tender, _ = draft(world, clock)
    tender_submit(tender=tender, actor=world.owner)
    lot = tender.lots.get()

    response = signed_in(getattr(world, who)).get(reverse(url_name, args=[lot.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["owner", "staff", "regulator"])
def test_the_owner_the_desk_staff_and_the_regulator_of_the_jurisdiction_see_the_lot(
    world: World, clock: ControlledClock, who: str
) -> None:
    _, lot = published(world, clock)

    response = signed_in(getattr(world, who)).get(reverse("lot_detail", args=[lot.pk]))

    assert response.status_code == 200
    html = text(response)
    assert lot.code in html
    assert "已公告" in html
    assert "招标投标法" in html  # the timeline cites its articles
    assert "审核发布" in html  # the ledger shows the publication


def test_a_draft_is_not_shown_to_staff_or_regulators_before_it_is_submitted(
    world: World, clock: ControlledClock
) -> None:
    tender, lot = draft(world, clock)
    for user in (world.staff, world.regulator):
        client = signed_in(user)
        assert client.get(reverse("tender_detail", args=[tender.pk])).status_code == 404
        assert client.get(reverse("lot_detail", args=[lot.pk])).status_code == 404


# --- forms: bad input is explained and nothing is saved -------------------------------------------


def lot_post(clock: ControlledClock, **overrides: str) -> dict[str, str]:
    now = clock.now
    data = {
        "name": "二标段",
        "estimate": "5000000.00",
        "deposit_amount": "80000.00",
        "increment": "",
        "scope": "",
        "duration_days": "365",
        "opens_at": (now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"estimate": "abc"}, "estimate", "请输入金额"),
        ({"estimate": "100.123"}, "estimate", "两位小数"),
        ({"estimate": "1000000000000.00"}, "estimate", "不得超过"),
        ({"deposit_amount": "-1"}, "deposit_amount", "不得为负数"),
        ({"opens_at": "2026-11-01T09:00"}, "opens_at", "已经过去"),
        ({"closes_at": "2026-11-30T13:00"}, "closes_at", "晚于开始时间"),
        ({"closes_at": "not a date"}, "closes_at", "有效"),
        # A mistyped year is refused, not published (SCHEDULE_HORIZON_DAYS).
        ({"closes_at": "9999-12-31T10:00"}, "closes_at", "请检查年份"),
        ({"name": ""}, "name", "必填"),
    ],
)
def test_a_lot_with_bad_input_is_explained_next_to_its_field_and_not_saved(
    world: World, clock: ControlledClock, overrides: dict[str, str], field: str, message: str
) -> None:
    tender, _ = draft(world, clock)
    before = Lot.objects.count()

    response = signed_in(world.owner).post(
        reverse("lot_create", args=[tender.pk]), lot_post(clock, **overrides)
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in error for error in errors[field]), errors[field]
    assert f'id="field-{field}"' in response.content.decode()
    assert Lot.objects.count() == before


def test_a_good_lot_is_saved_and_the_owner_returns_to_the_tender(
    world: World, clock: ControlledClock
) -> None:
    tender, _ = draft(world, clock)

    response = signed_in(world.owner).post(reverse("lot_create", args=[tender.pk]), lot_post(clock))

    assert response.status_code == 302
    assert tender.lots.filter(name="二标段", estimate=Decimal("5000000.00")).exists()


def test_a_procedure_of_another_business_type_is_refused(
    world: World, clock: ControlledClock
) -> None:
    tender, _ = draft(world, clock)
    land_auction = Procedure.objects.get(business_type__code="land", code="auction")
    before = Tender.objects.count()

    response = signed_in(world.owner).post(
        reverse("tender_create", args=[tender.project_id]),
        {
            "name": "二期",
            "procedure": str(land_auction.pk),
            "price_form": "amount",
            "deposit_form": "either",
            "documents_issued_at": (clock.now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )

    assert "procedure" in response.context["form"].errors
    assert Tender.objects.count() == before


@pytest.mark.parametrize("field", ["documents_issued_at", "clarification_deadline"])
def test_a_tender_date_in_a_mistyped_year_is_refused_next_to_its_field(
    world: World, clock: ControlledClock, field: str
) -> None:
    """9999-12-31 would pass every legal minimum: the horizon setting refuses it instead."""
    tender, _ = draft(world, clock)
    before = Tender.objects.count()
    data = {
        "name": "二期",
        "procedure": str(tender.procedure_id),
        "price_form": "amount",
        "deposit_form": "either",
        "documents_issued_at": (clock.now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        field: "9999-12-31T09:00",
    }

    response = signed_in(world.owner).post(reverse("tender_create", args=[tender.project_id]), data)

    assert response.status_code == 200
    assert "请检查年份" in " ".join(response.context["form"].errors[field])
    assert Tender.objects.count() == before


def test_a_deadline_before_the_documents_are_issued_is_refused(
    world: World, clock: ControlledClock
) -> None:
    tender, _ = draft(world, clock)

    response = signed_in(world.owner).post(
        reverse("lot_create", args=[tender.pk]),
        lot_post(
            clock,
            opens_at=(clock.now + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"),
            closes_at=(clock.now + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )

    assert "不得早于招标文件发出时间" in " ".join(response.context["form"].errors["closes_at"])


@pytest.mark.parametrize(
    ("content", "limit", "message"),
    [
        (b"PK\x03\x04 a zip, not a pdf", 1024, "只接受 PDF"),
        (PDF + b"x" * 2048, 1024, "文件过大"),
    ],
)
def test_a_tender_document_that_is_not_a_pdf_or_too_large_is_refused(
    world: World, clock: ControlledClock, settings: Any, content: bytes, limit: int, message: str
) -> None:
    settings.TENDER_DOCUMENT_MAX_BYTES = limit
    tender, _ = draft(world, clock)
    before = TenderDocument.objects.count()

    response = signed_in(world.owner).post(
        reverse("document_upload", args=[tender.pk]),
        {"title": "招标文件（修订）", "file": SimpleUploadedFile("a.pdf", content)},
    )

    assert message in " ".join(response.context["form"].errors["file"])
    assert TenderDocument.objects.count() == before


def test_a_project_with_a_time_scale_must_be_a_training_project(world: World) -> None:
    before = Project.objects.count()
    response = signed_in(world.owner).post(
        reverse("project_create"),
        {
            "name": "某项目",
            "region": str(Region.objects.get(code="460100").pk),
            "business_type": str(BusinessType.objects.get(code="engineering").pk),
            "funding_source": "state",
            "time_scale": "1440",
        },
    )
    assert "time_scale" in response.context["form"].errors
    assert Project.objects.count() == before


# --- review and publication --------------------------------------------------------------------


def test_a_refused_publication_shows_each_violation_with_its_article_next_to_the_field(
    world: World, clock: ControlledClock
) -> None:
    tender, lot = draft(world, clock, closes_in=timedelta(days=10))
    tender_submit(tender=tender, actor=world.owner)

    response = signed_in(world.staff).post(reverse("tender_publish", args=[tender.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    lot_card = html[html.index(f'id="lot-{lot.pk}"') :]
    deadline_row = lot_card[lot_card.index("投标截止（开标）时间") :]
    deadline_row = deadline_row[: deadline_row.index("</tr>")]
    assert "violation" in deadline_row
    assert "招标投标法 第24条" in deadline_row
    assert "不予发布" in html
    tender.refresh_from_db()
    assert tender.status == "pending_review"


def test_staff_reject_with_a_reason_and_the_owner_gets_the_draft_back(
    world: World, clock: ControlledClock
) -> None:
    tender, _ = draft(world, clock, closes_in=timedelta(days=10))
    tender_submit(tender=tender, actor=world.owner)
    client = signed_in(world.staff)

    assert (
        client.post(reverse("tender_reject", args=[tender.pk]), {"reason": ""}).status_code == 302
    )
    tender.refresh_from_db()
    assert tender.status == "pending_review"

    client.post(reverse("tender_reject", args=[tender.pk]), {"reason": "投标截止时间不足20日"})

    tender.refresh_from_db()
    assert tender.status == "draft"


def test_the_owner_fixes_the_deadline_and_the_second_attempt_publishes(
    world: World, clock: ControlledClock
) -> None:
    tender, lot = draft(world, clock, closes_in=timedelta(days=10))
    owner = signed_in(world.owner)
    edit = owner.get(reverse("lot_edit", args=[lot.pk]))
    assert "招标投标法 第24条" in edit.content.decode()  # the pre-check, before anyone submits

    owner.post(
        reverse("lot_edit", args=[lot.pk]),
        lot_post(
            clock,
            name=lot.name,
            estimate="12000000.00",
            deposit_amount="200000.00",
            closes_at=(clock.now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    owner.post(reverse("tender_submit", args=[tender.pk]))
    signed_in(world.staff).post(reverse("tender_publish", args=[tender.pk]))

    tender.refresh_from_db()
    assert tender.status == "published"


def test_the_review_queue_lists_submitted_tenders_with_their_pre_check(
    world: World, clock: ControlledClock
) -> None:
    tender, _ = draft(world, clock, closes_in=timedelta(days=10))
    tender_submit(tender=tender, actor=world.owner)

    html = text(signed_in(world.staff).get(reverse("staff_review_queue")))

    assert tender.code in html
    assert "处不符合" in html


# --- the staff console's lists -------------------------------------------------------------


def test_the_staff_console_filters_by_status_and_finds_by_code_or_name(
    world: World, clock: ControlledClock
) -> None:
    _, live_lot = published(world, clock, name="图书馆")
    waiting, waiting_lot = draft(world, clock, name="体育馆")
    tender_submit(tender=waiting, actor=world.owner)
    _, hidden_lot = draft(world, clock, name="食堂")  # a draft is the owner's alone
    client = signed_in(world.staff)

    everything = text(client.get(reverse("staff_console")))
    pending = text(client.get(reverse("staff_console"), {"status": "tender:pending_review"}))
    by_code = text(client.get(reverse("staff_console"), {"q": live_lot.code}))
    by_name = text(client.get(reverse("staff_console"), {"q": "体育"}))

    assert live_lot.code in everything and waiting_lot.code in everything
    assert hidden_lot.code not in everything
    assert waiting_lot.code in pending and live_lot.code not in pending
    assert live_lot.code in by_code and waiting_lot.code not in by_code
    assert waiting_lot.code in by_name and live_lot.code not in by_name


def test_training_lots_are_listed_only_when_asked(world: World, clock: ControlledClock) -> None:
    _, real_lot = published(world, clock, name="图书馆")
    _, training_lot = published(world, clock, name="演示馆", training=True)
    client = signed_in(world.staff)

    real = text(client.get(reverse("staff_console")))
    training = text(client.get(reverse("staff_console"), {"training": "on"}))

    assert real_lot.code in real and training_lot.code not in real
    assert training_lot.code in training and real_lot.code not in training
    assert "培训演示" in training


# --- the lot page follows the chronograph ---------------------------------------------------


def test_the_lot_partial_polls_and_shows_a_status_the_chronograph_changed(
    world: World, clock: ControlledClock
) -> None:
    _, lot = published(world, clock)
    client = signed_in(world.owner)
    page = client.get(reverse("lot_detail", args=[lot.pk])).content.decode()
    assert 'hx-trigger="every 5s"' in page

    assert lot.opens_at is not None
    clock.set(lot.opens_at + timedelta(minutes=1))
    chronograph_tick()
    partial = client.get(
        reverse("lot_live", args=[lot.pk]), {"since": "published"}, HTTP_HX_REQUEST="true"
    )

    html = text(partial)
    assert partial.status_code == 200
    assert "<html" not in html  # a fragment for htmx to swap, not a page
    assert 'data-status="bidding"' in html
    assert "投标中" in html
    assert "状态已更新" in html
    assert "开始投标" in html  # the ledger entry the chronograph wrote


def test_staff_record_too_few_bids_and_the_lot_fails(world: World, clock: ControlledClock) -> None:
    _, lot = published(world, clock)
    assert lot.closes_at is not None
    clock.set(lot.closes_at + timedelta(minutes=1))
    chronograph_tick()
    lot.refresh_from_db()
    assert lot.status == "opening"
    client = signed_in(world.staff)
    assert "登记开标结果" in text(client.get(reverse("lot_detail", args=[lot.pk])))

    bad = client.post(reverse("lot_bid_count", args=[lot.pk]), {"count": "-1"})
    assert bad.status_code == 400
    client.post(reverse("lot_bid_count", args=[lot.pk]), {"count": "2"})

    lot.refresh_from_db()
    assert lot.status == "failed"
    assert "流标" in text(client.get(reverse("lot_detail", args=[lot.pk])))


def test_the_owner_cannot_record_the_bid_count(world: World, clock: ControlledClock) -> None:
    _, lot = published(world, clock)
    assert lot.closes_at is not None
    clock.set(lot.closes_at + timedelta(minutes=1))
    chronograph_tick()

    response = signed_in(world.owner).post(reverse("lot_bid_count", args=[lot.pk]), {"count": "5"})

    # The owner may read its lot but not run the opening: forbidden, not hidden.
    assert response.status_code == 403
    lot.refresh_from_db()
    assert lot.status == "opening"


# --- demo data ----------------------------------------------------------------------------------


def test_the_demo_seeds_every_business_type_in_its_state_and_arms_training_tenders(
    demo: dict[str, int], clock: ControlledClock, settings: Any
) -> None:
    from trading.services.demo_tenders import DEMO_TENDERS, demo_tenders_seed

    settings.DEMO = True
    first = demo_tenders_seed()
    again = demo_tenders_seed()

    assert first["demo_tenders"] == len(DEMO_TENDERS)
    assert again["demo_tenders"] == 0  # idempotent
    assert first["training_tenders"] == 4 and again["training_tenders"] == 0
    real = Lot.objects.filter(tender__project__training=False)
    assert set(real.values_list("tender__project__business_type__code", flat=True)) == {
        "engineering",
        "procurement",
        "land",
        "mining",
        "property",
        "carbon",
        "pollution",
        "medicine",
        "other",
    }
    statuses = set(real.values_list("status", flat=True))
    assert {
        "draft",
        "published",
        "bidding",
        "negotiation",
        "publicity",
        "awarded",
        "failed",
        "closed",
    } <= statuses
    assert Tender.objects.filter(status="pending_review").exists()
    # A re-tendered engineering lot: the failed lot and its successor's draft (实施条例 第44条).
    successor = real.get(predecessor__isnull=False)
    assert (successor.status, successor.predecessor.status) == ("draft", "failed")  # type: ignore[union-attr]
    assert successor.tender.project.business_type.code == "engineering"
    training = Lot.objects.filter(tender__project__training=True)
    assert training.count() == 4  # one of each family: sealed bid, auction, agreement, disclosure
    assert all(lot.status == "published" for lot in training)

    clock.set(clock.now + timedelta(minutes=5))
    chronograph_tick()

    assert {lot.status for lot in training.all()} == {
        "opening",
        "auction",
        "negotiation",
        "listing_closed",
    }
    assert demo_tenders_seed()["training_tenders"] == 4  # re-armed once the last ones ran out
