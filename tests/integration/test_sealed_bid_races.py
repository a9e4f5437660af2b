"""Fifty bidders commit in the last second before the deadline: every bid is kept; commits a
moment later are none (PostgreSQL row locks; the server clock decides under the lot's lock,
招标投标法 第28条)."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bidding.models import SealedBid
from bidding.models.sealed import BidStatus
from tests.concurrency import in_threads
from tests.conftest import ControlledClock
from tests.enrolments import enrol
from tests.factories import make_organisation, make_user
from tests.sealed_bids import bid_prepare, bidder_client, commit
from tests.tenders import closes, first_lot, make_tender, make_world
from trading.models import LedgerEntry
from trading.selectors.tenders import sealed_scope_key

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BIDDERS = 50


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.KEYS_DIR = tmp_path / "keys"


def _committer(prepared: list[Any]) -> Any:
    queue = iter(prepared)
    lock = threading.Lock()

    def run() -> int:
        with lock:
            client, version, draft = next(queue)
        return int(commit(client, version, draft.commit_body()).status_code)

    return run


def test_fifty_commits_in_the_last_second_are_all_kept_and_none_after(
    clock: ControlledClock,
) -> None:
    world = make_world()
    lot = first_lot(make_tender(world))
    users = []
    for _number in range(BIDDERS):
        organisation = make_organisation("bidder", region=world.region)
        users.append(make_user(organisation))
        enrol(lot, organisation)
    clients = [bidder_client(user) for user in users]
    first = [(client, *bid_prepare(client, lot)) for client in clients]
    # Each also prepares a replacement it will try to commit once the deadline has passed.
    second = [(client, *bid_prepare(client, lot)) for client in clients]

    clock.set(closes(lot) - timedelta(milliseconds=400))
    assert in_threads(BIDDERS, _committer(first)) == [200] * BIDDERS

    clock.set(closes(lot))
    assert in_threads(BIDDERS, _committer(second)) == [400] * BIDDERS

    committed = SealedBid.objects.filter(lot=lot, status=BidStatus.COMMITTED)
    assert committed.count() == BIDDERS
    assert set(committed.values_list("version", flat=True)) == {1}
    assert (
        not SealedBid.objects.filter(lot=lot, version=2)
        .exclude(status=BidStatus.UPLOADING)
        .exists()
    )
    entries = LedgerEntry.objects.filter(
        scope__key=sealed_scope_key(lot.pk), action="sealed_bid.committed"
    )
    assert entries.count() == BIDDERS
