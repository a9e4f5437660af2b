"""`make run` has bidders with vaults and deposits in several states (issue 11, "Done when"): on
the demo's open lots paid, short and a verified guarantee; on the lots past their close paid
before it, one paid first from another account (invalid, returned at the next tick, 实施条例
第26条), refunds the chronograph pays as the lots' histories release them, and 定金."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bidding.demo import demo_vault_seed
from bidding.domain import books
from bidding.models import BookEntry, Enrolment, RefundDue
from bidding.models.deposits import RefundStatus
from bidding.selectors.deposits import deposit_status
from bidding.services.demo_deposits import deposit_demo_seed
from tests.conftest import ControlledClock
from trading.chronograph import chronograph_tick
from trading.models import User
from trading.services.demo_tenders import demo_tenders_seed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _enrolments(project: str) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(lot__tender__project__name__contains=project).order_by(
            "lead_id", "pk"
        )
    )


def test_the_demo_bidders_have_deposits_in_several_states(
    demo: dict[str, int], clock: ControlledClock, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_tenders_seed()
    demo_vault_seed(tenders=True)
    counts = deposit_demo_seed(tenders=True)
    assert counts["deposits"] >= 8
    assert deposit_demo_seed(tenders=True) == {"deposits": 0}  # seeded once
    for _ in range(3):
        chronograph_tick(clock=clock)

    now = clock.now
    states: dict[str, int] = {}
    for enrolment in Enrolment.objects.all():
        state = deposit_status(enrolment, now)
        key = "guarantee" if state.guarantee is not None else state.state
        states[key] = states.get(key, 0) + 1
    assert states.get("paid", 0) >= 3
    assert states.get("short", 0) >= 1
    assert states.get("guarantee", 0) >= 1

    # Engineering: the payment from another account went back at once; the bidder paid again.
    invalid = RefundDue.objects.filter(kind="invalid").first()
    assert invalid is not None
    assert not RefundDue.objects.filter(kind="invalid", paid_at__isnull=True).exists()
    assert deposit_status(invalid.enrolment, now).state == "paid"
    # Procurement, letter out: the losers' money is back at their accounts (87号令 第38条).
    refunded = Enrolment.objects.filter(
        deposit_account__refunds__status=RefundStatus.PAID, deposit_account__transfers__valid=True
    ).distinct()
    assert refunded.exclude(pk=invalid.enrolment_id).exists()

    # A sale's buyer's deposit became 定金; a failed engineering lot's cash went back with its
    # bank interest (实施条例 第57条).
    kinds = set(BookEntry.objects.values_list("kind", flat=True))
    assert {"payment", "refund_paid", "earnest", "interest"} <= kinds
    totals = books.balances(
        books.Posting(e.debit, e.credit, e.amount) for e in BookEntry.objects.all()
    )
    assert sum(totals.values()) == 0

    # bidder1 reads one of its deposits on its page.
    bidder = User.objects.get(username="bidder1")
    mine = Enrolment.objects.filter(lead=bidder.organisation).first()
    assert mine is not None
    client = Client()
    client.force_login(bidder)
    response = client.get(reverse("enrolment_deposit", args=[mine.pk]))
    assert response.status_code == 200 and "投标保证金" in response.content.decode()
