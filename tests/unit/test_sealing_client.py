"""The Python bidder's client seals what the format carries and refuses what it does not."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from bidding.client import DocumentRefused, bid_seal
from bidding.domain import sealing
from bidding.domain.sealing import BidContext, SealingError

CONTEXT = BidContext(lot=4, enrolment=9, version=1)
OFFER = {"price": "1234567.89", "duration_days": "180", "quality": "合格"}


@pytest.fixture
def lot_key():
    return ec.generate_private_key(ec.SECP256R1())


def pdf(size: int) -> bytes:
    return b"%PDF-1.7\n" + os.urandom(max(0, size - 9))


def public(lot_key) -> bytes:
    return sealing.public_key_bytes(lot_key.public_key())


def open_bid(draft, lot_key, stored):
    """What the opening does with the commit body, the key file and the stored chunks."""
    body = draft.commit_body()
    context, bidder_share = sealing.key_file_read(draft.key_file())
    assert (
        sealing.share_commitment("bidder", bidder_share, context) == body["bidder_share_commitment"]
    )
    platform_share = sealing.platform_share_unwrap(lot_key, body["platform_share"], context)
    assert (
        sealing.share_commitment("platform", platform_share, context)
        == body["platform_share_commitment"]
    )
    salt = sealing.unb64(body["salt"], size=32)
    files = {}
    for summary in body["files"]:
        index = summary["index"]
        assert hashlib.sha256(b"".join(stored[index])).hexdigest() == summary["sha256"]
        key = sealing.content_key(platform_share, bidder_share, salt, context, index)
        files[index] = b"".join(
            sealing.stream_open(key, context, index, stored[index], chunk_size=draft.chunk_size)
        )
    commitment_key, content = sealing.offer_parse(files[0])
    assert (
        sealing.content_commitment(commitment_key, content, context) == (body["content_commitment"])
    )
    return content, files


def test_a_sealed_bid_with_documents_opens_with_both_shares(lot_key, tmp_path):
    on_disk = tmp_path / "技术标.pdf"
    on_disk.write_bytes(pdf(1000))
    in_memory = pdf(64)
    draft = bid_seal(
        CONTEXT,
        public(lot_key),
        OFFER,
        [("技术标.pdf", on_disk), ("商务标.pdf", in_memory)],
        chunk_size=100,
    )
    assert draft.file_indices() == [0, 1, 2]
    stored = {index: list(draft.chunks(index)) for index in draft.file_indices()}
    assert len(stored[1]) == 10
    content, files = open_bid(draft, lot_key, stored)
    assert content["offer"] == OFFER
    assert [d["name"] for d in content["documents"]] == ["技术标.pdf", "商务标.pdf"]
    assert files[1] == on_disk.read_bytes()
    assert files[2] == in_memory
    assert content["documents"][0]["sha256"] == hashlib.sha256(files[1]).hexdigest()
    draft.check_upload(lambda index: stored[index])


def test_the_self_check_names_the_file_whose_upload_came_back_wrong(lot_key):
    draft = bid_seal(CONTEXT, public(lot_key), OFFER, [("a.pdf", pdf(300))], chunk_size=64)
    stored = {index: list(draft.chunks(index)) for index in draft.file_indices()}
    stored[1] = stored[1][:-1]
    with pytest.raises(SealingError) as refused:
        draft.check_upload(lambda index: stored[index])
    assert refused.value.part == "upload"
    assert "file 1" in str(refused.value)


def test_documents_that_are_not_pdf_too_large_or_too_many_are_refused(lot_key, tmp_path):
    word = tmp_path / "bid.docx"
    word.write_bytes(b"PK\x03\x04 a zip container")
    cases: list[tuple[list[tuple[str, Any]], dict[str, Any], str]] = [
        ([("bid.docx", word)], {}, "not a PDF"),
        ([("empty.pdf", b"")], {}, "not a PDF"),
        ([("big.pdf", pdf(2001))], {"max_document_bytes": 2000}, "more than the limit"),
        ([(f"{n}.pdf", pdf(10)) for n in range(4)], {"max_documents": 3}, "at most 3"),
    ]
    for documents, limits, message in cases:
        with pytest.raises(DocumentRefused) as refused:
            bid_seal(CONTEXT, public(lot_key), OFFER, documents, **limits)
        assert message in str(refused.value)
    assert bid_seal(
        CONTEXT, public(lot_key), OFFER, [("ok.pdf", pdf(2000))], max_document_bytes=2000
    )


def test_an_offer_with_a_float_is_refused_before_anything_is_sealed(lot_key):
    with pytest.raises(SealingError) as refused:
        bid_seal(CONTEXT, public(lot_key), {"price": 1.5})
    assert refused.value.part == "json"


def test_a_document_changed_after_sealing_is_not_encrypted_again(lot_key, tmp_path):
    on_disk = tmp_path / "a.pdf"
    on_disk.write_bytes(pdf(200))
    draft = bid_seal(CONTEXT, public(lot_key), OFFER, [("a.pdf", on_disk)], chunk_size=64)
    on_disk.write_bytes(pdf(201))
    with pytest.raises(DocumentRefused):
        list(draft.chunks(1))


def test_a_wrong_lot_key_does_not_open_the_platform_share(lot_key):
    draft = bid_seal(CONTEXT, public(lot_key), OFFER)
    other = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(SealingError) as refused:
        sealing.platform_share_unwrap(other, draft.commit_body()["platform_share"], CONTEXT)
    assert refused.value.part == "platform_share"
