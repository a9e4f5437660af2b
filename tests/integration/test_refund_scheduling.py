"""Deposit refunds scheduled from the lot's lifecycle and paid by the chronograph, on PostgreSQL,
with a controlled clock across the New Year holiday (元旦 2027-01-01; 87号令 第38条 counts
working days), and forfeitures that stop a refund (实施条例 第35、74条)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bidding.models import Forfeiture, Guarantee, RefundDue
from bidding.services.guarantees import guarantee_apply
from tests.concurrency import in_threads
from tests.conftest import ControlledClock
from tests.refund_support import BankDownOncePayer, enrol, letter_published, tick, withdraw
from tests.tenders import (
    World,
    closes,
    first_lot,
    make_tender,
    make_world,
    pdf_file,
    publicity_end,
    record_outcome,
)
from trading.chronograph import OUTBOX, chronograph_tick, due_work_override
from trading.domain.timeline import local_date
from trading.models import EventDelivery, LedgerEntry, Lot, Tender
from trading.services.awards import award_confirm, contract_record
from trading.services.endings import award_decline
from trading.services.lots import lot_terminate

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+08:00")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _lot_with_bidders(world: World, clock: ControlledClock, **tender: Any) -> tuple[Lot, list]:
    lot = first_lot(
        make_tender(world, opens_in=timedelta(days=1), closes_in=timedelta(days=21), **tender)
    )
    enrolments = [
        enrol(lot, org, user, n + 1)
        for n, (org, user) in enumerate(zip(world.bidders, world.bidder_users, strict=True))
    ]
    return lot, enrolments


def _evaluated(world: World, clock: ControlledClock, lot: Lot) -> Lot:
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot = record_outcome(world, lot)
    if lot.publicity_ends_at is not None:
        clock.set(publicity_end(lot) + timedelta(minutes=1))
    return lot


def _award(world: World, lot: Lot) -> None:
    candidate = lot.candidates.filter(superseded_at__isnull=True).order_by("rank").first()
    assert candidate is not None
    award_confirm(lot=lot, candidate=candidate, actor=world.owner_user)


def _contract(world: World, clock: ControlledClock, lot: Lot) -> None:
    contract_record(
        lot=lot,
        signed_on=local_date(clock.now),
        amount=lot.awards.get(declined_at__isnull=True).price,
        file=pdf_file("contract.pdf"),
        actor=world.owner_user,
    )


def test_procurement_losers_are_refunded_after_the_letter_within_five_working_days_over_new_year(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="procurement")
    lot, (winner, *losers) = _lot_with_bidders(world, clock)
    lot = _evaluated(world, clock, lot)
    _award(world, lot)
    tick(clock)
    assert not RefundDue.objects.exists()  # the award alone releases no procurement refund

    clock.set(at("2026-12-31T10:00"))
    letter_published(lot, clock.now)
    tick(clock)

    refunds = RefundDue.objects.order_by("enrolment_id")
    # 1 Jan is a holiday, 2–3 Jan a weekend: 4, 5, 6, 7, 8 Jan are the five working days.
    assert [(r.enrolment_id, r.kind, r.due_at) for r in refunds] == [
        (loser.pk, "loser", at("2027-01-09T00:00")) for loser in losers
    ]
    assert all(r.paid_at == clock.now and r.payment_reference for r in refunds)
    assert all(r.article == "财政部令第87号 第38条" and r.late_fee == 0 for r in refunds)
    # Delivered again, paid again: nothing new.
    letter_published(lot, clock.now)
    tick(clock)
    assert RefundDue.objects.count() == 2
    assert LedgerEntry.objects.filter(action="deposit.refund_paid").count() == 2

    clock.set(at("2027-01-05T15:00"))
    _contract(world, clock, lot)
    tick(clock)
    refund = RefundDue.objects.get(enrolment=winner)
    assert (refund.kind, refund.due_at, refund.paid_at) == (
        "winner",
        at("2027-01-13T00:00"),
        clock.now,
    )


def test_a_refund_paid_after_its_due_day_records_the_late_fee(
    clock: ControlledClock, settings: Any
) -> None:
    """87号令 第38条: the loan benchmark rate plus 20% for each day late."""
    settings.LOAN_BENCHMARK_RATE = "0.0435"
    world = make_world(business_type="procurement")
    lot, (_winner, *losers) = _lot_with_bidders(world, clock)
    lot = _evaluated(world, clock, lot)
    _award(world, lot)
    tick(clock)
    clock.set(at("2026-12-31T10:00"))
    letter_published(lot, clock.now)

    # The chronograph was down until 12 Jan: four days past the last day (8 Jan).
    clock.set(at("2027-01-12T10:00"))
    tick(clock)

    fees = {r.enrolment_id: r.late_fee for r in RefundDue.objects.all()}
    # 20000 × 4.35% × 1.2 × 4 / 360
    assert fees == {loser.pk: Decimal("11.60") for loser in losers}


def test_engineering_refunds_wait_for_the_contract_and_carry_bank_interest(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    lot, enrolments = _lot_with_bidders(world, clock)
    lot = _evaluated(world, clock, lot)
    _award(world, lot)
    letter_published(lot, clock.now)
    tick(clock)
    assert not RefundDue.objects.exists()

    _contract(world, clock, lot)
    tick(clock)

    refunds = {r.enrolment_id: r for r in RefundDue.objects.all()}
    assert set(refunds) == {e.pk for e in enrolments}
    assert {r.article for r in refunds.values()} == {"招标投标法实施条例 第57条"}
    assert all(r.with_interest and r.paid_at == clock.now for r in refunds.values())
    assert refunds[enrolments[0].pk].kind == "winner"


def test_a_winner_who_declines_forfeits_its_deposit_and_its_guarantee_is_claimed(
    clock: ControlledClock,
) -> None:
    """实施条例 第74条: no refund for the winner who declines; the next candidate is awarded."""
    world = make_world(business_type="engineering")
    lot, enrolments = _lot_with_bidders(world, clock)
    guarantee = guarantee_apply(enrolment=enrolments[0], kind="bank", actor=world.bidder_users[0])
    assert guarantee.state == "verified"
    lot = _evaluated(world, clock, lot)
    _award(world, lot)
    letter_published(lot, clock.now)
    tick(clock)

    award_decline(
        lot=lot, reason="中标人书面放弃中标", then="next", actor=world.owner_user, clock=clock
    )
    tick(clock)

    forfeiture = Forfeiture.objects.get()
    assert forfeiture.enrolment == enrolments[0]
    assert forfeiture.article == "招标投标法实施条例 第74条"
    assert forfeiture.reason == "中标人书面放弃中标"
    assert forfeiture.recorded_by == world.owner_user
    assert Guarantee.objects.get(pk=guarantee.pk).state == "claimed"
    # The event delivered again records nothing twice.
    EventDelivery.objects.filter(receiver="bidding.forfeiture_on_decline").update(status="pending")
    tick(clock)
    assert Forfeiture.objects.count() == 1
    letter_published(lot, clock.now)
    tick(clock)
    _contract(world, clock, lot)
    tick(clock)
    assert not RefundDue.objects.filter(enrolment=enrolments[0]).exists()
    assert RefundDue.objects.get(enrolment=enrolments[1]).kind == "winner"
    assert Forfeiture.objects.count() == 1


def test_a_withdrawal_before_the_deadline_is_refunded_within_five_days(
    clock: ControlledClock,
) -> None:
    """实施条例 第35条: 5 日 after the withdrawal; Saturday 5 Dec moves to Monday 7 Dec."""
    world = make_world(business_type="engineering")
    _lot, enrolments = _lot_with_bidders(world, clock)
    withdraw(enrolments[2], clock.now)
    tick(clock)
    withdraw(enrolments[2], clock.now)  # delivered twice
    tick(clock)

    refund = RefundDue.objects.get()
    assert (refund.enrolment_id, refund.kind, refund.due_at, refund.paid_at) == (
        enrolments[2].pk,
        "withdrawn",
        at("2026-12-08T00:00"),
        clock.now,
    )
    assert refund.article == "招标投标法实施条例 第35条"


def test_a_bid_revoked_after_the_deadline_keeps_its_deposit(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot, enrolments = _lot_with_bidders(world, clock)
    clock.set(closes(lot) + timedelta(hours=1))
    withdraw(enrolments[1], clock.now)
    tick(clock)

    assert not RefundDue.objects.exists()
    assert Forfeiture.objects.get().article == "招标投标法实施条例 第35条"


def test_a_terminated_lot_refunds_everyone_at_once(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot, enrolments = _lot_with_bidders(world, clock)
    lot_terminate(lot=lot, reason="项目取消", actor=world.owner_user)
    tick(clock)

    refunds = RefundDue.objects.all()
    assert {r.enrolment_id for r in refunds} == {e.pk for e in enrolments}
    assert all(r.kind == "ended" and r.paid_at == clock.now for r in refunds)


def test_refund_due_work_run_by_concurrent_ticks_pays_each_refund_once(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    lot, _enrolments = _lot_with_bidders(world, clock)
    lot_terminate(lot=lot, reason="项目取消", actor=world.owner_user)
    with due_work_override(OUTBOX):
        chronograph_tick(clock=clock)  # delivers the events only: three refunds scheduled
    assert RefundDue.objects.filter(paid_at__isnull=True).count() == 3

    in_threads(4, lambda: chronograph_tick(clock=clock))

    assert LedgerEntry.objects.filter(action="deposit.refund_paid").count() == 3
    assert not RefundDue.objects.filter(paid_at__isnull=True).exists()


def test_a_land_sale_refunds_the_losers_when_sold_and_keeps_the_winners_deposit_as_earnest(
    clock: ControlledClock,
) -> None:
    """DOMAIN.md: the winner's deposit becomes 定金; the others are refunded."""
    world = make_world(business_type="land")
    lot = first_lot(make_tender(world))
    enrolments = [
        enrol(lot, org, user, n + 1)
        for n, (org, user) in enumerate(zip(world.bidders, world.bidder_users, strict=True))
    ]
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot = record_outcome(world, lot)
    tick(clock)

    refunds = RefundDue.objects.order_by("enrolment_id")
    assert [(r.enrolment_id, r.kind) for r in refunds] == [(e.pk, "loser") for e in enrolments[1:]]
    assert all(r.paid_at == clock.now for r in refunds)
    if lot.publicity_ends_at is not None:
        clock.set(publicity_end(lot) + timedelta(minutes=1))
    _award(world, lot)
    tick(clock)
    assert not RefundDue.objects.filter(enrolment=enrolments[0]).exists()


