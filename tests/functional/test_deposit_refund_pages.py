"""A bidder's deposit page on its enrolment: guarantees applied for or registered and verified
against the lot, the refund's due and paid dates, a forfeiture with its reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bidding.guarantee_issuers import GuaranteeApplication, LocalIssuer
from bidding.models import Enrolment, Guarantee
from bidding.services.guarantees import bid_valid_until
from bidding.services.refunds import forfeiture_record
from tests.conftest import ControlledClock
from tests.refund_support import enrol, tick, withdraw
from tests.tenders import (
    DEPOSIT,
    World,
    closes,
    first_lot,
    make_tender,
    make_world,
    record_outcome,
)
from trading.chronograph import chronograph_tick
from trading.models import LedgerEntry, Notification, Tender, User
from trading.selectors.tenders import sealed_scope_key

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world(business_type="engineering")


@pytest.fixture
def enrolment(world: World) -> Enrolment:
    lot = first_lot(make_tender(world, opens_in=timedelta(days=1), closes_in=timedelta(days=21)))
    enrol(lot, world.bidders[1], world.bidder_users[1], 2)
    return enrol(lot, world.bidders[0], world.bidder_users[0], 1)


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(user: User, enrolment: Enrolment) -> str:
    response = _as(user).get(reverse("enrolment_deposit", args=[enrolment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _post(user: User, name: str, enrolment: Enrolment, data: dict[str, Any]) -> str:
    response = _as(user).post(reverse(name, args=[enrolment.pk]), data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _number(enrolment: Enrolment, **changes: Any) -> str:
    """A guarantee the bidder obtained from the (local) issuer itself, with these terms."""
    lot = enrolment.lot
    application = GuaranteeApplication(
        kind="bank",
        applicant_uscc=enrolment.lead.uscc,
        beneficiary_uscc=lot.tender.project.owner.uscc,
        beneficiary_name=lot.tender.project.owner.name,
        amount=DEPOSIT,
        valid_until=bid_valid_until(lot),
        reference="elsewhere-1",
    )
    return LocalIssuer().apply(replace(application, **changes)).number


def test_bidder_applies_for_a_bank_guarantee_and_sees_it_verified(
    world: World, enrolment: Enrolment
) -> None:
    page = _post(world.bidder_users[0], "enrolment_guarantee_apply", enrolment, {"kind": "bank"})

    guarantee = Guarantee.objects.get(enrolment=enrolment)
    assert guarantee.state == "verified" and guarantee.amount == DEPOSIT
    assert "保函已申请，平台已核验其金额、有效期和受益人。" in page
    assert guarantee.number in page and "已核验" in page
    # Recorded in the lot's sealed chain, by bidder number only (法 第22条).
    entries = LedgerEntry.objects.filter(scope__key=sealed_scope_key(enrolment.lot_id))
    assert list(entries.values_list("action", flat=True)) == [
        "guarantee.issued",
        "guarantee.verified",
    ]
    assert all(e.payload["bidder_number"] == "B001" for e in entries)
    # One guarantee at a time: the forms are gone, a second application is refused.
    assert "申请保函</button>" not in page
    again = _post(world.bidder_users[0], "enrolment_guarantee_apply", enrolment, {"kind": "bank"})
    assert "本报名已有办理中或有效的保函" in again
    assert Guarantee.objects.filter(enrolment=enrolment).count() == 1


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"amount": DEPOSIT - 1}, "担保金额 19,999.00 元低于本标段保证金 20,000.00 元。"),
        ({"beneficiary_uscc": "91460100MA5T00000X"}, "保函受益人不是本项目招标人"),
        ({"valid_until_days": -1}, "未覆盖投标有效期"),
    ],
)
def test_a_registered_guarantee_that_does_not_fit_the_lot_is_refused_with_its_reason(
    world: World, enrolment: Enrolment, changes: dict[str, Any], reason: str
) -> None:
    if "valid_until_days" in changes:
        days = changes.pop("valid_until_days")
        changes["valid_until"] = bid_valid_until(enrolment.lot) + timedelta(days=days)
    number = _number(enrolment, **changes)

    page = _post(
        world.bidder_users[0],
        "enrolment_guarantee_register",
        enrolment,
        {"kind": "bank", "number": number},
    )

    assert "保函未通过平台核验" in page and reason in page
    assert Guarantee.objects.get(enrolment=enrolment).state == "refused"


def test_a_fitting_guarantee_registered_by_number_is_verified(
    world: World, enrolment: Enrolment
) -> None:
    page = _post(
        world.bidder_users[0],
        "enrolment_guarantee_register",
        enrolment,
        {"kind": "insurance", "number": _number(enrolment)},
    )
    assert "保函已登记并通过平台核验。" in page
    guarantee = Guarantee.objects.get(enrolment=enrolment)
    assert (guarantee.kind, guarantee.state) == ("insurance", "verified")


@pytest.mark.parametrize("number", ["", "LB-20000.00-X-1-1-0000000000000000"])
def test_an_unknown_number_is_refused_and_changes_nothing(
    world: World, enrolment: Enrolment, number: str
) -> None:
    page = _post(
        world.bidder_users[0],
        "enrolment_guarantee_register",
        enrolment,
        {"kind": "bank", "number": number},
    )
    assert "请填写保函编号。" in page or "出具机构查无此编号的保函，请核对编号。" in page
    assert not Guarantee.objects.exists()


def test_a_cash_only_tender_accepts_no_guarantee(world: World, enrolment: Enrolment) -> None:
    Tender.objects.filter(pk=enrolment.lot.tender_id).update(deposit_form="cash")
    page = _post(world.bidder_users[0], "enrolment_guarantee_apply", enrolment, {"kind": "bank"})
    assert "本项目的招标文件不接受以保函代替现金保证金。" in page
    assert not Guarantee.objects.exists()


def test_the_bidder_sees_the_refund_due_and_paid_dates(
    world: World, enrolment: Enrolment, clock: ControlledClock
) -> None:
    assert "平台按规则排定保证金的退还时间" in _page(world.bidder_users[0], enrolment)
    withdraw(enrolment, clock.now)
    tick(clock)

    page = _page(world.bidder_users[0], enrolment)
    assert "撤回投标" in page
    # 实施条例 第35条: 5 日 after 30 Nov; Saturday 5 Dec moves to Monday 7 Dec.
    assert "2026-12-07 24:00" in page and "招标投标法实施条例 第35条" in page
    assert "2026-11-30 12:00" in page and "子账户无现金可退" in page
    # Its own users are told; the other bidder hears nothing of it.
    told = Notification.objects.filter(kind="deposit.refunded")
    assert [n.recipient for n in told] == [world.bidder_users[0]]
    assert enrolment.lot.code in told.get().title


def test_the_bidder_sees_a_forfeiture_with_its_reason(world: World, enrolment: Enrolment) -> None:
    forfeiture_record(
        enrolment_id=enrolment.pk,
        reason="中标人书面放弃中标",
        article="招标投标法实施条例 第74条",
        recorded_by=world.owner_user,
        source_event="test",
    )
    page = _page(world.bidder_users[0], enrolment)
    assert "保证金不予退还" in page and "中标人书面放弃中标" in page
    assert "招标投标法实施条例 第74条" in page
    told = Notification.objects.get(kind="deposit.forfeited")
    assert told.recipient == world.bidder_users[0] and "中标人书面放弃中标" in told.body


@pytest.mark.parametrize("who", ["other_bidder", "owner", "staff", "regulator"])
def test_nobody_but_the_bidder_learns_the_enrolment_exists(
    world: World, enrolment: Enrolment, who: str
) -> None:
    user = {
        "other_bidder": world.bidder_users[1],
        "owner": world.owner_user,
        "staff": world.staff,
        "regulator": world.regulator,
    }[who]
    client = _as(user)
    assert client.get(reverse("enrolment_deposit", args=[enrolment.pk])).status_code == 404
    response = client.post(
        reverse("enrolment_guarantee_apply", args=[enrolment.pk]), {"kind": "bank"}
    )
    assert response.status_code == 404
    assert not Guarantee.objects.exists()


def test_a_land_buyer_reads_that_its_deposit_became_earnest_money(clock: ControlledClock) -> None:
    """DOMAIN.md: the winner's deposit becomes 定金; the others are refunded."""
    world = make_world(business_type="land")
    lot = first_lot(make_tender(world))
    buyer = enrol(lot, world.bidders[0], world.bidder_users[0], 1)
    loser = enrol(lot, world.bidders[1], world.bidder_users[1], 2)
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    record_outcome(world, lot)
    tick(clock)

    assert "保证金转为定金" in _page(world.bidder_users[0], buyer)
    loser_page = _page(world.bidder_users[1], loser)
    assert "保证金转为定金" not in loser_page and "未中标" in loser_page
