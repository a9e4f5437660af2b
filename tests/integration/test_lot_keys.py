"""The lots' sealing keys on PostgreSQL: made at publication, released only after the deadline.

招标投标法 第34条: the bids open at the deadline; before it nobody, the platform included, holds
the key that opens K_platform (DESIGN.md invariant 3).
"""

from __future__ import annotations

import base64
import os
import stat
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ImproperlyConfigured, ValidationError

from bidding.client import bid_seal
from bidding.domain import sealing
from bidding.domain.sealing import BidContext
from bidding.models import LotKey
from bidding.services.lot_keys import (
    LotKeyLost,
    lot_key_create,
    lot_key_public,
    lot_key_unwrap,
    sealing_secret,
)
from tests.conftest import ControlledClock
from tests.notices import deliver_events
from tests.tenders import closes, first_lot, make_tender, make_world
from trading.models import LedgerEntry, Lot

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SECRET = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture(autouse=True)
def _secret(settings: Any) -> None:
    settings.BID_SEALING_SECRET = SECRET


def _released(lot: Lot) -> int:
    return LedgerEntry.objects.filter(action="lot_key.released", object_id=str(lot.pk)).count()


def _sealed_lot(clock: ControlledClock) -> Lot:
    world = make_world()
    lot = first_lot(make_tender(world, name="密封投标标段"))
    assert lot.tender.procedure.sealed_bids
    deliver_events(clock)
    return lot


def test_a_sealed_bid_lot_gets_its_key_when_published_once(clock: ControlledClock) -> None:
    lot = _sealed_lot(clock)
    key = LotKey.objects.get(lot=lot)
    assert len(bytes(key.public_key)) == 65 and bytes(key.public_key)[0] == 4
    assert key.released_at is None
    # The wrapped private half is not the scalar in the clear, and the public key is what
    # bidders are given.
    assert lot_key_public(lot) == bytes(key.public_key)
    created = LedgerEntry.objects.filter(action="lot_key.created", object_id=str(lot.pk))
    assert created.count() == 1
    lot_key_create(lot, clock.now)  # the outbox delivers at least once
    assert LotKey.objects.filter(lot=lot).count() == 1
    assert created.count() == 1


def test_a_listing_lot_gets_no_sealing_key(clock: ControlledClock) -> None:
    world = make_world(business_type="land")
    lot = first_lot(make_tender(world, name="挂牌出让地块"))
    assert not lot.tender.procedure.sealed_bids
    deliver_events(clock)
    assert not LotKey.objects.filter(lot=lot).exists()


def test_the_key_is_refused_until_the_deadline_has_passed(clock: ControlledClock) -> None:
    lot = _sealed_lot(clock)
    staff = make_world().staff
    for moment in (clock.now, closes(lot) - timedelta(seconds=1), closes(lot)):
        with pytest.raises(ValidationError) as refused:
            lot_key_unwrap(lot, actor=staff, now=moment)
        assert "投标截止时间未到" in refused.value.messages[0]
    assert _released(lot) == 0
    assert LotKey.objects.get(lot=lot).released_at is None


def test_the_deadline_is_read_from_the_database_not_the_caller_s_copy(
    clock: ControlledClock,
) -> None:
    lot = _sealed_lot(clock)
    stale = Lot.objects.get(pk=lot.pk)
    stale.closes_at = clock.now - timedelta(days=1)  # never saved
    with pytest.raises(ValidationError):
        lot_key_unwrap(stale, actor=None, now=clock.now)
    assert _released(lot) == 0


def test_after_the_deadline_the_key_opens_what_bidders_sealed_and_each_release_is_logged(
    clock: ControlledClock,
) -> None:
    lot = _sealed_lot(clock)
    context = BidContext(lot=lot.pk, enrolment=1, version=1)
    draft = bid_seal(context, lot_key_public(lot), {"price": "990000.00"})
    after = closes(lot) + timedelta(seconds=1)
    private = lot_key_unwrap(lot, actor=None, now=after)
    envelope = draft.commit_body()["platform_share"]
    assert sealing.platform_share_unwrap(private, envelope, context) == draft.platform_share
    assert _released(lot) == 1
    assert LotKey.objects.get(lot=lot).released_at == after
    lot_key_unwrap(lot, actor=None, now=after + timedelta(minutes=5))
    assert _released(lot) == 2
    assert LotKey.objects.get(lot=lot).released_at == after


def test_a_changed_sealing_secret_or_a_missing_key_is_a_lost_key(
    clock: ControlledClock, settings: Any
) -> None:
    lot = _sealed_lot(clock)
    after = closes(lot) + timedelta(minutes=1)
    settings.BID_SEALING_SECRET = base64.b64encode(os.urandom(32)).decode()
    with pytest.raises(LotKeyLost):
        lot_key_unwrap(lot, actor=None, now=after)
    assert _released(lot) == 0
    settings.BID_SEALING_SECRET = SECRET
    key = LotKey.objects.get(lot=lot)
    # A public key swapped in the database: the wrap is bound to it and no longer opens.
    other = ec.generate_private_key(ec.SECP256R1())
    LotKey.objects.filter(pk=key.pk).update(public_key=sealing.public_key_bytes(other.public_key()))
    with pytest.raises(LotKeyLost):
        lot_key_unwrap(lot, actor=None, now=after)
    LotKey.objects.filter(pk=key.pk).delete()
    with pytest.raises(LotKeyLost):
        lot_key_unwrap(lot, actor=None, now=after)
    assert _released(lot) == 0


def test_without_a_configured_secret_one_is_kept_in_the_keys_folder(
    settings: Any, tmp_path: Any
) -> None:
    settings.BID_SEALING_SECRET = ""
    settings.KEYS_DIR = tmp_path / "keys"
    first = sealing_secret()
    assert len(first) == 32 and sealing_secret() == first
    path = tmp_path / "keys" / "bid-sealing.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("not base64\n")
    with pytest.raises(ImproperlyConfigured):
        sealing_secret()
    settings.BID_SEALING_SECRET = base64.b64encode(b"short").decode()
    with pytest.raises(ImproperlyConfigured):
        sealing_secret()
