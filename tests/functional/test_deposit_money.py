"""Deposits through their URLs: the bank's webhook, the bidder's page, the demo bank, refunds,
forfeiture, the reconciliation and the collusion signal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse

from bidding.adapters.bank import LocalBank, RefundReceipt
from bidding.domain import books
from bidding.domain.bank_messages import sub_account_number
from bidding.models import BankTransfer, BookEntry, DepositAccount, Discrepancy, LocalBankMovement
from bidding.selectors.deposits import deposit_bid_blocker, deposit_shared_payers, deposit_status
from bidding.services.deposits import (
    deposit_account_open,
    deposit_convert_to_earnest,
    deposit_forfeit,
    deposit_held,
    deposit_refund_pay,
)
from bidding.services.reconciliation import RECONCILIATION
from tests.conftest import ControlledClock
from tests.deposits import BASIC_ACCOUNT, bank_pay, enrol, notify
from tests.tenders import World, closes, first_lot, make_tender, make_world
from trading.chronograph import chronograph_tick, due_work_override
from trading.models import Notification


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world(business_type="engineering")


@pytest.fixture
def enrolment(world: World) -> Any:
    lot = first_lot(make_tender(world))
    return enrol(lot, world.bidders[0], world.bidder_users[0])


def _account(enrolment: Any, clock: ControlledClock) -> DepositAccount:
    return deposit_account_open(enrolment=enrolment, now=clock.now)


def _books_balance() -> None:
    totals = books.balances(
        books.Posting(e.debit, e.credit, e.amount) for e in BookEntry.objects.all()
    )
    assert sum(totals.values(), Decimal(0)) == 0


def test_the_bidder_sees_its_sub_account_the_amount_due_and_the_deadline(
    enrolment: Any, world: World, clock: ControlledClock
) -> None:
    client = Client()
    client.force_login(world.bidder_users[0])
    response = client.get(reverse("enrolment_deposit", args=[enrolment.pk]))
    assert response.status_code == 200
    account = DepositAccount.objects.get(enrolment=enrolment)
    text = response.content.decode()
    assert account.number in text
    assert "20,000.00" in text
    assert closes(enrolment.lot).astimezone().strftime("%Y-%m-%d") in text
    # Nobody else learns the enrolment exists (招标投标法 第22条).
    other = Client()
    other.force_login(world.bidder_users[1])
    assert other.get(reverse("enrolment_deposit", args=[enrolment.pk])).status_code == 404


def test_a_signed_notification_credits_the_sub_account_once(
    enrolment: Any, clock: ControlledClock
) -> None:
    account = _account(enrolment, clock)
    client = Client()
    first = notify(client, account_number=account.number, amount="20000.00", transfer_id="T1")
    assert first.status_code == 200 and first.json()["result"] == "credited"
    # The bank retries the same transfer with a new nonce: acknowledged, not counted again.
    again = notify(client, account_number=account.number, amount="20000.00", transfer_id="T1")
    assert again.status_code == 200 and again.json()["result"] == "duplicate"
    assert deposit_held(account) == Decimal("20000.00")
    assert deposit_status(enrolment, clock.now).state == "paid"
    _books_balance()


def test_a_replayed_notification_is_refused_and_changes_nothing(
    enrolment: Any, clock: ControlledClock
) -> None:
    account = _account(enrolment, clock)
    client = Client()
    kwargs: dict[str, Any] = {
        "account_number": account.number,
        "amount": "100.00",
        "nonce": "replayed-nonce-1",
    }
    assert notify(client, transfer_id="T9", **kwargs).status_code == 200
    replay = notify(client, transfer_id="T9", **kwargs)
    assert replay.status_code == 409 and replay.json()["error"] == "replay"
    assert deposit_held(account) == Decimal("100.00")


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"key": b"not-the-bank"}, 403, "bad_signature"),
        ({"timestamp": 0}, 403, "stale"),
        ({"amount": "100.005"}, 400, "bad_amount"),
        ({"amount": "-100.00"}, 400, "bad_amount"),
        ({"amount": "一百元"}, 400, "bad_amount"),
        ({"account_number": "622700019999999999"}, 400, "unknown_account"),
        # Well formed, check digit right, but no sub-account has it.
        ({"account_number": sub_account_number("62270001", 12345)}, 400, "unknown_account"),
        ({"body": b"{not json"}, 400, "bad_body"),
    ],
)
def test_a_bad_notification_gets_a_clear_refusal_and_moves_no_money(
    enrolment: Any, clock: ControlledClock, change: dict, status: int, error: str
) -> None:
    account = _account(enrolment, clock)
    arguments = {"account_number": account.number, "amount": "100.00"} | change
    response = notify(Client(), **arguments)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["message"]
    assert not BankTransfer.objects.exists() and not BookEntry.objects.exists()


def test_a_deposit_not_from_the_basic_account_is_invalid_and_the_bidder_told_at_once(
    enrolment: Any, world: World, clock: ControlledClock
) -> None:
    account = _account(enrolment, clock)
    notify(Client(), account_number=account.number, amount="20000.00", payer="6222000099998888")
    assert deposit_status(enrolment, clock.now).state == "invalid"
    assert "基本存款账户" in deposit_bid_blocker(enrolment, clock.now)
    notification = Notification.objects.get(recipient=world.bidder_users[0], kind="deposit.invalid")
    assert enrolment.lot.code in notification.title
    client = Client()
    client.force_login(world.bidder_users[0])
    page = client.get(reverse("enrolment_deposit", args=[enrolment.pk])).content.decode()
    assert 'id="deposit-invalid"' in page


def test_outside_must_tender_engineering_any_paying_account_counts(clock: ControlledClock) -> None:
    world = make_world(business_type="procurement")
    enrolment = enrol(first_lot(make_tender(world)), world.bidders[0], world.bidder_users[0])
    account = _account(enrolment, clock)
    notify(Client(), account_number=account.number, amount="20000.00", payer="6222000099998888")
    assert deposit_status(enrolment, clock.now).state == "paid"


def test_a_deposit_not_received_by_the_deadline_blocks_the_bid(
    enrolment: Any, clock: ControlledClock
) -> None:
    account = _account(enrolment, clock)
    notify(Client(), account_number=account.number, amount="5000.00")
    assert deposit_status(enrolment, clock.now).state == "short"
    assert deposit_bid_blocker(enrolment, clock.now) == ""
    clock.set(closes(enrolment.lot) + timedelta(minutes=1))
    # Paid in full, but after the deadline: still late.
    notify(Client(), account_number=account.number, amount="15000.00")
    assert deposit_status(enrolment, clock.now).state == "late"
    assert "截止时间前" in deposit_bid_blocker(enrolment, clock.now)


def test_the_demo_bank_transfers_and_the_deposit_is_confirmed(
    enrolment: Any, world: World, clock: ControlledClock
) -> None:
    client = Client()
    client.force_login(world.bidder_users[0])
    url = reverse("deposit_demo_transfer", args=[enrolment.pk])
    assert BASIC_ACCOUNT in client.get(url).content.decode()
    response = client.post(url, {"payer_account": BASIC_ACCOUNT, "amount": "20000.00"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "已足额到账" in page
    assert deposit_status(enrolment, clock.now).state == "paid"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("20000.005", "两位小数"),
        ("-20000", "负数"),
        ("两万", "格式不正确"),
        ("0", "大于零"),
    ],
)
def test_the_demo_bank_refuses_a_bad_amount_and_moves_nothing(
    enrolment: Any, world: World, amount: str, message: str
) -> None:
    client = Client()
    client.force_login(world.bidder_users[0])
    url = reverse("deposit_demo_transfer", args=[enrolment.pk])
    response = client.post(url, {"payer_account": BASIC_ACCOUNT, "amount": amount})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not LocalBankMovement.objects.exists() and not BankTransfer.objects.exists()


class CrashAfterTheBank(LocalBank):
    """The local bank pays, then the platform's process dies before it records the answer."""

    def refund(self, **kwargs: Any) -> RefundReceipt:
        super().refund(**kwargs)
        raise SystemExit("killed after the bank paid")


