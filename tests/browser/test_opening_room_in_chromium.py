"""The opening room in Chromium on a live daphne: the bidder checks in, the host opens the window
with its button, the countdown follows the server, and the bidder's key file, loaded in the
browser, unlocks its bid; then 唱标, a confirmation, an objection answered in the room, and the
close."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, FilePayload, expect

from notices.models import OpeningRecord
from notices.opening_records import opening_record_render_and_store
from tests.browser.conftest import screenshot
from tests.browser.seats import signed_in_context
from tests.conftest import ControlledClock
from tests.notices import deliver_events
from tests.rooms import off_the_loop, room_daphne, unlock_as
from tests.sealed import PRICES, deadline_pass, sealed_lot
from tests.tenders import make_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]


def _publish_record(clock: ControlledClock, lot_id: int) -> None:
    deliver_events(clock)
    opening_record_render_and_store(OpeningRecord.objects.get(lot_id=lot_id).pk)


def test_a_bidder_checks_in_and_unlocks_its_bid_with_its_key_file(
    browser: Browser, clock: ControlledClock, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    world = make_world()
    lot, sealed = sealed_lot(world, clock)
    lot = deadline_pass(lot, clock)
    enrolment, draft, _bid, _pdf = sealed[2]
    number = enrolment.bidder_number
    violations: list[str] = []
    with room_daphne(tmp_path, media=settings.MEDIA_ROOT) as port:
        base = f"http://localhost:{port}"
        room = f"{base}/bidding/lots/{lot.pk}/opening/"
        bidder = signed_in_context(browser, base, world.bidder_users[2], violations).new_page()
        bidder.set_default_timeout(15_000)
        bidder.goto(room)
        expect(bidder.locator("#room-connection")).to_have_text("已连接")
        expect(bidder.locator("#room-stage")).to_have_text("签到")
        expect(bidder.locator("#room-bids")).to_have_text("3")
        bidder.get_by_role("button", name="签到").click()
        expect(bidder.locator(f"#progress-{number}")).to_contain_text("已签到")

        host = signed_in_context(browser, base, world.owner_user, violations).new_page()
        host.set_default_timeout(15_000)
        host.goto(room)
        expect(host.locator("#room-connection")).to_have_text("已连接")
        expect(host.locator(f"#progress-{number}")).to_contain_text("已签到")
        host.get_by_role("button", name="开启解密").click()
        expect(bidder.locator("#room-stage")).to_have_text("解密")
        # The server's clock is frozen at the window's opening: its ticks say 30 minutes left.
        expect(bidder.locator("#room-countdown")).to_contain_text("30:00")

        key_file = json.dumps(draft.key_file(), indent=2).encode()
        bidder.locator("#key-file").set_input_files(
            files=[FilePayload(name="bid-key.json", mimeType="application/json", buffer=key_file)]
        )
        expect(bidder.locator(f"#progress-{number}")).to_contain_text("解密成功")
        expect(host.locator(f"#progress-{number}")).to_contain_text("解密成功")
        bidder.locator("#key-file").set_input_files(
            files=[FilePayload(name="notes.txt", mimeType="text/plain", buffer=b"not a key")]
        )
        expect(bidder.locator("#room-message")).to_contain_text("无法读取密钥文件")

        # The other two unlock from their own offices (in a thread of their own: Playwright's
        # loop runs in this one, and the publication after the commit needs a thread without
        # one, as daphne's workers are); the window closes and 唱标 is the host's button.
        for other in (0, 1):
            unlock_as(world.bidder_users[other], lot.pk, sealed[other][1].key_file())
        expect(host.locator("#room-stage")).to_have_text("唱标")
        host.get_by_role("button", name="唱标").click()
        row = bidder.locator(f"#read-out-{number}")
        expect(row).to_contain_text(world.bidders[2].name)
        expect(row).to_contain_text(PRICES[2])
        bidder.get_by_role("button", name="确认开标记录").click()
        expect(host.locator(f"#progress-{number}")).to_contain_text("已确认")
        bidder.locator("#objection-text").fill("请核对第二份文件的哈希。")
        bidder.get_by_role("button", name="提出异议").click()
        objection = host.locator("#room-objections li")
        expect(objection).to_contain_text("请核对第二份文件的哈希。")
        objection.locator("textarea").fill("哈希与回执一致。")
        objection.get_by_role("button", name="答复").click()
        expect(bidder.locator("#room-objections li")).to_contain_text("哈希与回执一致。")
        host.get_by_role("button", name="结束开标").click()
        expect(bidder.locator("#room-stage")).to_have_text("开标结束")
        expect(bidder.locator("#room-message")).to_contain_text("递交投标文件数：3")
        # Once notices has rendered and published the 开标记录表, the room links it.
        off_the_loop(lambda: _publish_record(clock, lot.pk))
        bidder.reload()
        record = OpeningRecord.objects.get(lot=lot)
        link = bidder.locator("#room-record a")
        expect(link).to_contain_text(record.verification_code)
        expect(link).to_have_attribute(
            "href", reverse("verify_pdf", args=[record.verification_code])
        )
        screenshot(bidder, "opening-room-bidder")
    assert not violations, violations
