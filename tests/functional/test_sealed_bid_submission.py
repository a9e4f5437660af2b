"""A bidder's sealed bid through its pages and endpoints: seal, upload, self-check, commit, the
signed receipt and its public check, replacement, withdrawal; and every refusal changes nothing
(招标投标法 第28-29条; bidding/SEALING.md)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bidding.client import Source, bid_seal
from bidding.domain import sealing
from bidding.models import DepositDeadline, SealedBid
from bidding.models.sealed import BidChunk, BidStatus
from tests.conftest import ControlledClock
from tests.enrolments import enrol
from tests.sealed_bids import (
    OFFER,
    PDF,
    USER_AGENT,
    bid_prepare,
    bid_start,
    bid_submit,
    bidder_client,
    chunk_url,
    commit,
    started,
    upload,
)
from tests.tenders import World, closes, first_lot, make_tender, make_world
from trading.models import LedgerEntry, Lot
from trading.selectors.tenders import sealed_scope_key

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.KEYS_DIR = tmp_path / "keys"


def _lot(world: World) -> Lot:
    lot = first_lot(make_tender(world))
    for bidder in world.bidders:
        enrol(lot, bidder)
    return lot


def _verify(receipt: dict[str, Any], client: Client | None = None) -> str:
    upload_file = SimpleUploadedFile(
        "receipt.json", json.dumps(receipt).encode(), content_type="application/json"
    )
    page = (client or Client()).post(reverse("sealed_bid_receipt_verify"), {"receipt": upload_file})
    assert page.status_code == 200
    return page.content.decode()


def _sealed_entries(lot: Lot, action: str) -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(scope__key=sealed_scope_key(lot.pk), action=action).order_by(
            "pk"
        )
    )


def test_a_bidder_seals_uploads_commits_and_gets_a_signed_receipt(
    clock: ControlledClock,
) -> None:
    world = make_world()
    lot = _lot(world)
    client = bidder_client(world.bidder_users[0])
    documents: list[tuple[str, Source]] = [
        ("技术标.pdf", PDF + b"technical"),
        ("商务标.pdf", PDF + b"commercial"),
    ]

    version, draft, answer = bid_submit(client, lot, OFFER, documents)

    assert answer.status_code == 200, answer.content.decode()
    receipt = answer.json()["receipt"]
    bid = SealedBid.objects.get(token=version.bid)
    assert bid.status == BidStatus.COMMITTED and bid.committed_at == clock.now
    assert receipt["lot"] == {"id": lot.pk, "code": lot.code}
    assert receipt["version"] == 1 and receipt["bidder_number"] == bid.enrolment.bidder_number
    assert [item["sha256"] for item in receipt["files"]] == [
        draft.file_summary(index)["sha256"] for index in draft.file_indices()
    ]
    body = draft.commit_body()
    assert receipt["bidder_share_commitment"] == body["bidder_share_commitment"]
    # The key file's share is nowhere on the platform; its commitment is.
    assert sealing.b64(draft.bidder_share) not in json.dumps(receipt)
    # The download is the same receipt, and the public page finds its signature valid.
    downloaded = client.get(answer.json()["receipt_url"])
    assert json.loads(downloaded.content) == receipt
    verdict = _verify(receipt)
    assert "签名有效" in verdict and lot.code in verdict
    # The commit's IP and user agent are in the lot's sealed chain.
    (entry,) = _sealed_entries(lot, "sealed_bid.committed")
    assert entry.payload["ip"] == "203.0.113.7" and entry.payload["user_agent"] == USER_AGENT
    page = client.get(reverse("sealed_bid_lot", args=[lot.pk])).content.decode()
    assert "已递交第 1 版" in page and receipt["files"][1]["sha256"] in page


def test_a_receipt_changed_by_one_character_fails_the_check(clock: ControlledClock) -> None:
    world = make_world()
    lot = _lot(world)
    _version, _draft, answer = bid_submit(bidder_client(world.bidder_users[0]), lot)
    receipt = answer.json()["receipt"]

    assert "签名无效" in _verify(receipt | {"version": 2})
    assert "签名无效" in _verify(receipt | {"signature": sealing.b64(b"x" * 64)})
    assert "不是天平平台的投标回执" in _verify({"hello": "world"})
    assert "不是 JSON" in Client().post(
        reverse("sealed_bid_receipt_verify"),
        {"receipt": SimpleUploadedFile("r.json", b"not json", content_type="application/json")},
    ).content.decode("utf-8")
    big = SimpleUploadedFile("r.json", b" " * 40_000, content_type="application/json")
    refused = Client().post(reverse("sealed_bid_receipt_verify"), {"receipt": big})
    assert "不是投标回执" in refused.content.decode()


def test_a_replacement_supersedes_and_every_version_keeps_its_receipt(
    clock: ControlledClock,
) -> None:
    world = make_world()
    lot = _lot(world)
    client = bidder_client(world.bidder_users[0])
    first, _d1, answer1 = bid_submit(client, lot)
    clock.advance(hours=1)
    second, _d2, answer2 = bid_submit(client, lot, OFFER | {"price": "970000.00"})

    assert answer2.status_code == 200
    assert SealedBid.objects.get(token=first.bid).status == BidStatus.SUPERSEDED
    assert SealedBid.objects.get(token=second.bid).status == BidStatus.COMMITTED
    assert answer2.json()["receipt"]["version"] == 2
    for answer in (answer1, answer2):
        assert "签名有效" in _verify(answer.json()["receipt"])
    page = client.get(reverse("sealed_bid_lot", args=[lot.pk])).content.decode()
    assert "已递交第 2 版" in page and "已被新版本替换" in page
    (entry,) = _sealed_entries(lot, "sealed_bid.committed")[1:]
    assert entry.payload["superseded"] == [1]


def test_withdrawal_until_the_deadline_and_not_after(clock: ControlledClock) -> None:
    world = make_world()
    lot = _lot(world)
    client = bidder_client(world.bidder_users[0])
    version, _draft, _answer = bid_submit(client, lot)

    client.post(reverse("sealed_bid_withdraw", args=[lot.pk]))
    bid = SealedBid.objects.get(token=version.bid)
    assert bid.status == BidStatus.WITHDRAWN and bid.receipt is not None
    page = client.get(reverse("sealed_bid_lot", args=[lot.pk])).content.decode()
    assert "尚未递交" in page and "已撤回" in page

    again, _draft, _answer = bid_submit(client, lot)
    clock.set(closes(lot) + timedelta(seconds=1))
    answer = client.post(reverse("sealed_bid_withdraw", args=[lot.pk]), follow=True)
    assert "投标截止时间" in answer.content.decode()
    assert SealedBid.objects.get(token=again.bid).status == BidStatus.COMMITTED


def test_a_commit_after_the_deadline_does_not_exist(clock: ControlledClock) -> None:
    world = make_world()
    lot = _lot(world)
    client = bidder_client(world.bidder_users[0])
    version, draft = bid_prepare(client, lot)

    clock.set(closes(lot))
    answer = commit(client, version, draft.commit_body())

    assert answer.status_code == 400 and "投标截止时间" in answer.json()["error"]
    assert answer.json()["code"] == "deadline_passed"
    assert SealedBid.objects.get(token=version.bid).status == BidStatus.UPLOADING
    assert not SealedBid.objects.filter(lot=lot, status=BidStatus.COMMITTED).exists()
    assert _sealed_entries(lot, "sealed_bid.committed") == []
    # Nor can it start again or upload more.
    assert bid_start(client, lot).status_code == 400
    late_chunk = client.post(
        chunk_url(version, 0, 0), b"x" * 64, content_type="application/octet-stream"
    )
    assert late_chunk.status_code == 400


def test_who_may_not_bid_is_told_why_and_nothing_changes(clock: ControlledClock) -> None:
    world = make_world()
    lot = first_lot(make_tender(world))
    enrol(lot, world.bidders[0])
    # Not enrolled: the lot's bids are not found (nor whether there are any).
    assert bid_start(bidder_client(world.bidder_users[1]), lot).status_code == 404
    assert (
        bidder_client(world.bidder_users[1]).get(reverse("sealed_bid_lot", args=[lot.pk]))
    ).status_code == 404
    # Other roles are not bidders at all.
    assert bid_start(bidder_client(world.staff), lot).status_code == 403
    # The deposit was due earlier and did not arrive (实施条例 第26条).
    DepositDeadline.objects.create(lot=lot, deadline=clock.now - timedelta(hours=1))
    refused = bid_start(bidder_client(world.bidder_users[0]), lot)
    assert refused.status_code == 400 and "保证金" in refused.json()["error"]
    DepositDeadline.objects.filter(lot=lot).delete()
    # A suspended lot takes nothing (实施条例 第22条).
    Lot.objects.filter(pk=lot.pk).update(suspended_at=clock.now)
    refused = bid_start(bidder_client(world.bidder_users[0]), lot)
    assert refused.status_code == 400 and "暂停" in refused.json()["error"]
    assert not SealedBid.objects.filter(lot=lot).exists()


def test_a_lot_without_sealed_bids_takes_none(clock: ControlledClock) -> None:
    world = make_world(business_type="land")
    lot = first_lot(make_tender(world))
    enrol(lot, world.bidders[0])
    refused = bid_start(bidder_client(world.bidder_users[0]), lot)
    assert refused.status_code == 400 and refused.json()["code"] == "not_sealed"
    assert not SealedBid.objects.filter(lot=lot).exists()


def test_oversize_and_surplus_uploads_are_refused(clock: ControlledClock, settings: Any) -> None:
    settings.SEALED_BID_DOCUMENT_MAX_BYTES = sealing.CHUNK_SIZE
    settings.SEALED_BID_MAX_DOCUMENTS = 2
    world = make_world()
    lot = _lot(world)
    client = bidder_client(world.bidder_users[0])
    version = started(bid_start(client, lot))

    def put(index: int, counter: int, data: bytes) -> Any:
        return client.post(
            chunk_url(version, index, counter), data, content_type="application/octet-stream"
        )

    oversize = put(1, 0, b"x" * (sealing.CHUNK_SIZE + sealing.TAG_BYTES + 1))
    assert oversize.status_code == 400 and "数据块过大" in oversize.json()["error"]
    beyond_limit = put(1, 1, b"x" * 64)  # a second MiB of a document limited to one
    assert beyond_limit.status_code == 400 and "不能超过 1 MB" in beyond_limit.json()["error"]
    too_many = put(3, 0, b"x" * 64)
    assert too_many.status_code == 400 and "最多包含 2 个" in too_many.json()["error"]
    assert put(0, 0, b"").status_code == 400
    assert not BidChunk.objects.filter(file__bid__token=version.bid).exists()


def test_a_commit_with_missing_chunks_or_other_hashes_is_refused(clock: ControlledClock) -> None:
    world = make_world()
    lot = _lot(world)
    client = bidder_client(world.bidder_users[0])
    version = started(bid_start(client, lot))
    draft = bid_seal(version.context, version.lot_public_key, OFFER, [("a.pdf", PDF)])
    upload(client, version, draft)
    body = draft.commit_body()

    BidChunk.objects.filter(file__bid__token=version.bid, file__index=1).delete()
    missing = commit(client, version, body)
    assert missing.status_code == 400 and missing.json()["code"] == "missing_chunks"

    changed = next(iter(draft.chunks(1)))
    client.post(
        chunk_url(version, 1, 0),
        changed[:-1] + bytes([changed[-1] ^ 1]),
        content_type="application/octet-stream",
    )
    differs = commit(client, version, body)
    assert differs.status_code == 400 and differs.json()["code"] == "hash_mismatch"

    malformed = commit(client, version, body | {"salt": "not base64"})
    assert malformed.status_code == 400 and "salt" in malformed.json()["error"]
    for raw in ("not json", json.dumps(body | {"pad": "x" * 70_000})):
        refused = client.post(version.commit_url, raw, content_type="application/json")
        assert refused.status_code == 400 and refused.json()["code"] == "body"
    wrong_suite = commit(client, version, body | {"suite": "rot13"})
    assert wrong_suite.status_code == 400 and "加密套件" in wrong_suite.json()["error"]
    assert SealedBid.objects.get(token=version.bid).status == BidStatus.UPLOADING
    assert _sealed_entries(lot, "sealed_bid.committed") == []


def test_another_bidders_bid_is_not_found(clock: ControlledClock) -> None:
    world = make_world()
    lot = _lot(world)
    owner = bidder_client(world.bidder_users[0])
    version, draft, _answer = bid_submit(owner, lot)
    other = bidder_client(world.bidder_users[1])

    assert other.get(chunk_url(version, 0, 0)).status_code == 404
    assert other.post(chunk_url(version, 0, 0), b"x" * 64, content_type="x").status_code == 404
    assert commit(other, version, draft.commit_body()).status_code == 404
    assert other.get(reverse("sealed_bid_receipt", args=[version.bid])).status_code == 404
    assert bidder_client(world.staff).get(chunk_url(version, 0, 0)).status_code == 404
    assert owner.get(chunk_url(version, 0, 0)).status_code == 200


def test_a_certificate_not_in_the_bidders_vault_is_refused(clock: ControlledClock) -> None:
    world = make_world()
    lot = _lot(world)
    client = bidder_client(world.bidder_users[0])
    version, draft = bid_prepare(client, lot)
    refused = commit(client, version, draft.commit_body() | {"certificates": [999_999]})
    assert refused.status_code == 400 and "证书库" in refused.json()["error"]
    assert SealedBid.objects.get(token=version.bid).status == BidStatus.UPLOADING


def test_the_enrolment_page_and_the_workspace_link_the_bid_page(clock: ControlledClock) -> None:
    world = make_world()
    lot = _lot(world)
    client = bidder_client(world.bidder_users[0])
    bid_page = reverse("sealed_bid_lot", args=[lot.pk])
    assert bid_page in client.get(reverse("enrolment_lot", args=[lot.pk])).content.decode()
    # The workspace's "submit the bid" step leads there too.
    assert bid_page in client.get(reverse("enrolment_list")).content.decode()


def _without_tokens(html: str) -> str:
    # A fresh CSRF token per response is the only difference a page may show.
    return re.sub(r"[A-Za-z0-9]{64}", "", html)


def test_another_bidders_pages_say_nothing_about_who_bid(clock: ControlledClock) -> None:
    world = make_world()
    lot = _lot(world)
    watcher = bidder_client(world.bidder_users[1])
    urls = [
        reverse("sealed_bid_lot", args=[lot.pk]),
        reverse("enrolment_lot", args=[lot.pk]),
        reverse("enrolment_list"),
    ]
    before = [_without_tokens(watcher.get(url).content.decode()) for url in urls]
    bid_submit(bidder_client(world.bidder_users[0]), lot)
    bid_submit(bidder_client(world.bidder_users[2]), lot)
    after = [_without_tokens(watcher.get(url).content.decode()) for url in urls]
    assert after == before


def test_withdrawing_the_enrolment_withdraws_its_bid(clock: ControlledClock) -> None:
    world = make_world()
    lot = _lot(world)
    client = bidder_client(world.bidder_users[0])
    version, _draft, _answer = bid_submit(client, lot)

    client.post(reverse("enrolment_withdraw", args=[lot.pk]))

    bid = SealedBid.objects.get(token=version.bid)
    assert bid.status == BidStatus.WITHDRAWN and bid.withdrawn_at == clock.now
    assert client.get(reverse("sealed_bid_lot", args=[lot.pk])).status_code == 404


def test_an_upload_abandoned_for_a_later_version_is_cleared(clock: ControlledClock) -> None:
    world = make_world()
    lot = _lot(world)
    client = bidder_client(world.bidder_users[0])
    abandoned, draft = bid_prepare(client, lot)
    bid_submit(client, lot)

    assert not BidChunk.objects.filter(file__bid__token=abandoned.bid).exists()
    late = commit(client, abandoned, draft.commit_body())
    assert late.status_code == 400 and late.json()["code"] == "missing_chunks"
