"""The reserve price (底价) through the desk's page: one staff member proposes, another types the
same amount to confirm; it stays sealed — unreadable, even to staff — until the auction closes,
and only then does the close reveal it. Bad input changes nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from bidding.models.auctions import Auction, AuctionKind, AuctionPhase
from bidding.services.auction_reserve import auction_reserve_reveal
from tests.conftest import ControlledClock
from tests.tenders import ESTIMATE, World, first_lot, make_tender, make_world
from trading.models import Lot, User
from trading.models.ledger import LedgerEntry

pytestmark = [pytest.mark.django_db]

SECRET = bytes(range(32))  # the known answer's sealing secret


@pytest.fixture(autouse=True)
def _sealing_secret(settings: Any) -> None:
    settings.BID_SEALING_SECRET = base64.b64encode(SECRET).decode()


def _auction(lot: Lot, clock: ControlledClock, **fields: Any) -> Auction:
    """The lot's auction as its set-up leaves it: a listing running from now for ten days."""
    values: dict[str, Any] = {
        "kind": AuctionKind.LISTING,
        "start_price": ESTIMATE,
        "step": Decimal("10000.00"),
        "phase": AuctionPhase.LISTING,
        "opens_at": clock.now,
        "ends_at": clock.now + timedelta(days=10),
        "declaration_window_seconds": 600,
    }
    return Auction.objects.create(lot=lot, **(values | fields))


@pytest.fixture
def world() -> World:
    return make_world(business_type="land")


@pytest.fixture
def lot(world: World, clock: ControlledClock) -> Lot:
    lot = first_lot(make_tender(world, name="国有建设用地使用权挂牌出让"))
    _auction(lot, clock)
    return lot


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(user: User, lot: Lot, action: str, amount: str) -> Any:
    return _client(user).post(
        reverse("auction_reserve", args=[lot.pk]), {"action": action, "amount": amount}
    )


def _reserve_entries(lot: Lot) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(action__startswith="auction.reserve").order_by("pk"))


def _snapshot(lot: Lot) -> tuple[Any, ...]:
    auction = Auction.objects.get(lot=lot)
    sealed = None if auction.reserve_sealed is None else bytes(auction.reserve_sealed)
    return (
        sealed,
        auction.reserve_set_by_id,
        auction.reserve_confirmed_by_id,
        auction.reserve,
        len(_reserve_entries(lot)),
    )


def test_two_staff_decide_the_reserve_and_nobody_reads_it_before_the_close(
    world: World, lot: Lot
) -> None:
    url = reverse("auction_reserve", args=[lot.pk])
    assert "未设定底价" in _client(world.staff).get(url).content.decode()

    proposed = _post(world.staff, lot, "propose", "1,250,000.50")
    page = _client(world.staff2).get(url).content.decode()

    assert proposed.status_code == 302
    assert "待另一名工作人员确认" in page and 'id="reserve-confirm"' in page
    assert "1250000" not in page and "1,250,000" not in page
    auction = Auction.objects.get(lot=lot)
    assert auction.reserve is None and auction.reserve_confirmed_by_id is None
    assert b"1250000" not in bytes(auction.reserve_sealed)

    confirmed = _post(world.staff2, lot, "confirm", "1250000.5")
    page = _client(world.staff).get(url).content.decode()

    assert confirmed.status_code == 302
    assert "已设定" in page and "1250000" not in page
    auction.refresh_from_db()
    assert (auction.reserve_set_by, auction.reserve_confirmed_by) == (world.staff, world.staff2)
    entries = _reserve_entries(lot)
    assert [(e.action, e.actor_id) for e in entries] == [
        ("auction.reserve_proposed", world.staff.pk),
        ("auction.reserve_confirmed", world.staff2.pk),
    ]
    assert all("1250000" not in json.dumps(e.payload) for e in entries)
    with pytest.raises(ValidationError, match="保密"):
        auction_reserve_reveal(auction)


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("1250000.001", "最多两位小数"),
        ("-1250000.00", "正数"),
        ("0", "正数"),
        ("一百万", "正数"),
        ("", "正数"),
        ("1e30", "正数"),
        ("NaN", "正数"),
    ],
)
@pytest.mark.parametrize("action", ["propose", "confirm"])
def test_a_malformed_amount_is_refused_and_changes_nothing(
    world: World, lot: Lot, amount: str, error: str, action: str
) -> None:
    if action == "confirm":
        _post(world.staff, lot, "propose", "1250000.00")
    before = _snapshot(lot)

    response = _post(world.staff2, lot, action, amount)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert _snapshot(lot) == before


def test_the_proposer_cannot_confirm_its_own_reserve(world: World, lot: Lot) -> None:
    _post(world.staff, lot, "propose", "1250000.00")
    before = _snapshot(lot)

    response = _post(world.staff, lot, "confirm", "1250000.00")

    assert response.status_code == 400
    assert "另一名工作人员确认" in response.content.decode()
    assert _snapshot(lot) == before


def test_a_different_amount_does_not_confirm_and_says_so(world: World, lot: Lot) -> None:
    _post(world.staff, lot, "propose", "1250000.00")
    before = _snapshot(lot)

    response = _post(world.staff2, lot, "confirm", "1250000.01")

    assert response.status_code == 400
    assert "不一致" in response.content.decode()
    assert _snapshot(lot) == before


def test_nothing_to_confirm_before_a_proposal_nor_twice(world: World, lot: Lot) -> None:
    response = _post(world.staff2, lot, "confirm", "1250000.00")
    assert response.status_code == 400 and "尚无待确认的底价" in response.content.decode()

    _post(world.staff, lot, "propose", "1250000.00")
    _post(world.staff2, lot, "confirm", "1250000.00")
    before = _snapshot(lot)
    again = _post(world.staff2, lot, "confirm", "1250000.00")

    assert again.status_code == 400 and "底价已确认" in again.content.decode()
    assert _snapshot(lot) == before


