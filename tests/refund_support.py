"""Enrolments for the deposit tests, written directly (bdenrol builds the enrolment services),
and the outbox events other parts emit (the award letter's publication, a withdrawal)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.db import transaction

from bidding.models import Enrolment, EnrolmentMember, RefundDue
from tests.conftest import ControlledClock
from trading.chronograph import chronograph_tick
from trading.events import event_emit
from trading.models import Lot, Organisation, User


def enrol(lot: Lot, organisation: Organisation, user: User, number: int) -> Enrolment:
    """One bidder enrolled alone in the lot, with an anonymous number."""
    enrolment = Enrolment.objects.create(
        lot=lot,
        lead=organisation,
        bidder_number=f"B{number:03d}",
        enrolled_at=lot.opens_at or lot.tender.created_at,
        enrolled_by=user,
    )
    EnrolmentMember.objects.create(
        enrolment=enrolment, lot=lot, organisation=organisation, is_lead=True
    )
    return enrolment


def letter_published(lot: Lot, at: datetime) -> None:
    """What notices emits when the award letter's PDF is published (招标投标法 第45条)."""
    with transaction.atomic():
        event_emit(
            kind="award.letter_published",
            subject=f"lot:{lot.pk}",
            payload={
                "lot": lot.pk,
                "notice": 0,
                "code": "TESTCODE",
                "published_at": at.isoformat(),
            },
            clock=lambda: at,
        )


def withdraw(enrolment: Enrolment, at: datetime) -> None:
    """A withdrawal as the enrolment services will record it, with its event."""
    with transaction.atomic():
        enrolment.withdrawn_at = at
        enrolment.save(update_fields=["withdrawn_at"])
        event_emit(
            kind="enrolment.withdrawn",
            subject=f"lot:{enrolment.lot_id}",
            payload={"lot": enrolment.lot_id, "enrolment": enrolment.pk},
            clock=lambda: at,
        )


def tick(clock: ControlledClock, times: int = 2) -> None:
    """Deliver the events and run the due work (twice: a second tick must change nothing)."""
    for _ in range(times):
        chronograph_tick(clock=clock)


class BankDownOncePayer:
    """A payer (settings.REFUND_PAYER) whose bank refuses each refund once, then pays it."""

    attempts: ClassVar[dict[str, int]] = {}

    def pay(self, refund: RefundDue) -> str:
        key = refund.idempotency_key
        self.attempts[key] = self.attempts.get(key, 0) + 1
        if self.attempts[key] == 1:
            raise ConnectionError("the bank is unreachable")
        return f"BANK-{key}"
