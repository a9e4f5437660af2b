"""The lot's enrolment list (报名名单): the desk's staff and the owner read bidder numbers and names
after the opening, and nothing at all before it (招标投标法 第22条)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bidding.models import OrganisationProfile
from bidding.services.deposits import deposit_account_open
from tests.conftest import ControlledClock
from tests.deposits import BASIC_ACCOUNT, bank_pay
from tests.enrolments import enrol
from tests.tenders import closes, first_lot, make_tender, make_world, opens
from trading.chronograph import chronograph_tick
from trading.models import User

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_and_owner_read_the_enrolment_list_only_after_the_opening(
    clock: ControlledClock,
) -> None:
    world = make_world()
    lot = first_lot(make_tender(world))
    clock.set(opens(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    OrganisationProfile.objects.update_or_create(
        organisation=world.bidders[0], defaults={"basic_account_number": BASIC_ACCOUNT}
    )
    alone = enrol(lot, world.bidders[0])
    consortium = enrol(lot, world.bidders[1], members=[world.bidders[2]])
    bank_pay(deposit_account_open(enrolment=alone, now=clock.now).number, "20000.00")
    roster = reverse("lot_roster", args=[lot.pk])
    lot_page = reverse("lot_detail", args=[lot.pk])

    for user in (world.staff, world.owner_user, world.agency_user):
        assert _as(user).get(roster).status_code == 404
        assert roster not in _as(user).get(lot_page).text

    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    for user in (world.staff, world.owner_user, world.agency_user):
        assert f'href="{roster}"' in _as(user).get(lot_page).text
        page = _as(user).get(roster)
        assert page.status_code == 200
        for enrolment in (alone, consortium):
            assert enrolment.bidder_number in page.text
        for bidder in world.bidders[:3]:
            assert bidder.name in page.text
        assert "联合体投标" in page.text
        # Whose deposit arrived in time (实施条例 第26条), for the qualification review.
        rows = dict(re.findall(r'<tr id="bidder-(\w+)">(.*?)</tr>', page.text, re.S))
        assert "已足额到账" in rows[alone.bidder_number]
        assert "逾期未足额到账" in rows[consortium.bidder_number]
    # Not the bidders' page (403, as the lot page itself), nor the regulators' (they read the
    # opened sealed ledger instead) or another desk's.
    for user in (world.bidder_users[0], world.regulator, world.other_desk_staff):
        page = _as(user).get(roster)
        assert page.status_code in (403, 404) and alone.bidder_number not in page.text
