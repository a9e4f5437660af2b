"""Candidates, winners and negotiating parties are chosen among the lot's enrolments (not every
verified bidder on the platform): the consortium by its lead, a withdrawn bidder no longer."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from bidding.services.enrolment import enrolment_withdraw
from tests.conftest import ControlledClock
from tests.enrolments import enrol
from tests.tenders import World, closes, first_lot, make_tender, make_world, pdf_file
from trading.chronograph import chronograph_tick
from trading.models import Candidate, Lot
from trading.services.negotiations import lot_record_negotiation
from trading.services.outcomes import CandidateInput, lot_record_bid_count, lot_record_evaluation

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _evaluating(world: World, clock: ControlledClock) -> Lot:
    """bidders[0] leads a consortium with bidders[2]; bidders[1] enrolled and withdrew."""
    lot = first_lot(make_tender(world))
    enrol(lot, world.bidders[0], members=[world.bidders[2]])
    enrol(lot, world.bidders[1])
    enrolment_withdraw(lot_id=lot.pk, actor=world.bidder_users[1])
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    return lot_record_bid_count(lot=lot, count=3, actor=world.staff)


def _options(html: str, name: str) -> set[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select is not None, name
    return set(re.findall(r'<option value="(\d+)"', select.group(0)))


def test_the_evaluation_form_offers_only_the_lots_enrolled_bidders(
    clock: ControlledClock,
) -> None:
    world = make_world()
    lot = _evaluating(world, clock)
    client = Client()
    client.force_login(world.staff)

    page = client.get(reverse("lot_detail", args=[lot.pk])).content.decode()

    assert _options(page, "organisation_1") == {str(world.bidders[0].pk)}


def test_staff_cannot_name_a_bidder_that_did_not_enrol_or_withdrew(clock: ControlledClock) -> None:
    world = make_world()
    lot = _evaluating(world, clock)
    client = Client()
    client.force_login(world.staff)
    for outsider in (world.bidders[1], world.bidders[2]):
        response = client.post(
            reverse("lot_evaluation", args=[lot.pk]),
            {
                "organisation_1": outsider.pk,
                "price_1": "950000.00",
                "report_file": pdf_file("report.pdf"),
            },
        )
        assert response.status_code == 400
    assert not Candidate.objects.filter(lot=lot).exists()


def test_the_evaluation_service_refuses_a_candidate_not_taking_part(
    clock: ControlledClock,
) -> None:
    world = make_world()
    lot = _evaluating(world, clock)
    with pytest.raises(ValidationError) as refused:
        lot_record_evaluation(
            lot=lot,
            candidates=[
                CandidateInput(organisation=world.bidders[0], price=Decimal("950000.00")),
                CandidateInput(organisation=world.bidders[1], price=Decimal("960000.00")),
            ],
            report_file=pdf_file("report.pdf"),
            actor=world.staff,
        )
    assert "未报名参加本标段" in str(refused.value)
    assert not Candidate.objects.filter(lot=lot).exists()
    # The consortium is named by its lead.
    lot_record_evaluation(
        lot=lot,
        candidates=[CandidateInput(organisation=world.bidders[0], price=Decimal("950000.00"))],
        report_file=pdf_file("report.pdf"),
        actor=world.staff,
    )
    assert Candidate.objects.get(lot=lot).organisation == world.bidders[0]


def test_a_negotiation_names_only_parties_taking_part(clock: ControlledClock) -> None:
    world = make_world(business_type="procurement")
    lot = first_lot(make_tender(world, procedure="negotiation"))
    enrol(lot, world.bidders[0])
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    with pytest.raises(ValidationError) as refused:
        lot_record_negotiation(
            lot=lot,
            parties=[world.bidders[0], world.bidders[1]],
            agreed=False,
            minutes="两方参与谈判。",
            actor=world.staff,
        )
    assert "未报名参加本标段" in str(refused.value)
