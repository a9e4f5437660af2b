"""A failed lot tendered again, and negotiated procedures, through the lot page.

实施条例 第44条: after 流标 the owner tenders again — a successor lot in a new draft tender, its
data copied, its history shown on both lots; 87号令 第43条: a procurement changes method after 流标
only with the regulator's approval. Negotiated procedures (single source, 协议出让, 挂网, 谈判) have
no opening and no bid count: the desk records a negotiation record instead of an evaluation.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.enrolments import enrol_all
from tests.tenders import (
    DEPOSIT,
    ESTIMATE,
    World,
    closes,
    first_lot,
    make_tender,
    make_world,
    open_publicity,
    record_outcome,
)
from trading.chronograph import chronograph_tick
from trading.domain.timeline import SHANGHAI
from trading.models import LedgerEntry, Lot, NegotiationRecord, Procedure, User
from trading.services.outcomes import lot_record_bid_count
from trading.services.procedures import lot_record_listing_close
from trading.services.reevaluation import ReevaluationOrder, lot_reevaluate

pytestmark = [pytest.mark.django_db]

MINUTES = "三方参与谈判，经两轮报价，第一方最终报价最低。"


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


def _form(name: str, lot: Lot) -> str:
    return f'action="{reverse(name, args=[lot.pk])}"'


def _closed(world: World, clock: ControlledClock, **tender: Any) -> Lot:
    lot = first_lot(make_tender(world, **tender))
    enrol_all(lot, world.bidders)
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    return lot


def _failed(world: World, clock: ControlledClock, **tender: Any) -> Lot:
    lot = _closed(world, clock, **tender)
    return lot_record_bid_count(lot=lot, count=2, actor=world.staff)


def _local(moment: Any) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def _schedule(clock: ControlledClock) -> dict[str, str]:
    return {
        "documents_issued_at": _local(clock.now + timedelta(days=1)),
        "opens_at": _local(clock.now + timedelta(days=25)),
        "closes_at": _local(clock.now + timedelta(days=30)),
    }


# --- re-tender (实施条例 第44条) ----------------------------------------------------------------


def test_the_owner_tenders_a_failed_lot_again_as_a_linked_successor_with_its_data(
    clock: ControlledClock,
) -> None:
    """实施条例 第44条: 重新招标 — a new draft tender, the lot's data copied, both linked."""
    world = make_world(business_type="engineering")
    lot = _failed(world, clock)
    assert lot.status == "failed"
    assert _form("lot_retender", lot) in _page(world.owner_user, lot)

    response = _as(world.owner_user).post(
        reverse("lot_retender", args=[lot.pk]),
        {"procedure": lot.tender.procedure_id, **_schedule(clock)},
    )

    assert response.status_code == 302
    successor = Lot.objects.get(predecessor=lot)
    assert response["Location"] == reverse("tender_detail", args=[successor.tender_id])
    assert successor.tender.status == "draft" and successor.status == "draft"
    assert successor.tender_id != lot.tender_id
    assert successor.tender.project_id == lot.tender.project_id
    assert successor.tender.name.endswith("（重新招标）")
    assert (successor.name, successor.estimate, successor.deposit_amount) == (
        lot.name,
        ESTIMATE,
        DEPOSIT,
    )
    assert LedgerEntry.objects.get(action="lot.retendered").payload["successor"] == successor.pk
    assert LedgerEntry.objects.get(action="lot.succeeds").payload["predecessor"] == lot.pk
    # Both lots show the history.
    page = _page(world.owner_user, lot)
    assert reverse("lot_detail", args=[successor.pk]) in page and "重新招标" in page
    assert _form("lot_retender", lot) not in page
    page = _page(world.owner_user, successor)
    assert "原标段" in page and reverse("lot_detail", args=[lot.pk]) in page


