"""The bidder's one deposit page per enrolment: how to pay in cash or by guarantee, what arrived,
the state the bid stage reads (a verified guarantee covering the amount counts as paid, 实施条例
第26条), an invalid payment's refund, and a withdrawn enrolment still showing its refund."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from bidding.models import DepositAccount, Enrolment, RefundDue
from bidding.selectors.deposits import deposit_bid_blocker, deposit_status
from bidding.services.deposits import deposit_account_open
from tests.conftest import ControlledClock
from tests.deposits import bank_pay, enrol
from tests.refund_support import tick, withdraw
from tests.tenders import World, closes, first_lot, make_tender, make_world
from trading.models import Lot, Tender, User

pytestmark = [pytest.mark.django_db]

OTHER = "6222020000000000999"


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world(business_type="engineering")


def _lot(world: World, form: str, amount: Decimal | None = None) -> Lot:
    lot = first_lot(make_tender(world, opens_in=timedelta(days=1), closes_in=timedelta(days=21)))
    Tender.objects.filter(pk=lot.tender_id).update(deposit_form=form)
    if amount is not None:
        Lot.objects.filter(pk=lot.pk).update(deposit_amount=amount)
    return Lot.objects.get(pk=lot.pk)


def _page(user: User, enrolment: Enrolment) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("enrolment_deposit", args=[enrolment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _apply(user: User, enrolment: Enrolment) -> str:
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("enrolment_guarantee_apply", args=[enrolment.pk]), {"kind": "bank"}, follow=True
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_tender_taking_either_shows_the_sub_account_and_the_guarantee_route_on_one_page(
    world: World,
) -> None:
    enrolment = enrol(_lot(world, "either"), world.bidders[0], world.bidder_users[0])
    page = _page(world.bidder_users[0], enrolment)
    account = DepositAccount.objects.get(enrolment=enrolment)
    assert account.number in page and "演示银行转账" in page
    assert "申请保函</button>" in page and "登记并核验" in page
    assert "未足额到账" in page


def test_a_guarantee_only_tender_is_paid_by_a_verified_guarantee_covering_the_amount(
    world: World, clock: ControlledClock
) -> None:
    lot = _lot(world, "guarantee")
    enrolment = enrol(lot, world.bidders[0], world.bidder_users[0])
    assert deposit_status(enrolment, clock.now).state == "short"  # no longer "not required"
    page = _page(world.bidder_users[0], enrolment)
    # No cash is taken: no sub-account is opened, the guarantee route is offered.
    assert not DepositAccount.objects.filter(enrolment=enrolment).exists()
    assert "本标段以保函缴纳保证金" in page and "申请保函</button>" in page

    page = _apply(world.bidder_users[0], enrolment)
    status = deposit_status(enrolment, clock.now)
    assert status.state == "paid" and status.guarantee is not None
    assert f"已以经核验的保函 {status.guarantee.number} 缴纳" in page
    clock.set(closes(lot) + timedelta(minutes=1))
    assert deposit_bid_blocker(enrolment, clock.now) == ""


def test_without_a_guarantee_a_guarantee_only_bid_is_blocked_after_the_deadline(
    world: World, clock: ControlledClock
) -> None:
    lot = _lot(world, "guarantee")
    enrolment = enrol(lot, world.bidders[0], world.bidder_users[0])
    clock.set(closes(lot) + timedelta(minutes=1))
    assert deposit_status(enrolment, clock.now).state == "late"
    assert "截止时间" in deposit_bid_blocker(enrolment, clock.now)


def test_a_guarantee_only_tender_asking_no_amount_needs_nothing(
    world: World, clock: ControlledClock
) -> None:
    enrolment = enrol(
        _lot(world, "guarantee", Decimal("0.00")), world.bidders[0], world.bidder_users[0]
    )
    assert deposit_status(enrolment, clock.now).state == "not_required"


def test_cash_counts_nothing_on_a_guarantee_only_tender(
    world: World, clock: ControlledClock
) -> None:
    lot = _lot(world, "either")
    enrolment = enrol(lot, world.bidders[0], world.bidder_users[0])
    account = deposit_account_open(enrolment=enrolment, now=clock.now)
    bank_pay(account.number, f"{lot.deposit_amount:.2f}")
    assert deposit_status(enrolment, clock.now).state == "paid"
    Tender.objects.filter(pk=lot.tender_id).update(deposit_form="guarantee")
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    assert deposit_status(enrolment, clock.now).state == "short"


def test_an_invalid_payment_shows_as_invalid_then_returned_on_the_page(
    world: World, clock: ControlledClock
) -> None:
    lot = _lot(world, "cash")
    enrolment = enrol(lot, world.bidders[0], world.bidder_users[0])
    account = deposit_account_open(enrolment=enrolment, now=clock.now)
    bank_pay(account.number, f"{lot.deposit_amount:.2f}", payer=OTHER)
    page = _page(world.bidder_users[0], enrolment)
    assert 'id="deposit-invalid"' in page and "将原路退还" in page
    assert RefundDue.objects.get(enrolment=enrolment).kind == "invalid"

    clock.advance(minutes=1)
    tick(clock)
    page = _page(world.bidder_users[0], enrolment)
    assert 'id="refund-payments"' in page and OTHER in page and "已退还" in page
    assert "已原路退还。请从基本存款账户重新缴纳" in page
    assert RefundDue.objects.get(enrolment=enrolment).paid_at == clock.now


def test_a_withdrawn_enrolment_still_shows_its_refund_but_takes_no_payment(
    world: World, clock: ControlledClock
) -> None:
    lot = _lot(world, "cash")
    enrolment = enrol(lot, world.bidders[0], world.bidder_users[0])
    account = deposit_account_open(enrolment=enrolment, now=clock.now)
    bank_pay(account.number, f"{lot.deposit_amount:.2f}")
    withdraw(enrolment, clock.now)
    tick(clock)

    page = _page(world.bidder_users[0], enrolment)
    assert "撤回投标" in page and "20,000.00" in page and "已退还" in page
    assert "演示银行转账" not in page
    client = Client()
    client.force_login(world.bidder_users[0])
    demo = client.get(reverse("deposit_demo_transfer", args=[enrolment.pk]))
    assert demo.status_code == 404


def test_the_enrolment_page_leads_to_the_deposit_page(world: World) -> None:
    lot = _lot(world, "either")
    enrolment = enrol(lot, world.bidders[0], world.bidder_users[0])
    client = Client()
    client.force_login(world.bidder_users[0])
    page = client.get(reverse("enrolment_lot", args=[lot.pk])).content.decode()
    assert reverse("enrolment_deposit", args=[enrolment.pk]) in page


def test_a_forfeiture_keeps_the_deposit_but_returns_an_invalid_payment(
    world: World, clock: ControlledClock
) -> None:
    """实施条例 第74条 keeps the deposit; money paid from another account (第26条) was never the
    deposit and goes back to where it came from."""
    from bidding.models import BookEntry, LocalBankMovement
    from bidding.services.deposits import deposit_held
    from bidding.services.refunds import forfeiture_record

    lot = _lot(world, "cash")
    enrolment = enrol(lot, world.bidders[0], world.bidder_users[0])
    account = deposit_account_open(enrolment=enrolment, now=clock.now)
    bank_pay(account.number, f"{lot.deposit_amount:.2f}", payer=OTHER)
    bank_pay(account.number, f"{lot.deposit_amount:.2f}")
    forfeiture_record(
        enrolment_id=enrolment.pk,
        reason="中标人书面放弃中标",
        article="招标投标法实施条例 第74条",
        recorded_by=world.owner_user,
        source_event="test",
    )
    assert BookEntry.objects.get(kind="forfeiture").amount == lot.deposit_amount
    clock.advance(minutes=1)
    tick(clock)
    back = LocalBankMovement.objects.get(account_number=account.number, amount__lt=0)
    assert (back.counterparty, -back.amount) == (OTHER, lot.deposit_amount)
    assert deposit_held(account) == 0
    page = _page(world.bidder_users[0], enrolment)
    assert "保证金不予退还" in page and 'id="refund-payments"' in page
