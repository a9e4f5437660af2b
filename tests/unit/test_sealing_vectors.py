"""The committed test vectors (bidding/sealing_vectors.json) are what the format computes.

The JavaScript implementation is held to the same file in Chromium
(tests/browser/test_sealing_in_chromium.py); here the Python side opens the vector bid the way the
opening does, from the published inputs, and regenerating the file changes nothing.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from bidding import sealing_vectors
from bidding.domain import sealing
from bidding.domain.sealing import BidContext
from trading.signing import verify_signature

VECTORS = json.loads(sealing_vectors.PATH.read_text(encoding="utf-8"))
INPUTS = VECTORS["inputs"]
DERIVED = VECTORS["derived"]
CONTEXT = BidContext(**INPUTS["context"])


def test_regenerating_the_vectors_reproduces_the_committed_file():
    assert sealing_vectors.vectors_json() == sealing_vectors.PATH.read_text(encoding="utf-8")
    assert sealing_vectors.main(["--check"]) == 0


def test_the_lot_key_opens_the_wrapped_platform_share():
    lot = ec.derive_private_key(int(INPUTS["lot_key"]["private_scalar_hex"], 16), ec.SECP256R1())
    assert (
        sealing.b64(sealing.public_key_bytes(lot.public_key())) == INPUTS["lot_key"]["public_key"]
    )
    envelope = DERIVED["commit_body"]["platform_share"]
    assert envelope == DERIVED["wrap"]["envelope"]
    assert envelope["ephemeral"] == INPUTS["ephemeral_key"]["public_key"]
    assert envelope["nonce"] == INPUTS["wrap_nonce"]
    share = sealing.platform_share_unwrap(lot, envelope, CONTEXT)
    assert sealing.b64(share) == INPUTS["platform_share"]
    ephemeral = sealing.public_key_load(sealing.unb64(envelope["ephemeral"]))
    assert lot.exchange(ec.ECDH(), ephemeral).hex() == DERIVED["wrap"]["shared_secret_hex"]


def test_the_key_file_and_the_share_commitments():
    context, bidder_share = sealing.key_file_read(DERIVED["key_file"])
    assert context == CONTEXT and sealing.b64(bidder_share) == INPUTS["bidder_share"]
    assert DERIVED["key_file_json"] == sealing.canonical_json(DERIVED["key_file"]).decode()
    platform_share = sealing.unb64(INPUTS["platform_share"])
    body = DERIVED["commit_body"]
    assert body["bidder_share_commitment"] == sealing.share_commitment(
        "bidder", bidder_share, CONTEXT
    )
    assert body["platform_share_commitment"] == sealing.share_commitment(
        "platform", platform_share, CONTEXT
    )
    assert (
        body["platform_share_commitment"]
        == hashlib.sha256(bytes.fromhex(DERIVED["platform_share_commitment_input_hex"])).hexdigest()
    )
    assert DERIVED["context"] == CONTEXT.encode().decode()
    assert body["suite"] == VECTORS["suite"] == sealing.SUITE
    assert body["salt"] == INPUTS["salt"]


@pytest.mark.parametrize("position", range(3))
def test_every_file_opens_chunk_by_chunk_to_its_plaintext(position):
    file = DERIVED["files"][position]
    index = file["index"]
    platform, bidder = (sealing.unb64(INPUTS[name]) for name in ("platform_share", "bidder_share"))
    key = sealing.content_key(platform, bidder, sealing.unb64(INPUTS["salt"]), CONTEXT, index)
    assert key.hex() == file["content_key_hex"]
    assert file["file_context"] == CONTEXT.file(index).decode()
    ciphertext = b""
    plaintext = b""
    for chunk in file["chunks"]:
        counter, last = chunk["counter"], chunk["last"]
        assert sealing.chunk_nonce(counter, last).hex() == chunk["nonce_hex"]
        assert sealing.chunk_aad(CONTEXT, index, counter, last).hex() == chunk["aad_hex"]
        data = sealing.unb64(chunk["ciphertext"])
        ciphertext += data
        plaintext += sealing.chunk_open(
            key, CONTEXT, index, counter, last, data, chunk_size=VECTORS["chunk_size"]
        )
    assert sealing.b64(plaintext) == file["plaintext"]
    assert hashlib.sha256(plaintext).hexdigest() == file["plaintext_sha256"]
    assert hashlib.sha256(ciphertext).hexdigest() == file["sha256"]
    assert (len(ciphertext), len(file["chunks"])) == (file["size"], file["chunk_count"])
    summary = DERIVED["commit_body"]["files"][position]
    assert summary == {
        "index": index,
        "chunks": len(file["chunks"]),
        "size": file["size"],
        "sha256": file["sha256"],
    }
    if index > 0:
        document = INPUTS["documents"][index - 1]
        assert file["plaintext"] == document["content"]
        assert DERIVED["content"]["documents"][index - 1] == {
            "file": index,
            "name": document["name"],
            "size": len(plaintext),
            "sha256": hashlib.sha256(plaintext).hexdigest(),
        }


def test_the_offer_opens_and_matches_the_content_commitment():
    offer = sealing.unb64(DERIVED["files"][0]["plaintext"])
    assert offer.decode() == DERIVED["offer_plaintext"]
    commitment_key, content = sealing.offer_parse(offer)
    assert sealing.b64(commitment_key) == INPUTS["commitment_key"]
    assert content == DERIVED["content"] and content["offer"] == INPUTS["offer"]
    assert (
        sealing.content_commitment(commitment_key, content, CONTEXT)
        == (DERIVED["commit_body"]["content_commitment"])
    )
    assert (
        b"tianping/1/content\x00" + CONTEXT.encode() + b"\x00" + sealing.canonical_json(content)
    ).hex() == DERIVED["content_commitment_input_hex"]


def test_canonical_json_cases():
    for case in VECTORS["canonical_json"]:
        assert sealing.canonical_json(case["value"]).decode() == case["text"]


def test_the_receipt_signature_covers_the_receipt_without_it():
    receipt = VECTORS["receipt"]
    signed = sealing.receipt_bytes({**receipt["receipt"], "signature": receipt["signature"]})
    assert sealing.b64(signed) == receipt["signed_bytes"]
    assert verify_signature(receipt["public_key"], signed, receipt["signature"])
    changed = {**receipt["receipt"], "bidder_number": 4}
    assert not verify_signature(
        receipt["public_key"], sealing.receipt_bytes(changed), receipt["signature"]
    )
