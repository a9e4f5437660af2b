"""What any bank adapter must do (bidding.adapters.bank.Bank); each implementation runs it all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from bidding.adapters.bank import Bank, LocalBank, bank_get
from bidding.domain.bank_messages import CreditNotice
from tests.conftest import ControlledClock

ACCOUNT = "62270001000000004271"
PAYER = "6217000012345678"


def _local_fund(bank: Any, amount: Decimal, now: Any) -> None:
    bank.transfer_in(
        CreditNotice("T-CONTRACT", ACCOUNT, amount, PAYER, "付款单位", "测试银行"), now=now
    )


# (implementation, how the test puts money into a sub-account at that bank)
IMPLEMENTATIONS: list[tuple[type, Callable[[Any, Decimal, Any], None]]] = [
    (LocalBank, _local_fund),
]


@pytest.fixture(params=IMPLEMENTATIONS, ids=lambda impl: impl[0].__name__)
def bank(request: pytest.FixtureRequest, clock: ControlledClock) -> tuple[Bank, Any]:
    implementation, fund = request.param
    instance = implementation()
    fund(instance, Decimal("500.00"), clock.now)
    return instance, fund


def test_a_refund_key_pays_once_however_often_it_is_asked(
    bank: tuple[Bank, Any], clock: ControlledClock
) -> None:
    instance, _fund = bank
    arguments: dict[str, Any] = {
        "key": "refund-1",
        "from_account": ACCOUNT,
        "to_account": PAYER,
        "amount": Decimal("500.00"),
        "now": clock.now,
    }
    first = instance.refund(**arguments)
    again = instance.refund(**arguments)
    assert first.moved_now and not again.moved_now
    assert first.reference == again.reference
    assert instance.statement(account_number=ACCOUNT, as_of=clock.now) == Decimal("0.00")


def test_a_statement_shows_the_balance_as_of_its_moment(
    bank: tuple[Bank, Any], clock: ControlledClock
) -> None:
    instance, _fund = bank
    before = clock.now - timedelta(seconds=1)
    assert instance.statement(account_number=ACCOUNT, as_of=before) == Decimal("0.00")
    assert instance.statement(account_number=ACCOUNT, as_of=clock.now) == Decimal("500.00")
    assert instance.statement(account_number="62270001999", as_of=clock.now) == Decimal("0.00")


def test_the_setting_chooses_the_bank() -> None:
    assert isinstance(bank_get(), LocalBank)
    with override_settings(BANK_ADAPTER="tests.functional.test_bank_contract.OtherBank"):
        assert type(bank_get()).__name__ == "OtherBank"


class OtherBank(LocalBank):
    """Stands for another implementation the setting may name."""
