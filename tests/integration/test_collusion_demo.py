"""`make run`: after the demo opening's 唱标, reg_housing sees that bidder1 and bidder2 committed
from one address (围标串标预警, 实施条例 第40条第（二）项)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bidding.demo import demo_vault_seed
from bidding.selectors.opening import access_opening_room
from bidding.services.demo_opening import (
    DEMO_ADDRESSES,
    demo_keys_dir,
    opening_demo_lot,
    opening_demo_seed,
)
from bidding.services.opening import opening_read_out, opening_window_open
from bidding.services.opening_unlock import bid_unlock
from tests.conftest import ControlledClock
from tests.sealed import deadline_pass
from trading.models import User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_demo_regulator_sees_two_bidders_sharing_an_address(
    demo: dict[str, int], clock: ControlledClock, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    demo_vault_seed(tenders=False)
    opening_demo_seed()
    lot = opening_demo_lot(clock.now)
    assert lot is not None
    lot = deadline_pass(lot, clock)
    regulator = Client()
    regulator.force_login(User.objects.get(username="reg_housing"))
    page = regulator.get(reverse("supervision_lot", args=[lot.pk])).content.decode()
    assert "围标串标预警" in page and "data-signal" not in page

    opening_window_open(
        seat=access_opening_room(User.objects.get(username="owner_school"), lot.pk), clock=clock
    )
    for path in sorted(demo_keys_dir().glob(f"{lot.code}-*.tianping-key.json")):
        username = path.name.removeprefix(f"{lot.code}-").split(".")[0]
        seat = access_opening_room(User.objects.get(username=username), lot.pk)
        bid_unlock(seat=seat, key_file=json.loads(path.read_text()), clock=clock)
    staff = User.objects.get(username="staff_haikou")
    opening_read_out(seat=access_opening_room(staff, lot.pk), clock=clock)

    page = regulator.get(reverse("supervision_lot", args=[lot.pk])).content.decode()
    signals = dict(re.findall(r'<li data-signal="(\w+)">(.*?)</li>', page, re.S))
    assert list(signals) == ["same_ip"]
    names = dict(
        User.objects.filter(username__in=["bidder1", "bidder2", "bidder3"]).values_list(
            "username", "organisation__name"
        )
    )
    line = signals["same_ip"]
    assert DEMO_ADDRESSES["bidder1"] in line
    assert names["bidder1"] in line and names["bidder2"] in line and names["bidder3"] not in line
