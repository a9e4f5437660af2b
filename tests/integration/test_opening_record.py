"""The opening record (开标记录表): rendered when the opening closes, stored unchanged, published
with its verification code (实施条例 第44条; 电子招标投标办法 第30条)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, InternalError, transaction
from django.test import Client
from django.urls import reverse

from bidding.models import SealedBid
from bidding.selectors.opening import access_opening_room
from bidding.services.opening import (
    opening_check_in,
    opening_close,
    opening_confirm,
    opening_objection_answer,
    opening_objection_raise,
    opening_read_out,
    opening_snapshot,
    opening_window_open,
)
from bidding.services.opening_unlock import bid_unlock
from notices.models import OpeningRecord
from notices.opening_records import opening_record_render_and_store
from tests.conftest import ControlledClock
from tests.factories import make_organisation
from tests.notices import deliver_events
from tests.pdf_pages import page_texts
from tests.sealed import PRICES, deadline_pass, sealed_lot
from tests.tenders import make_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_opening_record_names_the_bidders_prices_and_hashes_and_is_published(
    clock: ControlledClock,
) -> None:
    world = make_world()
    member = make_organisation("bidder", region=world.region)
    lot, sealed = sealed_lot(world, clock, member=member)
    lot = deadline_pass(lot, clock)
    host = access_opening_room(world.agency_user, lot.pk)
    bidders = [access_opening_room(user, lot.pk) for user in world.bidder_users[:3]]
    for seat in bidders:
        opening_check_in(seat=seat)
    opening_window_open(seat=host)
    for seat, (_enrolment, draft, _bid, _pdf) in zip(bidders, sealed, strict=True):
        bid_unlock(seat=seat, key_file=draft.key_file())
    opening_read_out(seat=host)
    opening_confirm(seat=bidders[0])
    objection = opening_objection_raise(seat=bidders[1], text="请核对第三家的工期。")
    opening_objection_answer(seat=host, objection_id=objection.pk, answer="已核对，工期180日历天。")
    opening_close(seat=host)
    deliver_events(clock)
    record = OpeningRecord.objects.get(lot=lot)
    stored = opening_record_render_and_store(record.pk)
    assert stored is not None and stored.published_at is not None

    with stored.pdf.open("rb") as handle:
        content = handle.read()
    text = "".join(page_texts(content))
    for organisation in [*world.bidders[:3], member]:
        assert organisation.name in text
    assert "（联合体）" in text.replace("\n", "")
    assert "968,000.00" in text and "942,500.00" in text
    for bid in SealedBid.objects.filter(lot=lot):
        for bid_file in bid.files.all():
            assert bid_file.ciphertext_sha256 in text
    assert "请核对第三家的工期。" in text and "已核对，工期180日历天。" in text
    assert PRICES[0] not in text  # amounts are printed as a document prints them

    # The room links it once published.
    assert opening_snapshot(host)["record"] == {
        "verification_code": stored.verification_code,
        "url": reverse("verify_pdf", args=[stored.verification_code]),
        "sha256": stored.pdf_sha256,
    }
    # Anyone verifies it by its code and downloads the original.
    anyone = Client()
    page = anyone.get(reverse("verify"), {"code": stored.verification_code})
    assert "开标记录表" in page.content.decode() and stored.pdf_sha256 in page.content.decode()
    download = anyone.get(reverse("verify_pdf", args=[stored.verification_code]))
    assert b"".join(download.streaming_content) == content  # type: ignore[attr-defined]
    upload = anyone.post(
        reverse("verify"), {"document": SimpleUploadedFile("record.pdf", content)}
    ).content.decode()
    assert "开标记录表原件完全一致" in upload
    altered = anyone.post(
        reverse("verify"), {"document": SimpleUploadedFile("record.pdf", content + b"\n")}
    ).content.decode()
    assert "不是本平台发布的原件" in altered

    # Stored means unchanged: the database refuses an edit or a deletion.
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        OpeningRecord.objects.filter(pk=stored.pk).update(issuer="别人")
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        OpeningRecord.objects.filter(pk=stored.pk).delete()
    # A second delivery of the event and a second render change nothing.
    again = opening_record_render_and_store(record.pk)
    assert again is not None and again.pdf_sha256 == stored.pdf_sha256
    assert OpeningRecord.objects.filter(lot=lot).count() == 1