def test_a_failed_lot_is_tendered_again_only_once(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot = _failed(world, clock)
    client = _as(world.owner_user)
    url = reverse("lot_retender", args=[lot.pk])
    data = {"procedure": lot.tender.procedure_id, **_schedule(clock)}
    assert client.post(url, data).status_code == 302

    response = client.post(url, data)

    assert response.status_code == 400
    assert Lot.objects.filter(predecessor=lot).count() == 1


@pytest.mark.parametrize("who", ["staff", "regulator"])
def test_only_the_owner_tenders_again(clock: ControlledClock, who: str) -> None:
    world = make_world(business_type="engineering")
    lot = _failed(world, clock)
    user = getattr(world, who)
    assert _form("lot_retender", lot) not in _page(user, lot)

    response = _as(user).post(
        reverse("lot_retender", args=[lot.pk]),
        {"procedure": lot.tender.procedure_id, **_schedule(clock)},
    )

    assert response.status_code == 403
    assert not Lot.objects.filter(predecessor=lot).exists()


def test_a_lot_that_has_not_failed_is_not_tendered_again(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot = _closed(world, clock)

    response = _as(world.owner_user).post(
        reverse("lot_retender", args=[lot.pk]),
        {"procedure": lot.tender.procedure_id, **_schedule(clock)},
    )

    assert response.status_code == 400
    assert "只有流标" in response.content.decode()
    assert not Lot.objects.filter(predecessor=lot).exists()


def test_after_a_failed_procurement_another_method_needs_a_recorded_approval(
    clock: ControlledClock,
) -> None:
    """87号令 第43条: after 流标 a procurement changes method only with the approval."""
    world = make_world(business_type="procurement")
    lot = _failed(world, clock)
    negotiation = Procedure.objects.get(business_type__code="procurement", code="negotiation")
    client = _as(world.owner_user)
    url = reverse("lot_retender", args=[lot.pk])

    refused = client.post(url, {"procedure": negotiation.pk, **_schedule(clock)})

    assert refused.status_code == 400
    assert "第43条" in refused.content.decode()
    assert not Lot.objects.filter(predecessor=lot).exists()

    accepted = client.post(
        url,
        {
            "procedure": negotiation.pk,
            "approval": "市财政局同意改为竞争性谈判",
            "approval_number": "海财采〔2026〕88号",
            **_schedule(clock),
        },
    )

    assert accepted.status_code == 302
    successor = Lot.objects.get(predecessor=lot)
    assert successor.tender.procedure == negotiation
    assert successor.method_change_number == "海财采〔2026〕88号"
    assert successor.tender.name.endswith("（重新采购）")
    assert "海财采〔2026〕88号" in _page(world.owner_user, successor)


# --- negotiated procedures ------------------------------------------------------------------


def test_a_negotiated_lot_goes_to_negotiation_not_an_opening_and_the_desk_records_it(
    clock: ControlledClock,
) -> None:
    """协议出让: no opening, no bid count; the negotiation record publicises the result."""
    world = make_world(business_type="pollution")
    lot = _closed(world, clock, procedure="agreement")
    assert lot.status == "negotiation"
    page = _page(world.staff, lot)
    assert _form("lot_negotiation", lot) in page
    assert _form("lot_bid_count", lot) not in page and "响应截止" in page

    response = _as(world.staff).post(
        reverse("lot_negotiation", args=[lot.pk]),
        {
            "parties": [world.bidders[0].pk],
            "agreed": "on",
            "winner": world.bidders[0].pk,
            "price": "990000.00",
            "minutes": MINUTES,
        },
    )

    assert response.status_code == 302
    lot.refresh_from_db()
    assert (lot.status, lot.bid_count) == ("publicity", None)
    # The result's publicity runs from its notice's publication (实施条例 第54条), not before.
    assert lot.publicity_ends_at is None
    assert open_publicity(lot).publicity_ends_at is not None
    record = NegotiationRecord.objects.get(lot=lot)
    assert record.parties[0]["name"] == world.bidders[0].name
    assert (record.winner, record.price) == (world.bidders[0], Decimal("990000.00"))
    winner = lot.candidates.get()
    assert (winner.rank, winner.organisation) == (1, world.bidders[0])
    assert LedgerEntry.objects.get(action="lot.negotiated").payload["agreed"] is True
    page = _page(world.owner_user, lot)
    assert "谈判（协商）记录" in page and MINUTES in page


def test_a_competitive_negotiation_needs_its_minimum_of_parties_to_agree(
    clock: ControlledClock,
) -> None:
    """竞争性谈判: not fewer than three suppliers (政府采购法 第38条); two cannot agree a deal."""
    world = make_world(business_type="procurement")
    lot = _closed(world, clock, procedure="negotiation")
    assert lot.status == "negotiation"
    client = _as(world.staff)
    url = reverse("lot_negotiation", args=[lot.pk])
    two = [world.bidders[0].pk, world.bidders[1].pk]

    refused = client.post(
        url,
        {
            "parties": two,
            "agreed": "on",
            "winner": world.bidders[0].pk,
            "price": "900000",
            "minutes": MINUTES,
        },
    )

    assert refused.status_code == 400
    assert "不足 3 家" in refused.content.decode()
    lot.refresh_from_db()
    assert lot.status == "negotiation" and not NegotiationRecord.objects.exists()

    failed = client.post(url, {"parties": two, "minutes": "仅两家响应，未能成交。"})

    assert failed.status_code == 302
    lot.refresh_from_db()
    assert lot.status == "failed"
    assert "仅两家响应" in lot.failure_reason
    assert _form("lot_retender", lot) in _page(world.owner_user, lot)


@pytest.mark.parametrize("who", ["owner_user", "regulator"])
def test_only_the_desk_records_the_negotiation(clock: ControlledClock, who: str) -> None:
    world = make_world(business_type="pollution")
    lot = _closed(world, clock, procedure="agreement")
    user = getattr(world, who)
    assert _form("lot_negotiation", lot) not in _page(user, lot)

    response = _as(user).post(
        reverse("lot_negotiation", args=[lot.pk]),
        {"parties": [world.bidders[0].pk], "minutes": MINUTES},
    )

    assert response.status_code == 403
    lot.refresh_from_db()
    assert lot.status == "negotiation"


def test_an_agreed_party_must_have_taken_part(clock: ControlledClock) -> None:
    world = make_world(business_type="pollution")
    lot = _closed(world, clock, procedure="agreement")

    response = _as(world.staff).post(
        reverse("lot_negotiation", args=[lot.pk]),
        {
            "parties": [world.bidders[0].pk],
            "agreed": "on",
            "winner": world.bidders[1].pk,
            "price": "900000",
            "minutes": MINUTES,
        },
    )

    assert response.status_code == 400
    lot.refresh_from_db()
    assert lot.status == "negotiation"


def test_an_unsold_land_parcel_is_listed_again(clock: ControlledClock) -> None:
    """流拍: the parcel is re-listed (二次挂牌) as a successor with the same starting price."""
    world = make_world(business_type="land")
    lot = _closed(world, clock)
    # Nobody bid by the listing's close (国土资源部令第39号 第20条): 挂牌不成交.
    assert lot.status == "listing_closed"
    lot_record_listing_close(lot=lot, bidders=0, actor=world.staff)

    response = _as(world.owner_user).post(
        reverse("lot_retender", args=[lot.pk]),
        {"procedure": lot.tender.procedure_id, **_schedule(clock)},
    )

    assert response.status_code == 302
    successor = Lot.objects.get(predecessor=lot)
    assert successor.tender.name.endswith("（重新挂牌）")
    assert successor.estimate == lot.estimate


def test_a_re_negotiation_supersedes_the_record_and_the_agreed_party(
    clock: ControlledClock,
) -> None:
    """实施条例 第54条, negotiated: the result goes back to negotiation, kept as history."""
    world = make_world(business_type="pollution")
    lot = record_outcome(world, _closed(world, clock, procedure="agreement"))
    assert lot.status == "publicity"

    lot_reevaluate(
        lot=lot,
        actor=world.regulator,
        reason="成交价明显低于评估价",
        ordered_by=ReevaluationOrder.REGULATOR,
    )

    lot.refresh_from_db()
    assert lot.status == "negotiation"
    record = NegotiationRecord.objects.get(lot=lot)
    assert record.superseded_at == clock.now
    assert not lot.candidates.filter(superseded_at__isnull=True).exists()
    page = _page(world.staff, lot)
    assert _form("lot_negotiation", lot) in page and "已被重新谈判取代" in page


def test_the_owner_is_told_to_tender_a_failed_lot_again_until_it_is(
    clock: ControlledClock,
) -> None:
    """实施条例 第44条: the owner's console lists the failed lot until its successor is drafted."""
    world = make_world(business_type="engineering")
    lot = _failed(world, clock)
    todo = "“第1标段”流标：依法重新招标"
    console = reverse("owner_console")
    assert todo in _as(world.owner_user).get(console).content.decode()

    _as(world.owner_user).post(
        reverse("lot_retender", args=[lot.pk]),
        {"procedure": lot.tender.procedure_id, **_schedule(clock)},
    )

    assert todo not in _as(world.owner_user).get(console).content.decode()


def test_a_procurement_negotiation_is_awarded_from_its_record_without_publicity(
    clock: ControlledClock,
) -> None:
    """政府采购法实施条例 第43条: no publicity; the purchaser awards from the negotiation record."""
    world = make_world(business_type="procurement")
    lot = _closed(world, clock, procedure="negotiation")
    three = [b.pk for b in world.bidders[:3]]

    recorded = _as(world.staff).post(
        reverse("lot_negotiation", args=[lot.pk]),
        {
            "parties": three,
            "agreed": "on",
            "winner": world.bidders[0].pk,
            "price": "900000",
            "minutes": MINUTES,
        },
    )

    assert recorded.status_code == 302
    lot.refresh_from_db()
    assert (lot.status, lot.publicity_ends_at) == ("negotiation", None)
    again = _as(world.staff).post(
        reverse("lot_negotiation", args=[lot.pk]),
        {
            "parties": three,
            "agreed": "on",
            "winner": world.bidders[1].pk,
            "price": "1",
            "minutes": "x",
        },
    )
    assert again.status_code == 400
    assert NegotiationRecord.objects.filter(lot=lot).count() == 1

    awarded = _as(world.owner_user).post(
        reverse("award_confirm", args=[lot.pk]), {"candidate": lot.candidates.get(rank=1).pk}
    )

    assert awarded.status_code == 302
    lot.refresh_from_db()
    assert lot.status == "awarded"
    assert lot.award is not None and lot.award.organisation == world.bidders[0]
