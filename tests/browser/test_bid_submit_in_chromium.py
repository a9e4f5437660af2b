"""In Chromium, a bidder seals its bid with WebCrypto on its bid page, uploads it, saves its key
file, loads it back once, commits, and gets a receipt the public page finds valid; the key file
it saved matches the commitment the platform holds (bidding/SEALING.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bidding.domain import sealing
from bidding.models import SealedBid
from bidding.models.sealed import BidStatus
from tests.browser.seats import bid_seal_in_page
from tests.conftest import ControlledClock
from tests.enrolments import enrol
from tests.factories import PASSWORD
from tests.sealed_bids import OFFER, PDF
from tests.tenders import first_lot, make_tender, make_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_bidder_seals_and_submits_in_the_browser(
    page: Page, live_server: Any, clock: ControlledClock, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KEYS_DIR = tmp_path / "keys"
    base = str(live_server)
    world = make_world()
    lot = first_lot(make_tender(world, name="椰林路改造工程"))
    enrol(lot, world.bidders[0])
    document = tmp_path / "技术标.pdf"
    document.write_bytes(PDF + b"technical proposal " * 5000)

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", world.bidder_users[0].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    page.goto(f"{base}/lots/{lot.pk}/enrolment/")
    page.click("#sealed-bid-link")
    expect(page.locator("#bid-state")).to_contain_text("尚未递交")

    saved = tmp_path / "key.json"
    bid_seal_in_page(page, OFFER, [document], saved)
    expect(page.locator("#bid-state")).to_contain_text("已递交第 1 版")

    bid = SealedBid.objects.get(lot=lot)
    assert bid.status == BidStatus.COMMITTED
    context, share = sealing.key_file_read(json.loads(saved.read_text()))
    assert context == sealing.BidContext(lot.pk, bid.enrolment_id, 1)
    assert sealing.share_commitment("bidder", share, context) == bid.bidder_share_commitment
    assert [item["index"] for item in (bid.receipt or {})["files"]] == [0, 1]

    receipt = tmp_path / "receipt.json"
    receipt.write_text(json.dumps(bid.receipt))
    page.goto(f"{base}/receipts/verify/")
    page.set_input_files("#receipt-file", str(receipt))
    page.get_by_role("button", name="上传并核验").click()
    expect(page.locator("#receipt-verdict")).to_contain_text("签名有效")
