"""围标串标预警 on the regulator's lot page (招标投标法实施条例 第40条), from the opened bids.

Nothing about the bids shows before 唱标 (招标投标法 第22条); afterwards each signal names the
bidders it links and the item of 第40条.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from bidding.models import BidOutcome
from bidding.selectors.opening import access_opening_room
from bidding.services.opening import opening_check_in, opening_read_out, opening_window_open
from bidding.services.opening_unlock import bid_unlock
from tests.conftest import ControlledClock
from tests.enrolments import enrol
from tests.notices import deliver_events
from tests.sealed import PRICES, bid_store, deadline_pass, pdf_with_info
from tests.tenders import World, first_lot, make_tender, make_world
from trading.models import Lot, User
from trading.models.ledger import ScopeKind
from trading.selectors.tenders import sealed_scope_key
from trading.services.ledger import ledger_append

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SHARED_IP = "203.0.113.7"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _opened_lot(
    world: World, clock: ControlledClock, lot: Lot | None = None
) -> tuple[Lot, list[Any]]:
    """Three sealed bids: the first two written by 张工 and committed from one address."""
    if lot is None:
        tender = make_tender(world)
        deliver_events(clock)
        lot = first_lot(tender)
    authors = ["张工", "张工", "李工"]
    addresses = [
        (SHARED_IP, "Mozilla/5.0 (Windows NT 10.0) Chrome/130"),
        (SHARED_IP, "Mozilla/5.0 (Macintosh) Safari/17"),
        ("198.51.100.20", "Mozilla/5.0 (X11; Linux) Firefox/132"),
    ]
    drafts = []
    for n, organisation in enumerate(world.bidders[:3]):
        enrolment = enrol(lot, organisation)
        document = pdf_with_info(f"bid-{n}", author=authors[n], creator="WPS")
        offer = {
            "price": PRICES[n],
            "duration_days": "180",
            "quality": "合格",
            "project_manager": f"项目经理{n}",
        }
        draft, bid = bid_store(lot, enrolment, offer=offer, documents=[("商务标.pdf", document)])
        ip, user_agent = addresses[n]
        # What the commit records in the lot's sealed chain (bidding.services.sealed_bids).
        with transaction.atomic():
            ledger_append(
                scope_key=sealed_scope_key(lot.pk),
                scope_kind=ScopeKind.SEALED_LOT,
                sealed=True,
                action="sealed_bid.committed",
                actor=world.bidder_users[n],
                obj_type="sealed_bid",
                obj_id=str(bid.pk),
                payload={"lot": lot.pk, "ip": ip, "user_agent": user_agent},
                clock=clock,
            )
        drafts.append(draft)
    lot = deadline_pass(lot, clock)
    host = access_opening_room(world.owner_user, lot.pk)
    seats = [access_opening_room(user, lot.pk) for user in world.bidder_users[:3]]
    for seat in seats:
        opening_check_in(seat=seat)
    opening_window_open(seat=host, minutes=30)
    for seat, draft in zip(seats, drafts, strict=True):
        assert bid_unlock(seat=seat, key_file=draft.key_file()).outcome == BidOutcome.OPENED
    return lot, drafts


def _section(user: User, lot: Lot) -> str:
    client = Client()
    client.force_login(user)
    page = client.get(reverse("supervision_lot", args=[lot.pk]))
    assert page.status_code == 200
    found = re.search(
        r'<section[^>]*id="collusion-signals".*?</section>', page.content.decode(), re.S
    )
    assert found is not None
    return found.group(0)


def _console_flags(user: User) -> list[str]:
    client = Client()
    client.force_login(user)
    page = client.get(reverse("supervision_console")).content.decode()
    return re.findall(r'href="(/[^"]*)#collusion-signals"', page)


def _signals(section: str) -> dict[str, str]:
    return dict(re.findall(r'<li data-signal="(\w+)">(.*?)</li>', section, re.S))


def test_the_regulator_sees_shared_author_and_address_only_after_the_read_out(
    clock: ControlledClock,
) -> None:
    world = make_world()
    lot, _drafts = _opened_lot(world, clock)
    first, second, third = (bidder.name for bidder in world.bidders[:3])

    # Decrypted but not read out: the section tells nothing about the bids.
    before = _section(world.regulator, lot)
    assert "唱标后显示" in before
    for secret in (first, second, third, "张工", SHARED_IP, "data-signal"):
        assert secret not in before
    assert _console_flags(world.regulator) == []

    staff = access_opening_room(world.staff, lot.pk)
    opening_read_out(seat=staff)
    signals = _signals(_section(world.regulator, lot))
    assert set(signals) == {"same_author", "same_ip"}
    author, address = signals["same_author"], signals["same_ip"]
    assert "张工" in author and "第四十条第（一）项" in author
    assert SHARED_IP in address and "第四十条第（二）项" in address
    for line in (author, address):
        assert first in line and second in line and third not in line
    # The console flags the lot and leads to the section.
    assert _console_flags(world.regulator) == [reverse("supervision_lot", args=[lot.pk])]


def test_another_jurisdictions_regulator_gets_404(clock: ControlledClock) -> None:
    world = make_world()
    lot, _drafts = _opened_lot(world, clock)
    opening_read_out(seat=access_opening_room(world.staff, lot.pk))
    client = Client()
    client.force_login(world.other_regulator)
    page = client.get(reverse("supervision_lot", args=[lot.pk]))
    assert page.status_code == 404
    assert world.bidders[0].name.encode() not in page.content


def test_a_lot_with_no_shared_facts_says_so(clock: ControlledClock) -> None:
    world = make_world()
    tender = make_tender(world)
    deliver_events(clock)
    lot = first_lot(tender)
    drafts = []
    for n, organisation in enumerate(world.bidders[:3]):
        enrolment = enrol(lot, organisation)
        document = pdf_with_info(f"solo-{n}", author=f"作者{n}")
        offer = {"price": PRICES[n], "duration_days": "180", "quality": "合格"}
        draft, _bid = bid_store(lot, enrolment, offer=offer, documents=[("商务标.pdf", document)])
        drafts.append(draft)
    lot = deadline_pass(lot, clock)
    seats = [access_opening_room(user, lot.pk) for user in world.bidder_users[:3]]
    for seat in seats:
        opening_check_in(seat=seat)
    opening_window_open(seat=access_opening_room(world.owner_user, lot.pk), minutes=30)
    for seat, draft in zip(seats, drafts, strict=True):
        bid_unlock(seat=seat, key_file=draft.key_file())
    opening_read_out(seat=access_opening_room(world.staff, lot.pk))
    section = _section(world.regulator, lot)
    assert "未发现串通投标预警情形" in section and "data-signal" not in section
    assert _console_flags(world.regulator) == []


def test_the_address_waits_while_a_sibling_lot_still_takes_bids(clock: ControlledClock) -> None:
    """Where the bidder list is secret, the sealed chain opens once no lot of the tender still
    takes bids (招标投标法 第22条): until then the commit addresses stay out of the signals."""
    world = make_world()
    tender = make_tender(world, lots=2)
    deliver_events(clock)
    assert tender.procedure.bidder_list_secret
    first, second = tender.lots.order_by("pk")
    assert first.closes_at is not None
    Lot.objects.filter(pk=second.pk).update(closes_at=first.closes_at + timedelta(days=10))
    lot, _drafts = _opened_lot(world, clock, first)
    opening_read_out(seat=access_opening_room(world.staff, lot.pk))
    signals = _signals(_section(world.regulator, lot))
    assert set(signals) == {"same_author"}
    assert SHARED_IP not in _section(world.regulator, lot)
