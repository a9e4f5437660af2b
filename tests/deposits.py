"""Deposit test helpers: enrolments made directly (enrolment pages are another part's), and the
bank's signed notifications as a bank would send them."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse

from bidding.adapters.bank import signed_headers, webhook_key
from bidding.domain.bank_messages import CreditNotice, credit_body
from bidding.models import Enrolment, EnrolmentMember, OrganisationProfile
from trading.clock import get_clock
from trading.models import Lot, Organisation, User

BASIC_ACCOUNT = "6217000012345678"


def enrol(
    lot: Lot, organisation: Organisation, user: User, *, basic: str = BASIC_ACCOUNT
) -> Enrolment:
    """`organisation` enrolled alone in `lot`, with its basic account on its profile."""
    OrganisationProfile.objects.update_or_create(
        organisation=organisation, defaults={"basic_account_number": basic}
    )
    number = f"B{Enrolment.objects.filter(lot=lot).count() + 1:03d}"
    enrolment = Enrolment.objects.create(
        lot=lot,
        lead=organisation,
        bidder_number=number,
        enrolled_at=get_clock()(),
        enrolled_by=user,
    )
    EnrolmentMember.objects.create(
        enrolment=enrolment, lot=lot, organisation=organisation, is_lead=True
    )
    return enrolment


def notify(
    client: Client,
    *,
    account_number: str,
    amount: str | Decimal,
    payer: str = BASIC_ACCOUNT,
    transfer_id: str | None = None,
    nonce: str | None = None,
    key: bytes | None = None,
    body: bytes | None = None,
    timestamp: int | None = None,
) -> Any:
    """POST a signed credit notification to the webhook, as the bank does."""
    if body is None:
        notice = CreditNotice(
            transfer_id=transfer_id or f"T{secrets.token_hex(6)}",
            account_number=account_number,
            amount=Decimal("1"),
            payer_account=payer,
            payer_name="付款单位",
            payer_bank="测试银行",
        )
        body = credit_body(notice).replace(b'"1.00"', f'"{amount}"'.encode())
    headers = signed_headers(
        body,
        key=key or webhook_key(),
        timestamp=timestamp if timestamp is not None else int(get_clock()().timestamp()),
        nonce=nonce or secrets.token_hex(12),
    )
    return client.post(
        reverse("bank_notification"), data=body, content_type="application/json", headers=headers
    )


def bank_pay(account_number: str, amount: str, *, payer: str = BASIC_ACCOUNT) -> Any:
    """A transfer through the local bank: its own books move, then it notifies the platform."""
    from bidding.adapters.bank import LocalBank

    return LocalBank().transfer_in(
        CreditNotice(
            transfer_id=f"T{secrets.token_hex(6)}",
            account_number=account_number,
            amount=Decimal(amount),
            payer_account=payer,
            payer_name="付款单位",
            payer_bank="测试银行",
        ),
        now=get_clock()(),
    )


def matrix_enrolment(world: Any) -> Enrolment:
    """The matrix's first bidder enrolled in its published lot (made once, kept for every cell)."""
    lot = world.lots["published"]
    bidder = world.people.bidders[0]
    existing = Enrolment.objects.filter(lot=lot, lead=bidder).first()
    return existing or enrol(lot, bidder, world.people.bidder_users[0])
