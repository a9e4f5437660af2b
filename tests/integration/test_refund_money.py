"""Refunds paid with money, on PostgreSQL with a controlled clock: the chronograph pays a due refund
back to the bidder's account at the (local) bank, with an engineering deposit's bank interest from
the platform's interest account (实施条例 第57条); forfeitures and 定金 posted in the books; an
invalid payment returned at once (第26条); the books balance and a second tick pays nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from bidding.adapters.bank import LocalBank
from bidding.domain import books
from bidding.domain.refunds import deposit_interest
from bidding.models import BookEntry, DepositAccount, LocalBankMovement, RefundDue
from bidding.models.deposits import EntryKind
from bidding.selectors.deposits import deposit_status
from bidding.services.deposits import deposit_account_open, deposit_held
from tests.concurrency import in_threads
from tests.conftest import ControlledClock
from tests.deposits import BASIC_ACCOUNT, bank_pay, enrol
from tests.refund_support import letter_published, tick
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
from trading.clock import get_clock
from trading.domain.timeline import local_date
from trading.models import Lot
from trading.services.awards import award_confirm, contract_record
from trading.services.endings import award_decline
from trading.services.lots import lot_terminate

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

OTHER = "6222020000000000999"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _paid_lot(world: World, clock: ControlledClock, *, payer: str = BASIC_ACCOUNT) -> tuple:
    lot = first_lot(make_tender(world, opens_in=timedelta(days=1), closes_in=timedelta(days=21)))
    people = zip(world.bidders, world.bidder_users, strict=True)
    enrolments = [enrol(lot, org, user) for org, user in people]
    for enrolment in enrolments:
        account = deposit_account_open(enrolment=enrolment, now=clock.now)
        bank_pay(account.number, f"{lot.deposit_amount:.2f}", payer=payer)
    return lot, enrolments


def _evaluated_and_awarded(world: World, clock: ControlledClock, lot: Lot) -> Lot:
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot = record_outcome(world, lot)
    if lot.publicity_ends_at is not None:
        clock.set(publicity_end(lot) + timedelta(minutes=1))
    candidate = lot.candidates.filter(superseded_at__isnull=True).order_by("rank").first()
    assert candidate is not None
    award_confirm(lot=lot, candidate=candidate, actor=world.owner_user)
    return lot


def _books_balance() -> dict[str, Decimal]:
    totals = books.balances(
        books.Posting(e.debit, e.credit, e.amount) for e in BookEntry.objects.all()
    )
    assert sum(totals.values(), Decimal(0)) == 0
    return totals


def _bank_statement(number: str) -> Decimal:
    return LocalBank().statement(account_number=number, as_of=get_clock()())


def test_after_the_contract_the_chronograph_pays_every_engineering_deposit_back_with_interest(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    lot, enrolments = _paid_lot(world, clock)
    paid_at = clock.now
    lot = _evaluated_and_awarded(world, clock, lot)
    letter_published(lot, clock.now)
    tick(clock)
    assert not RefundDue.objects.exists()  # engineering refunds run from the contract (第57条)

    contract_record(
        lot=lot,
        signed_on=local_date(clock.now),
        amount=lot.awards.get(declined_at__isnull=True).price,
        file=pdf_file("contract.pdf"),
        actor=world.owner_user,
    )
    chronograph_tick(clock=clock)
    movements = LocalBankMovement.objects.count()
    entries = BookEntry.objects.count()

    interest = deposit_interest(
        principal=lot.deposit_amount,
        received_at=paid_at,
        refunded_at=clock.now,
        annual_rate=Decimal(str(django_settings.DEPOSIT_INTEREST_RATE)),
    )
    assert interest > 0
    for enrolment in enrolments:
        refund = RefundDue.objects.get(enrolment=enrolment)
        assert refund.paid_at == clock.now and refund.interest == interest
        account = DepositAccount.objects.get(enrolment=enrolment)
        # The money left the sub-account at the bank, back to the basic account it came from.
        assert _bank_statement(account.number) == 0
        assert deposit_held(account) == 0
        back = LocalBankMovement.objects.get(
            account_number=account.number, counterparty=BASIC_ACCOUNT, amount__lt=0
        )
        assert -back.amount == lot.deposit_amount
        assert (
            LocalBankMovement.objects.get(
                key=f"{refund.idempotency_key}:interest",
                account_number=django_settings.BANK_INTEREST_ACCOUNT,
                counterparty=BASIC_ACCOUNT,
            ).amount
            == -interest
        )
    totals = _books_balance()
    assert totals[books.INTEREST_PAID] == interest * len(enrolments)
    # The interest came from the platform's interest account: the books' clearing account is
    # what the bank holds of the sub-accounts, less the interest paid out.
    assert totals[books.CLEARING] == -interest * len(enrolments)

    tick(clock)
    assert LocalBankMovement.objects.count() == movements
    assert BookEntry.objects.count() == entries

    client = Client()
    client.force_login(world.bidder_users[0])
    page = client.get(reverse("enrolment_deposit", args=[enrolments[0].pk])).content.decode()
    assert f"{interest:,.2f}" in page and "银行同期存款利息" in page
    assert f"{lot.deposit_amount:,.2f}" in page and "已退还" in page


def test_a_winner_who_declines_forfeits_the_cash_it_paid(clock: ControlledClock) -> None:
    """实施条例 第74条: the cash is posted to the forfeited account and stays at the bank."""
    world = make_world(business_type="engineering")
    lot, enrolments = _paid_lot(world, clock)
    lot = _evaluated_and_awarded(world, clock, lot)
    letter_published(lot, clock.now)
    tick(clock)
    award_decline(
        lot=lot, reason="中标人书面放弃中标", then="next", actor=world.owner_user, clock=clock
    )
    tick(clock)

    account = DepositAccount.objects.get(enrolment=enrolments[0])
    assert deposit_held(account) == 0
    kept = BookEntry.objects.get(kind=EntryKind.FORFEITURE)
    assert (kept.account, kept.amount) == (account, lot.deposit_amount)
    assert _bank_statement(account.number) == lot.deposit_amount
    assert _books_balance()[books.FORFEITED] == -lot.deposit_amount
    tick(clock)
    assert BookEntry.objects.filter(kind=EntryKind.FORFEITURE).count() == 1


def test_a_land_buyers_deposit_becomes_earnest_and_the_others_are_paid_back(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="land")
    lot = first_lot(make_tender(world))
    people = zip(world.bidders, world.bidder_users, strict=True)
    enrolments = [enrol(lot, org, user) for org, user in people]
    for enrolment in enrolments:
        account = deposit_account_open(enrolment=enrolment, now=clock.now)
        bank_pay(account.number, f"{lot.deposit_amount:.2f}")
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    record_outcome(world, lot)
    tick(clock)

    buyer = DepositAccount.objects.get(enrolment=enrolments[0])
    earnest = BookEntry.objects.get(kind=EntryKind.EARNEST)
    assert (earnest.account, earnest.amount) == (buyer, lot.deposit_amount)
    assert earnest.credit == books.earnest_account(enrolments[0].pk)
    for enrolment in enrolments[1:]:
        account = DepositAccount.objects.get(enrolment=enrolment)
        assert _bank_statement(account.number) == 0
    _books_balance()
    tick(clock)
    assert BookEntry.objects.filter(kind=EntryKind.EARNEST).count() == 1


def test_an_invalid_payment_goes_back_at_the_next_tick_and_the_valid_one_at_the_end(
    clock: ControlledClock,
) -> None:
    """实施条例 第26条: the bidder was told the money "will be returned"; it is, at once."""
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world, opens_in=timedelta(days=1), closes_in=timedelta(days=21)))
    enrolment = enrol(lot, world.bidders[0], world.bidder_users[0])
    account = deposit_account_open(enrolment=enrolment, now=clock.now)
    bank_pay(account.number, f"{lot.deposit_amount:.2f}", payer=OTHER)
    assert deposit_status(enrolment, clock.now).state == "invalid"
    refund = RefundDue.objects.get(enrolment=enrolment)
    assert (refund.kind, refund.payable_at) == ("invalid", clock.now)

    clock.advance(minutes=1)
    tick(clock)
    assert RefundDue.objects.get(pk=refund.pk).paid_at == clock.now
    back = LocalBankMovement.objects.get(account_number=account.number, amount__lt=0)
    assert (back.counterparty, -back.amount) == (OTHER, lot.deposit_amount)
    assert deposit_held(account) == 0

    bank_pay(account.number, f"{lot.deposit_amount:.2f}")
    assert deposit_status(enrolment, clock.now).state == "paid"
    lot_terminate(lot=lot, reason="项目取消", actor=world.owner_user)
    tick(clock)
    ended = RefundDue.objects.get(enrolment=enrolment, transfer__isnull=True)
    assert ended.paid_at is not None
    paid_back = LocalBankMovement.objects.filter(account_number=account.number, amount__lt=0)
    assert sorted((m.counterparty, -m.amount) for m in paid_back) == sorted(
        [(OTHER, lot.deposit_amount), (BASIC_ACCOUNT, lot.deposit_amount)]
    )
    assert _bank_statement(account.number) == 0
    _books_balance()


def test_concurrent_ticks_pay_each_deposit_back_once_at_the_bank(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot, enrolments = _paid_lot(world, clock)
    lot_terminate(lot=lot, reason="项目取消", actor=world.owner_user)
    with due_work_override(OUTBOX):
        chronograph_tick(clock=clock)  # delivers the events only: the refunds are scheduled
    assert RefundDue.objects.filter(paid_at__isnull=True).count() == len(enrolments)

    in_threads(4, lambda: chronograph_tick(clock=clock))

    assert not RefundDue.objects.filter(paid_at__isnull=True).exists()
    for enrolment in enrolments:
        account = DepositAccount.objects.get(enrolment=enrolment)
        out = LocalBankMovement.objects.filter(account_number=account.number, amount__lt=0)
        assert [-m.amount for m in out] == [lot.deposit_amount]
        assert _bank_statement(account.number) == 0
    _books_balance()
