"""Land listing decided at its close, and prequalification before the bidding, through the lot page.

国土资源部令第39号 第20条: a listing with one bidder whose bid reaches the reserve is sold at that
price without on-site bidding; none, or one below the reserve, is not sold; two or more bid on.
招标投标法实施条例 第15-19条: a prequalification has its own application deadline (≥ 5 日 after
the documents' sale ends, 第17条); fewer than 3 qualified applicants restart it (第19条).
财政部令第87号 第14条: procurement applications ≥ 5 工作日 after the notice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.enrolments import enrol_all
from tests.tenders import ESTIMATE, World, closes, first_lot, make_tender, make_world, opens
from trading.chronograph import chronograph_tick
from trading.domain.procedures import PREQUAL_INSUFFICIENT_REASON
from trading.models import LedgerEntry, Lot, Notification, User
from trading.selectors.timeline import lot_timeline

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(user: User, lot: Lot) -> str:
    response = _as(user).get(reverse("lot_detail", args=[lot.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _post(user: User, route: str, lot: Lot, data: dict[str, Any]) -> Any:
    return _as(user).post(reverse(route, args=[lot.pk]), data)


# --- land listing ---------------------------------------------------------------------------


@pytest.fixture
def land(clock: ControlledClock) -> World:
    return make_world(business_type="land")


def _listing_closed(world: World, clock: ControlledClock) -> Lot:
    lot = first_lot(make_tender(world, procedure="listing"))
    enrol_all(lot, world.bidders)
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    return lot


def test_a_land_listing_stops_at_its_close_not_in_timed_bidding_39号令_第20条(
    land: World, clock: ControlledClock
) -> None:
    lot = _listing_closed(land, clock)
    assert lot.status == "listing_closed"
    assert reverse("lot_listing_close", args=[lot.pk]) in _page(land.staff, lot)
    assert reverse("lot_listing_close", args=[lot.pk]) not in _page(land.owner_user, lot)
    assert Notification.objects.filter(recipient=land.staff, kind="lot.listing_closed").exists()


def test_one_bidder_reaching_the_reserve_buys_without_on_site_bidding_39号令_第20条(
    land: World, clock: ControlledClock
) -> None:
    lot = _listing_closed(land, clock)
    data = {
        "bidders": 1,
        "reaches_reserve": "on",
        "winner": land.bidders[0].pk,
        "price": str(ESTIMATE),
    }
    assert _post(land.owner_user, "lot_listing_close", lot, data).status_code == 403
    assert _post(land.regulator, "lot_listing_close", lot, data).status_code == 403
    response = _post(land.staff, "lot_listing_close", lot, data)
    assert response.status_code == 302
    lot.refresh_from_db()
    assert (lot.status, lot.qualified_count) == ("publicity", 1)
    assert lot.candidates.get().price == ESTIMATE
    # The result's publicity runs from its deal notice's publication, as any sale's.
    from tests.tenders import open_publicity
    from trading.services.publicity import publicity_notice_kind

    assert publicity_notice_kind(lot.tender.procedure) == "deal"
    assert open_publicity(lot).publicity_ends_at is not None
    # The land page names a 竞得人, not a 中标人.
    assert "竞得人" in _page(land.owner_user, lot)


def test_one_bidder_without_a_winner_named_is_refused_and_nothing_changes(
    land: World, clock: ControlledClock
) -> None:
    lot = _listing_closed(land, clock)
    response = _post(land.staff, "lot_listing_close", lot, {"bidders": 1, "reaches_reserve": "on"})
    assert response.status_code == 400
    lot.refresh_from_db()
    assert (lot.status, lot.qualified_count) == ("listing_closed", None)


@pytest.mark.parametrize(
    ("bidders", "reaches_reserve", "status"),
    [(0, "", "failed"), (1, "", "failed"), (2, "", "auction"), (4, "on", "auction")],
)
def test_none_or_below_the_reserve_is_unsold_two_or_more_bid_on_39号令_第20条(
    land: World, clock: ControlledClock, bidders: int, reaches_reserve: str, status: str
) -> None:
    lot = _listing_closed(land, clock)
    data = {"bidders": bidders, "reaches_reserve": reaches_reserve}
    assert _post(land.staff, "lot_listing_close", lot, data).status_code == 302
    lot.refresh_from_db()
    assert (lot.status, lot.qualified_count) == (status, bidders)
    entry = LedgerEntry.objects.filter(object_id=str(lot.pk), object_type="lot").latest("seq")
    assert entry.payload["article"] == "国土资源部令第39号 第20条"


def test_timed_bidding_after_the_listing_is_recorded_on_the_page(
    land: World, clock: ControlledClock
) -> None:
    lot = _listing_closed(land, clock)
    _post(land.staff, "lot_listing_close", lot, {"bidders": 2})
    deal = {"sold": "1", "winner": land.bidders[1].pk, "price": str(ESTIMATE + 300000)}
    assert _post(land.staff, "lot_deal", lot, deal).status_code == 302
    lot.refresh_from_db()
    assert lot.status == "publicity"
    assert lot.candidates.get().organisation == land.bidders[1]


def test_an_auction_land_sale_still_goes_straight_to_timed_bidding(
    land: World, clock: ControlledClock
) -> None:
    lot = first_lot(make_tender(land, procedure="auction"))
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    assert lot.status == "auction"


# --- prequalification -----------------------------------------------------------------------


@pytest.fixture
def works(clock: ControlledClock) -> World:
    return make_world(business_type="engineering")


def _prequal(world: World, clock: ControlledClock, **kwargs: Any) -> Lot:
    lot = first_lot(make_tender(world, procedure="open-prequal", **kwargs))
    assert lot.status == "prequalification"
    assert lot.applications_close_at is not None
    assert lot.next_check == lot.applications_close_at
    return lot


def _applications(lot: Lot) -> datetime:
    assert lot.applications_close_at is not None
    return lot.applications_close_at


def _in_review(world: World, clock: ControlledClock) -> Lot:
    lot = _prequal(world, clock)
    clock.set(_applications(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    assert lot.status == "prequal_review"
    return lot


def test_a_prequalification_is_published_into_applications_not_bidding(
    works: World, clock: ControlledClock
) -> None:
    lot = _prequal(works, clock)
    items = {item.key: item for item in lot_timeline(lot, clock.now)}
    assert items["applications_close_at"].due == lot.applications_close_at
    assert "第17条" in items["applications_close_at"].article
    # Bidding does not open at opens_at while the applications are still being taken.
    assert lot.opens_at is not None and lot.opens_at > lot.applications_close_at  # type: ignore[operator]


def test_at_the_application_deadline_staff_are_asked_to_review(
    works: World, clock: ControlledClock
) -> None:
    lot = _in_review(works, clock)
    assert Notification.objects.filter(recipient=works.staff, kind="lot.prequal_review").exists()
    assert reverse("lot_prequalification", args=[lot.pk]) in _page(works.staff, lot)
    assert reverse("lot_prequalification", args=[lot.pk]) not in _page(works.owner_user, lot)


@pytest.mark.parametrize("count", [0, 1, 2])
def test_fewer_than_3_qualified_applicants_fail_the_lot_实施条例_第19条(
    works: World, clock: ControlledClock, count: int
) -> None:
    lot = _in_review(works, clock)
    assert _post(works.owner_user, "lot_prequalification", lot, {"count": count}).status_code == 403
    assert _post(works.staff, "lot_prequalification", lot, {"count": count}).status_code == 302
    lot.refresh_from_db()
    assert (lot.status, lot.qualified_count) == ("failed", count)
    assert lot.failure_reason == "资格预审合格申请人不足3个"
    entry = LedgerEntry.objects.get(object_id=str(lot.pk), action="lot.applicants_insufficient")
    assert entry.payload["reason"] == PREQUAL_INSUFFICIENT_REASON == "资格预审合格申请人不足3个"
    assert entry.payload["article"] == "招标投标法实施条例 第19条"
    assert Notification.objects.filter(recipient=works.owner_user, kind="lot.failed").exists()
    # The bid deadline it never reached has no light.
    items = {item.key: item for item in lot_timeline(lot, clock.now)}
    assert items["closes_at"].done_at is None and items["closes_at"].light is None


def test_three_qualified_applicants_go_on_to_bidding_实施条例_第19条(
    works: World, clock: ControlledClock
) -> None:
    lot = _in_review(works, clock)
    assert _post(works.staff, "lot_prequalification", lot, {"count": 3}).status_code == 302
    lot.refresh_from_db()
    assert (lot.status, lot.next_check) == ("published", lot.opens_at)
    clock.set(opens(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    assert lot.status == "bidding"


def test_a_prequalification_lot_needs_its_application_deadline(
    works: World, clock: ControlledClock
) -> None:
    from trading.services.lots import lot_create
    from trading.services.projects import project_create
    from trading.services.tenders import tender_create

    project = project_create(
        owner=works.owner,
        agency=works.agency,
        name="资格预审项目",
        region=works.region,
        business_type=works.business_type,
        actor=works.owner_user,
    )
    tender = tender_create(
        project=project,
        name="资格预审",
        procedure=works.procedure("open-prequal"),
        documents_issued_at=clock.now,
        actor=works.owner_user,
    )

    def lot(tender: Any, applications_close_at: Any = None) -> Lot:
        return lot_create(
            tender=tender,
            name="一标段",
            estimate=Decimal("1000"),
            opens_at=clock.now + timedelta(days=30),
            closes_at=clock.now + timedelta(days=60),
            applications_close_at=applications_close_at,
            actor=works.owner_user,
        )

    with pytest.raises(ValidationError, match="资格预审申请截止时间"):
        lot(tender)
    with pytest.raises(ValidationError, match="早于投标开始"):
        lot(tender, clock.now + timedelta(days=31))
    # A post-qualification tender has no application deadline.
    plain = tender_create(
        project=project,
        name="资格后审",
        procedure=works.procedure("open"),
        documents_issued_at=clock.now,
        actor=works.owner_user,
    )
    with pytest.raises(ValidationError, match="不进行资格预审"):
        lot(plain, clock.now + timedelta(days=20))


def test_applications_close_no_earlier_than_10_days_after_the_documents_实施条例_第16_17条(
    works: World, clock: ControlledClock
) -> None:
    from trading.services.tenders import tender_publish

    tender = make_tender(
        works,
        procedure="open-prequal",
        applications_close_at=clock.now + timedelta(days=8),
        publish=False,
    )
    with pytest.raises(ValidationError, match="第16、17条"):
        tender_publish(tender=tender, actor=works.staff)


def test_procurement_applications_run_5_working_days_87号令_第14条(clock: ControlledClock) -> None:
    from trading.services.tenders import tender_publish

    world = make_world(business_type="procurement")
    # Monday 30 November 12:00: four working days later is Friday 4 December.
    short = make_tender(
        world,
        procedure="invited-prequal",
        applications_close_at=clock.now + timedelta(days=4),
        publish=False,
    )
    with pytest.raises(ValidationError, match="第14条"):
        tender_publish(tender=short, actor=world.staff)
    lawful = make_tender(
        world, procedure="invited-prequal", applications_close_at=clock.now + timedelta(days=7)
    )
    assert first_lot(lawful).status == "prequalification"


def _days_before_applications_close(lot: Lot, days: int) -> Any:
    from trading.domain.timeline import SHANGHAI

    deadline = lot.applications_close_at.astimezone(SHANGHAI)  # type: ignore[union-attr]
    return deadline.replace(hour=10, minute=0) - timedelta(days=days)


@pytest.mark.parametrize(("days", "accepted"), [(1, False), (2, True), (5, True)])
def test_objections_to_the_prequalification_documents_2_days_before_实施条例_第22条(
    works: World, clock: ControlledClock, days: int, accepted: bool
) -> None:
    from trading.services.objections import objection_raise

    lot = _prequal(works, clock)
    clock.set(_days_before_applications_close(lot, days))
    raise_it = lambda: objection_raise(  # noqa: E731
        lot=lot, stage="documents", text="资格条件过高。", actor=works.bidder_users[0]
    )
    if accepted:
        assert raise_it().lot_id == lot.pk
    else:
        with pytest.raises(ValidationError, match="第22条"):
            raise_it()


@pytest.mark.parametrize(("days", "accepted"), [(2, False), (3, True)])
def test_amendments_to_the_prequalification_3_days_before_实施条例_第21条(
    works: World, clock: ControlledClock, days: int, accepted: bool
) -> None:
    from tests.tenders import pdf_file
    from trading.services.tenders import tender_amend

    lot = _prequal(works, clock)
    clock.set(_days_before_applications_close(lot, days))

    def amend() -> Any:
        return tender_amend(
            tender=lot.tender,
            document_file=pdf_file("amendment.pdf"),
            title="资格预审文件修改",
            affects_bids=True,
            actor=works.owner_user,
        )

    if accepted:
        assert amend().kind == "amendment"
    else:
        with pytest.raises(ValidationError, match="第21条"):
            amend()


def test_a_prequalification_short_of_applicants_is_tendered_again_实施条例_第19条(
    works: World, clock: ControlledClock
) -> None:
    from trading.domain.timeline import SHANGHAI

    lot = _in_review(works, clock)
    _post(works.staff, "lot_prequalification", lot, {"count": 2})
    lot.refresh_from_db()

    def local(days: int) -> str:
        return (clock.now + timedelta(days=days)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")

    schedule = {
        "procedure": lot.tender.procedure_id,
        "documents_issued_at": local(1),
        "opens_at": local(30),
        "closes_at": local(60),
    }
    # The restart is a prequalification again: it needs its application deadline.
    response = _post(works.owner_user, "lot_retender", lot, schedule)
    assert response.status_code == 400
    assert "资格预审申请截止时间" in response.content.decode()
    response = _post(
        works.owner_user, "lot_retender", lot, schedule | {"applications_close_at": local(20)}
    )
    assert response.status_code == 302
    successor = Lot.objects.get(predecessor=lot)
    assert successor.applications_close_at is not None
    assert successor.tender.name.endswith("（重新招标）")


def test_the_owner_enters_the_application_deadline_on_the_lot_form(
    works: World, clock: ControlledClock
) -> None:
    from trading.domain.timeline import SHANGHAI

    tender = make_tender(works, procedure="open-prequal", lots=0, submit=False)
    url = reverse("lot_create", args=[tender.pk])
    assert "资格预审申请截止时间" in _as(works.owner_user).get(url).content.decode()
    plain = make_tender(works, lots=0, submit=False)
    assert (
        "资格预审申请截止时间"
        not in _as(works.owner_user).get(reverse("lot_create", args=[plain.pk])).content.decode()
    )

    def local(days: int) -> str:
        return (clock.now + timedelta(days=days)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")

    data = {
        "name": "二标段",
        "estimate": "5000000.00",
        "deposit_amount": "80000.00",
        "opens_at": local(30),
        "closes_at": local(60),
    }
    response = _as(works.owner_user).post(url, data)
    assert response.status_code == 200  # the form again, nothing saved
    assert "form-errors" in response.content.decode()
    assert not tender.lots.exists()
    response = _as(works.owner_user).post(url, data | {"applications_close_at": local(20)})
    assert response.status_code == 302
    assert first_lot(tender).applications_close_at is not None