def test_a_refund_retried_after_a_crash_pays_once(
    enrolment: Any, world: World, clock: ControlledClock
) -> None:
    account = _account(enrolment, clock)
    assert bank_pay(account.number, "20000.00").status == 200
    with pytest.raises(SystemExit):
        deposit_refund_pay(enrolment=enrolment, reason="未中标", bank=CrashAfterTheBank())
    refunds = deposit_refund_pay(enrolment=enrolment, reason="未中标")
    assert [(r.status, r.amount, r.payee_account) for r in refunds] == [
        ("paid", Decimal("20000.00"), BASIC_ACCOUNT)
    ]
    assert LocalBankMovement.objects.filter(amount__lt=0).count() == 1
    assert LocalBank().statement(account_number=account.number, as_of=clock.now) == 0
    assert deposit_held(account) == 0
    # Asked a third time: nothing left, nothing paid.
    assert deposit_refund_pay(enrolment=enrolment, reason="未中标") == []
    assert LocalBankMovement.objects.filter(amount__lt=0).count() == 1
    assert (
        Notification.objects.filter(
            recipient=world.bidder_users[0], kind="deposit.refunded"
        ).count()
        == 1
    )
    _books_balance()


def test_a_forfeited_deposit_is_posted_once_and_cannot_be_refunded(
    enrolment: Any, clock: ControlledClock
) -> None:
    account = _account(enrolment, clock)
    notify(Client(), account_number=account.number, amount="20000.00")
    entry = deposit_forfeit(enrolment=enrolment, reason="中标人放弃中标（实施条例第74条）")
    assert entry is not None and entry.credit == books.FORFEITED
    assert deposit_forfeit(enrolment=enrolment, reason="again") is None
    assert deposit_refund_pay(enrolment=enrolment, reason="误操作") == []
    assert deposit_held(account) == 0
    _books_balance()


