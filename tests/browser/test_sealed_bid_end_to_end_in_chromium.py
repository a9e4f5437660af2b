"""The whole sealed-bid story in Chromium on a live daphne: bidder A seals its offer and a PDF
with WebCrypto on its bid page, saves its key file and its receipt (whose signature the public
page finds valid); the deadline passes, the host opens the decryption window from its own
browser, the key file A downloaded unlocks A's bid in the room, and 唱标 reads out A's name,
price and the ciphertext hashes of its receipt. Nothing A's browser sent before the opening
carried the price, the document or A's share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Request, expect

from bidding.domain import sealing
from tests.browser.conftest import screenshot
from tests.browser.seats import bid_seal_in_page, signed_in_context
from tests.conftest import ControlledClock
from tests.enrolments import enrol
from tests.rooms import off_the_loop, room_daphne, unlock_as
from tests.sealed import deadline_pass, pdf_with_info, sealed_lot
from tests.tenders import make_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

PRICE = "987654.32"
MARKER = "TIANPING-E2E-MARKER-7f3a"
OFFER = {"price": PRICE, "duration": "150", "quality": "优良", "project_manager": "林工"}


def test_a_bid_sealed_in_the_browser_opens_in_the_room_with_its_key_file(
    browser: Browser, clock: ControlledClock, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    world = make_world()
    # Bidders 1 and 2 seal with the Python client; bidder A (the third) uses its browser.
    lot, sealed = sealed_lot(world, clock, bids=2)
    enrolment = enrol(lot, world.bidders[2], user=world.bidder_users[2])
    number = enrolment.bidder_number
    document = tmp_path / "技术标.pdf"
    document.write_bytes(pdf_with_info(MARKER, author="林工") + b"% technical proposal\n" * 4000)
    sent: list[Request] = []
    violations: list[str] = []
    with room_daphne(tmp_path, media=settings.MEDIA_ROOT) as port:
        base = f"http://localhost:{port}"
        bidder_context = signed_in_context(browser, base, world.bidder_users[2], violations)
        bidder_context.on("request", lambda request: sent.append(request))
        bidder = bidder_context.new_page()
        bidder.set_default_timeout(15_000)
        bidder.goto(f"{base}/lots/{lot.pk}/enrolment/")
        bidder.click("#sealed-bid-link")
        expect(bidder.locator("#bid-state")).to_contain_text("尚未递交")
        key_file = tmp_path / "downloads" / "bid-key.json"
        bid_seal_in_page(bidder, OFFER, [document], key_file)
        expect(bidder.locator("#bid-state")).to_contain_text("已递交第 1 版")
        with bidder.expect_download() as download:
            bidder.get_by_role("link", name="下载回执").click()
        receipt_file = tmp_path / "downloads" / "receipt.json"
        download.value.save_as(receipt_file)
        receipt = json.loads(receipt_file.read_text())
        assert receipt["bidder_number"] == number
        hashes = [row["sha256"] for row in receipt["files"]]
        assert len(hashes) == 2  # the sealed offer and the PDF
        bidder.get_by_role("link", name="核验回执").click()
        bidder.set_input_files("#receipt-file", str(receipt_file))
        bidder.get_by_role("button", name="上传并核验").click()
        expect(bidder.locator("#receipt-verdict")).to_contain_text("签名有效")

        # Everything A's browser sent before the opening: the ciphertext went up, the offer,
        # the document and the bidder's share (only in the key file on A's disk) did not.
        before_opening = [request.post_data_buffer or b"" for request in sent]
        assert sum(map(len, before_opening)) > document.stat().st_size
        _context, share = sealing.key_file_read(json.loads(key_file.read_text()))
        for secret in (PRICE.encode(), MARKER.encode(), sealing.b64(share).encode()):
            assert not any(secret in body for body in before_opening), secret
            assert not any(secret.decode() in request.url for request in sent), secret

        lot = off_the_loop(lambda: deadline_pass(lot, clock))
        bidder.goto(f"{base}/lots/{lot.pk}/enrolment/")
        bidder.click("#opening-room-link")
        expect(bidder.locator("#room-connection")).to_have_text("已连接")
        expect(bidder.locator("#room-bids")).to_have_text("3")
        bidder.get_by_role("button", name="签到").click()
        expect(bidder.locator(f"#progress-{number}")).to_contain_text("已签到")

        host = signed_in_context(browser, base, world.owner_user, violations).new_page()
        host.set_default_timeout(15_000)
        host.goto(f"{base}/bidding/lots/{lot.pk}/opening/")
        expect(host.locator("#room-connection")).to_have_text("已连接")
        host.get_by_role("button", name="开启解密").click()
        expect(bidder.locator("#room-stage")).to_have_text("解密")
        bidder.locator("#key-file").set_input_files(str(key_file))
        expect(bidder.locator(f"#progress-{number}")).to_contain_text("解密成功")
        expect(host.locator(f"#progress-{number}")).to_contain_text("解密成功")

        for other in (0, 1):
            unlock_as(world.bidder_users[other], lot.pk, sealed[other][1].key_file())
        expect(host.locator("#room-stage")).to_have_text("唱标")
        host.get_by_role("button", name="唱标").click()
        row = bidder.locator(f"#read-out-{number}")
        expect(row).to_contain_text(world.bidders[2].name)
        expect(row).to_contain_text(PRICE)
        read_hashes = row.locator("td").nth(5).inner_text().split()
        assert read_hashes == hashes
        screenshot(bidder, "sealed-bid-end-to-end-read-out")
    assert not violations, violations