def test_a_tender_without_a_deposit_schedules_no_refund(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot, _enrolments = _lot_with_bidders(world, clock)
    Tender.objects.filter(pk=lot.tender_id).update(deposit_form="none")
    lot_terminate(lot=lot, reason="项目取消", actor=world.owner_user)
    tick(clock)
    assert not RefundDue.objects.exists()


def test_a_guarantee_lapses_when_its_validity_ends(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    _lot, enrolments = _lot_with_bidders(world, clock)
    guarantee = guarantee_apply(
        enrolment=enrolments[0], kind="insurance", actor=world.bidder_users[0]
    )
    assert guarantee.valid_until is not None

    clock.set(guarantee.valid_until - timedelta(seconds=1))
    tick(clock)
    assert Guarantee.objects.get(pk=guarantee.pk).state == "verified"
    clock.set(guarantee.valid_until)
    tick(clock)
    assert Guarantee.objects.get(pk=guarantee.pk).state == "expired"


def test_a_refund_the_bank_refused_is_retried_by_the_next_tick_and_paid_once(
    clock: ControlledClock, settings: Any
) -> None:
    settings.REFUND_PAYER = "tests.refund_support.BankDownOncePayer"
    BankDownOncePayer.attempts.clear()
    world = make_world(business_type="engineering")
    lot, enrolments = _lot_with_bidders(world, clock)
    lot_terminate(lot=lot, reason="项目取消", actor=world.owner_user)

    chronograph_tick(clock=clock)
    assert RefundDue.objects.filter(paid_at__isnull=True).count() == 3
    clock.advance(minutes=1)
    tick(clock)

    refunds = RefundDue.objects.all()
    assert {r.payment_reference for r in refunds} == {
        f"BANK-deposit-refund:{e.pk}" for e in enrolments
    }
    assert set(BankDownOncePayer.attempts.values()) == {2}
    assert LedgerEntry.objects.filter(action="deposit.refund_paid").count() == 3
