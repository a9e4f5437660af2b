"""Money arriving and leaving at once is counted once (PostgreSQL row locks and unique indexes)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bidding.adapters.bank import signed_headers, webhook_key
from bidding.domain.bank_messages import CreditNotice, credit_body
from bidding.models import BankTransfer, BookEntry, LocalBankMovement
from bidding.services.deposits import deposit_account_open, deposit_held, deposit_refund_pay
from tests.concurrency import in_threads
from tests.conftest import ControlledClock
from tests.deposits import BASIC_ACCOUNT, bank_pay, enrol
from tests.tenders import first_lot, make_tender, make_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _account(clock: ControlledClock) -> Any:
    world = make_world(business_type="engineering")
    enrolment = enrol(first_lot(make_tender(world)), world.bidders[0], world.bidder_users[0])
    return deposit_account_open(enrolment=enrolment, now=clock.now)


def _body(account: Any, transfer_id: str) -> bytes:
    return credit_body(
        CreditNotice(
            transfer_id=transfer_id,
            account_number=account.number,
            amount=Decimal("20000.00"),
            payer_account=BASIC_ACCOUNT,
            payer_name="付款单位",
            payer_bank="测试银行",
        )
    )


def _post(body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    response = Client().post(
        reverse("bank_notification"), data=body, content_type="application/json", headers=headers
    )
    data = response.json()
    return response.status_code, data.get("result", "") + data.get("error", "")


def test_two_identical_notifications_at_once_credit_once(clock: ControlledClock) -> None:
    account = _account(clock)
    body = _body(account, "T-SAME")
    headers = signed_headers(
        body, key=webhook_key(), timestamp=int(clock.now.timestamp()), nonce="same-nonce-0001"
    )
    answers = in_threads(4, lambda: _post(body, headers))
    assert sorted(answers) == [
        (200, "credited"),
        (409, "refusedreplay"),
        (409, "refusedreplay"),
        (409, "refusedreplay"),
    ]
    assert deposit_held(account) == Decimal("20000.00")
    assert BookEntry.objects.count() == 1


def test_one_transfer_notified_with_several_nonces_at_once_credits_once(
    clock: ControlledClock,
) -> None:
    account = _account(clock)
    body = _body(account, "T-RETRIED")
    counter = iter(range(100))

    def send() -> tuple[int, str]:
        nonce = f"retry-nonce-{next(counter):04d}"
        headers = signed_headers(
            body, key=webhook_key(), timestamp=int(clock.now.timestamp()), nonce=nonce
        )
        return _post(body, headers)

    answers = in_threads(4, send)
    assert sorted(answers) == [
        (200, "credited"),
        (200, "duplicate"),
        (200, "duplicate"),
        (200, "duplicate"),
    ]
    assert BankTransfer.objects.count() == 1
    assert deposit_held(account) == Decimal("20000.00")


def test_different_transfers_at_once_are_all_counted(clock: ControlledClock) -> None:
    account = _account(clock)
    counter = iter(range(100))

    def send() -> tuple[int, str]:
        transfer = f"T-{next(counter):04d}"
        body = _body(account, transfer)
        headers = signed_headers(
            body, key=webhook_key(), timestamp=int(clock.now.timestamp()), nonce=f"n-{transfer}-x"
        )
        return _post(body, headers)

    assert in_threads(4, send) == [(200, "credited")] * 4
    assert deposit_held(account) == Decimal("80000.00")


def test_two_refunds_at_once_pay_once(clock: ControlledClock) -> None:
    account = _account(clock)
    assert bank_pay(account.number, "20000.00").status == 200
    in_threads(3, lambda: deposit_refund_pay(enrolment=account.enrolment, reason="未中标"))
    assert LocalBankMovement.objects.filter(amount__lt=0).count() == 1
    assert deposit_held(account) == 0


def test_two_first_visits_at_once_open_one_sub_account(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    enrolment = enrol(first_lot(make_tender(world)), world.bidders[0], world.bidder_users[0])
    numbers = in_threads(4, lambda: deposit_account_open(enrolment=enrolment, now=clock.now).number)
    assert len(set(numbers)) == 1