def test_a_land_winners_deposit_becomes_earnest_money(clock: ControlledClock) -> None:
    world = make_world(business_type="land")
    enrolment = enrol(first_lot(make_tender(world)), world.bidders[0], world.bidder_users[0])
    account = _account(enrolment, clock)
    notify(Client(), account_number=account.number, amount="20000.00")
    entry = deposit_convert_to_earnest(enrolment=enrolment, reason="竞得人保证金转作定金")
    assert entry is not None and entry.credit == books.earnest_account(enrolment.pk)
    assert deposit_held(account) == 0


def test_the_books_refuse_edits_and_deletions(enrolment: Any, clock: ControlledClock) -> None:
    account = _account(enrolment, clock)
    notify(Client(), account_number=account.number, amount="100.00")
    entry = BookEntry.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        BookEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1000000.00"))
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.delete()
    assert BookEntry.objects.get().amount == Decimal("100.00")


def test_the_daily_reconciliation_raises_a_difference_for_staff_by_bidder_number(
    enrolment: Any, world: World, clock: ControlledClock
) -> None:
    account = _account(enrolment, clock)
    notify(Client(), account_number=account.number, amount="20000.00")  # not in the bank's books
    LocalBankMovement.objects.create(
        key="m1",
        account_number=account.number,
        counterparty=BASIC_ACCOUNT,
        amount=Decimal("19000.00"),
        moved_at=clock.now,
    )
    clock.advance(days=1)
    with due_work_override(RECONCILIATION):
        assert chronograph_tick(clock=clock) == 1
        assert chronograph_tick(clock=clock) == 0  # once a day
    discrepancy = Discrepancy.objects.get()
    assert (discrepancy.book_balance, discrepancy.bank_balance) == (
        Decimal("20000.00"),
        Decimal("19000.00"),
    )
    client = Client()
    client.force_login(world.staff)
    page = client.get(reverse("deposit_discrepancies")).content.decode()
    assert enrolment.bidder_number in page
    assert world.bidders[0].name not in page  # before the opening: the number only


def test_a_shared_paying_account_is_a_signal_revealed_only_after_the_opening(
    world: World, clock: ControlledClock
) -> None:
    lot = first_lot(make_tender(world))
    enrolments = [enrol(lot, world.bidders[i], world.bidder_users[i]) for i in range(2)]
    for enrolment in enrolments:
        account = _account(enrolment, clock)
        notify(Client(), account_number=account.number, amount="20000.00", payer="6222000011112222")
    assert deposit_shared_payers(lot) == []
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    [signal] = deposit_shared_payers(lot)
    assert signal.payer_account == "6222000011112222"
    assert signal.bidder_numbers == [e.bidder_number for e in enrolments]


def test_the_regulator_sees_the_shared_account_on_the_lot_page_only_after_the_opening(
    world: World, clock: ControlledClock
) -> None:
    lot = first_lot(make_tender(world))
    for i in range(2):
        account = _account(enrol(lot, world.bidders[i], world.bidder_users[i]), clock)
        notify(Client(), account_number=account.number, amount="20000.00", payer="6222000011112222")
    client = Client()
    client.force_login(world.regulator)
    url = reverse("supervision_lot", args=[lot.pk])
    assert "6222000011112222" not in client.get(url).content.decode()
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    page = client.get(url).content.decode()
    assert 'id="deposit-signals"' in page and "6222000011112222" in page
    # The sealed chain, now readable, tells the credits in words.
    ledger = client.get(reverse("supervision_tender", args=[lot.tender_id])).content.decode()
    assert "保证金到账" in ledger and "与其他投标人同一付款账户" in ledger