def test_a_new_proposal_replaces_the_reserve_and_needs_its_own_confirmation(
    world: World, lot: Lot
) -> None:
    _post(world.staff, lot, "propose", "1250000.00")
    _post(world.staff2, lot, "confirm", "1250000.00")

    _post(world.staff2, lot, "propose", "1300000.00")
    stale = _post(world.staff, lot, "confirm", "1250000.00")
    fresh = _post(world.staff, lot, "confirm", "1300000.00")

    assert (stale.status_code, fresh.status_code) == (400, 302)
    auction = Auction.objects.get(lot=lot)
    assert (auction.reserve_set_by, auction.reserve_confirmed_by) == (world.staff2, world.staff)


def test_after_the_close_the_reserve_can_be_neither_set_nor_confirmed(
    world: World, lot: Lot
) -> None:
    _post(world.staff, lot, "propose", "1250000.00")
    Auction.objects.filter(lot=lot).update(phase=AuctionPhase.CLOSED)
    before = _snapshot(lot)

    confirm = _post(world.staff2, lot, "confirm", "1250000.00")
    propose = _post(world.staff2, lot, "propose", "900000.00")

    for response in (confirm, propose):
        assert response.status_code == 400
        assert (
            "竞价已结束，底价不能再设定或确认。"
            in response.content.decode().split('id="reserve-closed"')[0]
        )
    assert _snapshot(lot) == before
    page = _client(world.staff).get(reverse("auction_reserve", args=[lot.pk])).content.decode()
    assert 'id="reserve-propose"' not in page and 'id="reserve-closed"' in page


def test_the_close_reveals_a_confirmed_reserve_once_in_the_ledger(world: World, lot: Lot) -> None:
    _post(world.staff, lot, "propose", "1250000.50")
    _post(world.staff2, lot, "confirm", "1250000.50")
    auction = Auction.objects.get(lot=lot)
    Auction.objects.filter(pk=auction.pk).update(phase=AuctionPhase.CLOSED)

    assert auction_reserve_reveal(auction) == Decimal("1250000.50")
    assert auction_reserve_reveal(auction) == Decimal("1250000.50")

    auction.refresh_from_db()
    assert auction.reserve == Decimal("1250000.50")
    revealed = [e for e in _reserve_entries(lot) if e.action == "auction.reserve_revealed"]
    assert [e.payload["reserve"] for e in revealed] == ["1250000.50"]
    page = _client(world.staff).get(reverse("auction_reserve", args=[lot.pk])).content.decode()
    assert "1250000.50" in page


def test_an_unconfirmed_proposal_is_no_reserve_at_the_close(world: World, lot: Lot) -> None:
    _post(world.staff, lot, "propose", "1250000.00")
    auction = Auction.objects.get(lot=lot)
    Auction.objects.filter(pk=auction.pk).update(phase=AuctionPhase.CLOSED)

    assert auction_reserve_reveal(auction) is None
    assert Auction.objects.get(pk=auction.pk).reserve is None


def test_the_sealed_reserve_opens_with_aes_gcm_under_the_documented_derivation(
    world: World, lot: Lot
) -> None:
    """A known answer computed with `cryptography` alone, not through the platform's unsealer."""
    _post(world.staff, lot, "propose", "1250000.50")
    sealed = bytes(Auction.objects.get(lot=lot).reserve_sealed)
    label = f"lot={lot.pk}".encode()

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"", info=info + label).derive(
            SECRET
        )

    key = derive(b"tianping/1/auction-reserve\x00")
    nonce, body = sealed[:12], sealed[12:]

    assert AESGCM(key).decrypt(nonce, body, label) == b"1250000.50"
    nonce_key = derive(b"tianping/1/auction-reserve-nonce\x00")
    assert nonce == hmac.new(nonce_key, b"1250000.50", hashlib.sha256).digest()[:12]
    # Bound to its lot: under another lot's label it does not open.
    with pytest.raises(InvalidTag):
        AESGCM(key).decrypt(nonce, body, f"lot={lot.pk + 1}".encode())


def test_only_the_lot_s_desk_uses_the_page(world: World, lot: Lot, clock: ControlledClock) -> None:
    url = reverse("auction_reserve", args=[lot.pk])

    assert _client(world.other_desk_staff).get(url).status_code == 403
    assert (
        _client(world.owner_user).post(url, {"action": "propose", "amount": "1"}).status_code == 403
    )
    assert Auction.objects.get(lot=lot).reserve_sealed is None
    plain = first_lot(make_tender(world, name="未设网上竞价的标段"))
    assert _client(world.staff).get(reverse("auction_reserve", args=[plain.pk])).status_code == 404


def test_the_lot_page_links_the_reserve_for_its_desk_staff_only(world: World, lot: Lot) -> None:
    page = reverse("lot_detail", args=[lot.pk])
    plain = first_lot(make_tender(world, name="未设网上竞价的标段"))

    assert 'id="auction-reserve-link"' in _client(world.staff).get(page).content.decode()
    assert 'id="auction-reserve-link"' not in _client(world.owner_user).get(page).content.decode()
    assert 'id="auction-reserve-link"' not in _client(world.regulator).get(page).content.decode()
    plain_page = _client(world.staff).get(reverse("lot_detail", args=[plain.pk]))
    assert 'id="auction-reserve-link"' not in plain_page.content.decode()
