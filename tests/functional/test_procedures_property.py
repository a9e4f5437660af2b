"""A state-owned property transfer as it really runs, through the lot page as each role.

国资委 财政部令第32号: the transfer is disclosed for ≥ 20 工作日 (第13条); when the disclosure
closes, one qualified 意向受让方 means 协议转让 and two or more 网络竞价 (第22条); with none the
transferor extends the disclosure (each time ≥ 5 工作日, 企业国有产权交易操作规则 第20条),
re-discloses at a lower price for ≥ 20 工作日 — below 90% of the valuation only with the
approving body's written consent — or ends it (第18条). A capital increase discloses ≥ 40
工作日 (第39条).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.enrolments import enrol_all
from tests.tenders import World, closes, first_lot, make_tender, make_world
from trading.chronograph import chronograph_tick
from trading.domain.timeline import SHANGHAI
from trading.models import LedgerEntry, Lot, User
from trading.selectors.timeline import lot_timeline, tender_rulebook

pytestmark = [pytest.mark.django_db]

DATETIME = "%Y-%m-%dT%H:%M"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world(business_type="property")


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


def _closed(world: World, clock: ControlledClock, procedure: str = "transfer") -> Lot:
    lot = first_lot(make_tender(world, procedure=procedure))
    enrol_all(lot, world.bidders)
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    assert lot.status == "listing_closed"
    return lot


def _local(moment: Any) -> str:
    return moment.astimezone(SHANGHAI).strftime(DATETIME)


def _actions(lot: Lot) -> list[str]:
    return list(
        LedgerEntry.objects.filter(object_type="lot", object_id=str(lot.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_the_disclosure_stops_at_its_close_for_staff_to_count_qualified_transferees_第22条(
    world: World, clock: ControlledClock
) -> None:
    lot = _closed(world, clock)
    page = _page(world.staff, lot)
    assert reverse("lot_transferees", args=[lot.pk]) in page
    # The owner does not record the count; the regulator only reads.
    assert reverse("lot_transferees", args=[lot.pk]) not in _page(world.owner_user, lot)
    assert _post(world.owner_user, "lot_transferees", lot, {"count": 1}).status_code == 403
    assert _post(world.regulator, "lot_transferees", lot, {"count": 1}).status_code == 403
    assert _post(world.other_desk_staff, "lot_transferees", lot, {"count": 1}).status_code == 403


@pytest.mark.parametrize(("count", "status"), [(1, "agreement"), (2, "auction"), (5, "auction")])
def test_one_qualified_transferee_is_an_agreement_two_or_more_bid_32号令_第22条(
    world: World, clock: ControlledClock, count: int, status: str
) -> None:
    lot = _closed(world, clock)
    response = _post(world.staff, "lot_transferees", lot, {"count": count})
    assert response.status_code == 302
    lot.refresh_from_db()
    assert (lot.status, lot.qualified_count) == (status, count)
    # Recorded once: a second count is refused and changes nothing.
    again = _post(world.staff, "lot_transferees", lot, {"count": 0})
    assert again.status_code == 400
    lot.refresh_from_db()
    assert (lot.status, lot.qualified_count) == (status, count)


def test_the_agreement_is_recorded_as_a_deal_with_the_transferee_and_its_price(
    world: World, clock: ControlledClock
) -> None:
    lot = _closed(world, clock)
    _post(world.staff, "lot_transferees", lot, {"count": 1})
    buyer = world.bidders[0]
    price = lot.estimate + Decimal("1000.00")
    # Below the listing price is refused (the price cannot undercut the disclosed one).
    low = {"sold": "1", "winner": buyer.pk, "price": str(lot.estimate - 1)}
    assert _post(world.staff, "lot_deal", lot, low).status_code == 400
    deal = {"sold": "1", "winner": buyer.pk, "price": str(price)}
    assert _post(world.owner_user, "lot_deal", lot, deal).status_code == 403
    assert _post(world.staff, "lot_deal", lot, deal).status_code == 302
    lot.refresh_from_db()
    assert lot.status == "publicity"
    assert lot.candidates.get().organisation == buyer
    page = _page(world.owner_user, lot)
    # 32号令's words on a property page: 受让方 and 成交价, not a tendering law's candidates.
    assert "受让方" in page
    assert "中标候选人" not in page


def test_nobody_qualified_the_transferor_may_extend_re_disclose_or_end_32号令_第18条(
    world: World, clock: ControlledClock
) -> None:
    lot = _closed(world, clock)
    assert _post(world.staff, "lot_transferees", lot, {"count": 0}).status_code == 302
    lot.refresh_from_db()
    assert (lot.status, lot.qualified_count) == ("listing_closed", 0)
    owner_page = _page(world.owner_user, lot)
    assert "未征集到意向受让方：延期、重新披露或者终结" in owner_page
    assert "未征集到意向受让方，等待转让方决定" in _page(world.staff, lot)
    for route in ("lot_extend_disclosure", "lot_redisclose", "lot_end_disclosure"):
        assert reverse(route, args=[lot.pk]) in owner_page
        assert reverse(route, args=[lot.pk]) not in _page(world.staff, lot)
    assert "lot.no_transferee" in _actions(lot)


def test_the_transferor_cannot_extend_before_the_count_or_after_a_transferee_qualified(
    world: World, clock: ControlledClock
) -> None:
    lot = _closed(world, clock)
    later = _local(closes(lot) + timedelta(days=20))
    assert (
        _post(world.owner_user, "lot_extend_disclosure", lot, {"closes_at": later}).status_code
        == 400
    )
    _post(world.staff, "lot_transferees", lot, {"count": 1})
    assert (
        _post(world.owner_user, "lot_extend_disclosure", lot, {"closes_at": later}).status_code
        == 400
    )
    lot.refresh_from_db()
    assert lot.status == "agreement"


def test_each_extension_is_at_least_5_working_days_操作规则_第20条(
    world: World, clock: ControlledClock
) -> None:
    lot = _closed(world, clock)
    _post(world.staff, "lot_transferees", lot, {"count": 0})
    previous = closes(lot)
    book = tender_rulebook(lot.tender)
    earliest = book.earliest_deadline(previous, "previous_listing_end", "listing_end")
    assert earliest is not None
    short = earliest - timedelta(days=1)
    refused = _post(world.staff, "lot_extend_disclosure", lot, {"closes_at": _local(earliest)})
    assert refused.status_code == 403  # the transferor decides, not the desk
    response = _post(world.owner_user, "lot_extend_disclosure", lot, {"closes_at": _local(short)})
    assert response.status_code == 400
    assert "第20条" in response.content.decode()
    lot.refresh_from_db()
    assert (lot.status, lot.closes_at) == ("listing_closed", previous)

    response = _post(
        world.owner_user, "lot_extend_disclosure", lot, {"closes_at": _local(earliest)}
    )
    assert response.status_code == 302
    lot.refresh_from_db()
    assert (lot.status, lot.closes_at, lot.qualified_count) == ("bidding", earliest, None)
    assert lot.next_check == earliest
    # The history and the timeline show the end the disclosure had before.
    assert "lot.disclosure_extended" in _actions(lot)
    items = {item.key: item for item in lot_timeline(lot, clock.now)}
    assert items["disclosure_end:1"].due == previous
    assert items["closes_at"].due == earliest
    assert "延长信息披露期" in _page(world.owner_user, lot)
    # At the new end it closes again and staff count again.
    clock.set(earliest + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    assert lot.status == "listing_closed" and lot.qualified_count is None


def _no_transferee(world: World, clock: ControlledClock) -> Lot:
    lot = _closed(world, clock)
    _post(world.staff, "lot_transferees", lot, {"count": 0})
    lot.refresh_from_db()
    return lot


def _redisclosure_end(lot: Lot, clock: ControlledClock) -> Any:
    end = tender_rulebook(lot.tender).earliest_deadline(
        clock.now, "disclosure_restart", "listing_end"
    )
    assert end is not None
    return end


def test_a_re_disclosure_runs_at_least_20_working_days_32号令_第18条(
    world: World, clock: ControlledClock
) -> None:
    lot = _no_transferee(world, clock)
    end = _redisclosure_end(lot, clock)
    data = {
        "price": "950000.00",
        "valuation": "1000000.00",
        "closes_at": _local(end - timedelta(days=1)),
    }
    response = _post(world.owner_user, "lot_redisclose", lot, data)
    assert response.status_code == 400
    assert "第18条" in response.content.decode()
    response = _post(world.owner_user, "lot_redisclose", lot, data | {"closes_at": _local(end)})
    assert response.status_code == 302
    lot.refresh_from_db()
    assert (lot.status, lot.estimate, lot.valuation, lot.closes_at) == (
        "bidding",
        Decimal("950000.00"),
        Decimal("1000000.00"),
        end,
    )
    entry = LedgerEntry.objects.get(object_id=str(lot.pk), action="lot.redisclosed")
    assert (entry.payload["previous_price"], entry.payload["price"]) == ("1000000.00", "950000.00")


@pytest.mark.parametrize(
    ("price", "approval", "accepted"),
    [
        ("900000.00", "", True),  # 90% of the valuation exactly: no consent needed
        ("899999.99", "", False),
        ("899999.99", "国资产权〔2027〕8号", True),
        ("500000.00", "国资产权〔2027〕9号", True),
    ],
)
def test_below_90_percent_of_the_valuation_needs_written_consent_32号令_第18条(
    world: World, clock: ControlledClock, price: str, approval: str, accepted: bool
) -> None:
    lot = _no_transferee(world, clock)
    data = {
        "price": price,
        "valuation": "1000000.00",
        "approval_reference": approval,
        "closes_at": _local(_redisclosure_end(lot, clock)),
    }
    response = _post(world.owner_user, "lot_redisclose", lot, data)
    lot.refresh_from_db()
    if accepted:
        assert response.status_code == 302
        assert (lot.estimate, lot.approval_reference) == (Decimal(price), approval)
    else:
        assert response.status_code == 400
        assert "90%" in response.content.decode() and "批准文件" in response.content.decode()
        assert (lot.status, lot.estimate) == ("listing_closed", Decimal("1000000.00"))


def test_a_re_disclosure_needs_the_valuation(world: World, clock: ControlledClock) -> None:
    lot = _no_transferee(world, clock)
    data = {"price": "950000.00", "closes_at": _local(_redisclosure_end(lot, clock))}
    response = _post(world.owner_user, "lot_redisclose", lot, data)
    assert response.status_code == 400
    assert "评估结果" in response.content.decode()


def test_the_transferor_ends_the_disclosure_and_the_lot_fails(
    world: World, clock: ControlledClock
) -> None:
    lot = _no_transferee(world, clock)
    assert _post(world.owner_user, "lot_end_disclosure", lot, {"reason": ""}).status_code == 400
    response = _post(world.owner_user, "lot_end_disclosure", lot, {"reason": "转让方决定终结"})
    assert response.status_code == 302
    lot.refresh_from_db()
    assert (lot.status, lot.failure_reason) == ("failed", "转让方决定终结")
    assert "转让方决定终结" in _page(world.owner_user, lot)
    entry = LedgerEntry.objects.get(object_id=str(lot.pk), action="lot.unsold")
    assert entry.payload["reason"] == "转让方决定终结"


def test_a_capital_increase_discloses_at_least_40_working_days_32号令_第39条(
    world: World, clock: ControlledClock
) -> None:
    from trading.services.tenders import tender_publish

    tender = make_tender(
        world, procedure="capital-increase", closes_in=timedelta(days=45), publish=False
    )
    with pytest.raises(ValidationError, match="第39条"):
        tender_publish(tender=tender, actor=world.staff)
    tender = make_tender(world, procedure="capital-increase", closes_in=timedelta(days=70))
    assert tender.status == "published"
    # A transfer of the same length is lawful: ≥ 20 工作日 (第13条).
    assert make_tender(world, closes_in=timedelta(days=45)).status == "published"


def test_make_run_shows_an_extended_property_disclosure(
    demo: dict[str, int], clock: ControlledClock, settings: Any
) -> None:
    from trading.services.demo_tenders import demo_tenders_seed

    settings.DEMO = True
    demo_tenders_seed()
    lot = Lot.objects.get(tender__project__name="三亚湾酒店管理有限公司100%股权转让")
    assert (lot.status, lot.tender.procedure.code) == ("bidding", "transfer")
    assert _actions(lot)[-2:] == ["lot.no_transferee", "lot.disclosure_extended"]
    items = {item.key: item for item in lot_timeline(lot, clock.now)}
    assert items["disclosure_end:1"].done_at is not None
    assert items["closes_at"].due > clock.now  # type: ignore[operator]
    # The extended end is at a center's hour in Shanghai, not a UTC hour read as local.
    assert lot.closes_at is not None and lot.closes_at.astimezone(SHANGHAI).hour == 17
    staff = User.objects.get(username="staff_sanya")
    page = _page(staff, lot)
    assert "延长信息披露期" in page and "第1次信息披露期满（已延期）" in page


def test_a_property_page_speaks_32号令s_words_not_the_tendering_laws(
    world: World, clock: ControlledClock
) -> None:
    from tests.tenders import publicity_end, record_outcome

    lot = _closed(world, clock)
    lot = record_outcome(world, lot)
    clock.set(publicity_end(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    page = _page(world.owner_user, lot)
    for words in ("确认受让方", "信息披露期满", "意向受让方登记开始", "转让底价", "受让方"):
        assert words in page
    for words in ("中标候选人", "中标人", "中标价", "投标截止（开标）", "开始投标"):
        assert words not in page


def test_the_first_disclosure_price_is_not_below_the_valuation_32号令_第17条(
    world: World, clock: ControlledClock
) -> None:
    from trading.services.lots import lot_create, lot_update

    tender = make_tender(world, lots=0, submit=False)

    def lot(estimate: str) -> Lot:
        return lot_create(
            tender=tender,
            name="股权",
            estimate=Decimal(estimate),
            valuation=Decimal("900000.00"),
            opens_at=clock.now + timedelta(days=30),
            closes_at=clock.now + timedelta(days=60),
            actor=world.owner_user,
        )

    with pytest.raises(ValidationError, match="第17条"):
        lot("899000.00")
    created = lot("900000.00")
    with pytest.raises(ValidationError, match="第17条"):
        lot_update(lot=created, actor=world.owner_user, estimate=Decimal("1.00"))