def test_the_demo_puts_deposits_in_each_state(world: World, clock: ControlledClock) -> None:
    from bidding.services.demo_deposits import deposit_demo_states

    lot = first_lot(make_tender(world))
    enrolments = [enrol(lot, world.bidders[i], world.bidder_users[i]) for i in range(3)]
    other = make_world(business_type="engineering")
    enrolments.append(enrol(first_lot(make_tender(other)), other.bidders[0], other.bidder_users[0]))
    plan = list(zip(enrolments, ["paid", "short", "other_account", "refunded"], strict=True))
    states = deposit_demo_states(plan)
    assert list(states.values()) == ["paid", "short", "other_account", "refunded"]
    assert [deposit_status(e, clock.now).state for e in enrolments] == [
        "paid",
        "short",
        "paid",  # paid from another account, then again from the basic account
        "paid",
    ]
    assert deposit_held(enrolments[3].deposit_account) == 0
    assert deposit_demo_states(plan) == {}  # run twice: nothing moves again
    _books_balance()


def test_a_tender_may_set_an_earlier_deposit_deadline_never_a_later_one(
    enrolment: Any, clock: ControlledClock
) -> None:
    from django.core.exceptions import ValidationError

    from bidding.services.deposits import deposit_deadline_set

    lot = enrolment.lot
    with pytest.raises(ValidationError, match="不能晚于投标截止时间"):
        deposit_deadline_set(lot=lot, deadline=closes(lot) + timedelta(days=1))
    earlier = closes(lot) - timedelta(days=3)
    deposit_deadline_set(lot=lot, deadline=earlier)
    account = _account(enrolment, clock)
    clock.set(earlier + timedelta(minutes=1))
    notify(Client(), account_number=account.number, amount="20000.00")
    assert deposit_status(enrolment, clock.now).state == "late"


def test_a_forfeited_deposit_still_at_the_bank_is_no_difference(
    enrolment: Any, clock: ControlledClock
) -> None:
    from bidding.services.reconciliation import deposit_reconcile

    account = _account(enrolment, clock)
    bank_pay(account.number, "20000.00")
    deposit_forfeit(enrolment=enrolment, reason="中标人不按照招标文件签订合同")
    assert deposit_reconcile(account=account, now=clock.now) is None
    other = enrol(enrolment.lot, enrolment.lot.tender.project.owner, enrolment.enrolled_by)
    paid_back = _account(other, clock)
    bank_pay(paid_back.number, "20000.00")
    deposit_refund_pay(enrolment=other, reason="未中标")
    assert deposit_reconcile(account=paid_back, now=clock.now) is None


def test_the_demo_bank_refuses_a_paying_account_that_is_not_an_account_number(
    enrolment: Any, world: World
) -> None:
    client = Client()
    client.force_login(world.bidder_users[0])
    url = reverse("deposit_demo_transfer", args=[enrolment.pk])
    response = client.post(url, {"payer_account": "工商银行", "amount": "20000.00"})
    assert response.status_code == 400
    assert "6 至 40 位数字" in response.content.decode()
    assert not LocalBankMovement.objects.exists()


@pytest.mark.parametrize(
    ("debit", "credit", "amount"),
    [
        ("clearing", "sub:1", Decimal("0.00")),
        ("clearing", "sub:1", Decimal("-1.00")),
        ("sub:1", "sub:1", Decimal("1.00")),
    ],
)
def test_the_database_refuses_a_posting_without_amount_or_between_one_account(
    enrolment: Any, clock: ControlledClock, debit: str, credit: str, amount: Decimal
) -> None:
    from django.db import IntegrityError

    account = _account(enrolment, clock)
    with pytest.raises(IntegrityError), transaction.atomic():
        BookEntry.objects.create(
            debit=debit,
            credit=credit,
            amount=amount,
            kind="payment",
            account=account,
            posted_at=clock.now,
        )


def test_an_organisation_lists_its_own_deposits_only(world: World, clock: ControlledClock) -> None:
    from bidding.selectors.deposits import deposit_list_for_organisation

    lot = first_lot(make_tender(world))
    mine = enrol(lot, world.bidders[0], world.bidder_users[0])
    enrol(lot, world.bidders[1], world.bidder_users[1])
    bank_pay(_account(mine, clock).number, "20000.00")
    deposit_refund_pay(enrolment=mine, reason="撤回投标文件")
    [row] = deposit_list_for_organisation(world.bidders[0].pk, clock.now)
    assert (row.enrolment, row.status.state, row.refunded) == (mine, "paid", Decimal("20000.00"))
