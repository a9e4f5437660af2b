"""`make run` has a lot whose opening one can join as the demo bidders (issue 12, "Done when").

A quarter of an hour after start-up its deadline comes; the three demo bidders have sealed bids,
their key files saved in var/demo/keys/; at the deadline the opening starts, the host opens the
window and every bid unlocks with its saved key file.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bidding.demo import demo_vault_seed
from bidding.models import BidOutcome, Opening, SealedBid
from bidding.selectors.opening import access_opening_room
from bidding.services.demo_opening import (
    PROJECT,
    demo_keys_dir,
    opening_demo_lines,
    opening_demo_lot,
    opening_demo_seed,
)
from bidding.services.opening import opening_window_open
from bidding.services.opening_unlock import bid_unlock
from tests.conftest import ControlledClock
from tests.sealed import deadline_pass
from trading.domain.lifecycle import LotStatus
from trading.models import Lot, User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _username(path: Path, lot: Lot) -> str:
    return path.name.removeprefix(f"{lot.code}-").split(".")[0]


def test_make_run_arms_an_opening_the_demo_bidders_can_join(
    demo: dict[str, int], clock: ControlledClock, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    demo_vault_seed(tenders=False)
    assert opening_demo_seed() == {"opening_demo": 1}
    lot = opening_demo_lot(clock.now)
    assert lot is not None and lot.closes_at == clock.now + timedelta(minutes=15)
    assert opening_demo_seed() == {}  # a round still ahead: nothing new
    keys = sorted(demo_keys_dir().glob(f"{lot.code}-*.tianping-key.json"))
    assert [_username(path, lot) for path in keys] == [
        "bidder1",
        "bidder2",
        "bidder3",
    ]
    lines = "\n".join(opening_demo_lines(clock.now))
    assert f"/bidding/lots/{lot.pk}/opening/" in lines and f"/lots/{lot.pk}/bid/" in lines
    assert all(str(path.name) in lines for path in keys)

    lot = deadline_pass(lot, clock)
    assert lot.status == LotStatus.OPENING
    assert Opening.objects.get(lot=lot).bids_received == 3
    host = User.objects.get(username="owner_school")
    opening_window_open(seat=access_opening_room(host, lot.pk), clock=clock)
    for path in keys:
        seat = access_opening_room(User.objects.get(username=_username(path, lot)), lot.pk)
        bid_unlock(seat=seat, key_file=json.loads(path.read_text()), clock=clock)
    outcomes = set(
        SealedBid.objects.filter(lot=lot, status="committed").values_list("outcome", flat=True)
    )
    assert outcomes == {BidOutcome.OPENED}

    # A start-up after the deadline arms a fresh round.
    assert opening_demo_seed() == {"opening_demo": 1}
    assert Lot.objects.filter(tender__project__name=PROJECT).count() == 2
