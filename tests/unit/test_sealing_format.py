"""The sealed-bid format holds its promises (bidding/SEALING.md, DESIGN.md invariant 3).

Small chunk sizes let a few hundred bytes cross many chunk boundaries; the format treats the chunk
size as a parameter and production uses 1 MiB.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bidding.domain import sealing
from bidding.domain.sealing import BidContext, SealingError

KEY = bytes(range(32))
CONTEXT = BidContext(lot=3, enrolment=5, version=2)
ids = st.integers(min_value=0, max_value=2**40)
contexts = st.builds(BidContext, ids, ids, st.integers(min_value=1, max_value=1000))
chunk_sizes = st.integers(min_value=1, max_value=48)


def seal(data: bytes, chunk_size: int, context: BidContext = CONTEXT, index: int = 1) -> list:
    return list(
        sealing.stream_seal(KEY, context, index, io.BytesIO(data).read, chunk_size=chunk_size)
    )


def opened(chunks, chunk_size: int, context: BidContext = CONTEXT, index: int = 1) -> bytes:
    return b"".join(sealing.stream_open(KEY, context, index, chunks, chunk_size=chunk_size))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), chunk_sizes)
def test_any_file_comes_back_whole_across_chunk_boundaries(data, chunk_size):
    chunks = seal(data, chunk_size)
    assert opened(chunks, chunk_size) == data
    count, size = sealing.sealed_size(len(data), chunk_size=chunk_size)
    assert (len(chunks), sum(map(len, chunks))) == (count, size)
    assert all(len(chunk) == chunk_size + sealing.TAG_BYTES for chunk in chunks[:-1])


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=2, max_size=300), chunk_sizes, st.data())
def test_reordered_chunks_do_not_open(data, chunk_size, draw):
    chunks = seal(data, chunk_size)
    if len(chunks) < 2:
        chunk_size = max(1, len(data) // 2)
        chunks = seal(data, chunk_size)
    order = draw.draw(st.permutations(range(len(chunks))))
    if list(order) == sorted(order):
        order = list(reversed(order))
    with pytest.raises(SealingError) as refused:
        opened([chunks[i] for i in order], chunk_size)
    assert refused.value.part == "content"


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=1, max_size=300), chunk_sizes, st.data())
def test_a_dropped_chunk_or_a_truncated_file_does_not_open(data, chunk_size, draw):
    chunks = seal(data, chunk_size)
    dropped = draw.draw(st.integers(min_value=0, max_value=len(chunks) - 1))
    with pytest.raises(SealingError):
        opened(chunks[:dropped] + chunks[dropped + 1 :], chunk_size)
    kept = draw.draw(st.integers(min_value=0, max_value=len(chunks) - 1))
    with pytest.raises(SealingError):
        opened(chunks[:kept], chunk_size)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), chunk_sizes, st.data())
def test_an_appended_chunk_does_not_open(data, chunk_size, draw):
    chunks = seal(data, chunk_size)
    extra = draw.draw(
        st.one_of(st.sampled_from(chunks), st.binary(min_size=16, max_size=chunk_size + 16))
    )
    with pytest.raises(SealingError):
        opened([*chunks, extra], chunk_size)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300), chunk_sizes, st.data())
def test_any_flipped_bit_of_any_chunk_does_not_open(data, chunk_size, draw):
    chunks = seal(data, chunk_size)
    which = draw.draw(st.integers(min_value=0, max_value=len(chunks) - 1))
    bit = draw.draw(st.integers(min_value=0, max_value=len(chunks[which]) * 8 - 1))
    damaged = bytearray(chunks[which])
    damaged[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(SealingError) as refused:
        opened([*chunks[:which], bytes(damaged), *chunks[which + 1 :]], chunk_size)
    assert refused.value.part == "content"


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=120), contexts, st.integers(min_value=0, max_value=50))
def test_chunks_open_only_in_their_own_lot_enrolment_version_and_file(data, context, index):
    chunks = seal(data, 16, context, index)
    assert opened(chunks, 16, context, index) == data
    others = [
        (BidContext(context.lot + 1, context.enrolment, context.version), index),
        (BidContext(context.lot, context.enrolment + 1, context.version), index),
        (BidContext(context.lot, context.enrolment, context.version + 1), index),
        (context, index + 1),
    ]
    for other, other_index in others:
        with pytest.raises(SealingError):
            opened(chunks, 16, other, other_index)


@settings(max_examples=80, deadline=None)
@given(
    contexts, contexts, st.integers(0, 9), st.integers(0, 9), st.binary(min_size=32, max_size=32)
)
def test_different_contexts_never_share_a_key_or_a_commitment(first, second, i, j, share):
    salt = bytes(32)
    if (first, i) != (second, j):
        assert sealing.content_key(share, share, salt, first, i) != sealing.content_key(
            share, share, salt, second, j
        )
    if first != second:
        for role in ("platform", "bidder"):
            assert sealing.share_commitment(role, share, first) != sealing.share_commitment(
                role, share, second
            )
        content = {"offer": {"price": "1.00"}, "documents": []}
        assert sealing.content_commitment(share, content, first) != sealing.content_commitment(
            share, content, second
        )
    assert sealing.share_commitment("platform", share, first) != sealing.share_commitment(
        "bidder", share, first
    )


def test_the_chunk_nonce_and_associated_data_carry_counter_and_last_flag():
    assert sealing.chunk_nonce(0x0304, True).hex() == "00000000000000" + "00000304" + "01"
    assert sealing.chunk_aad(CONTEXT, 1, 5, False) == (
        b"tianping/1/chunk\x00lot=3;enrolment=5;version=2;file=1\x00\x00\x00\x00\x05\x00"
    )


def test_an_empty_file_is_one_empty_last_chunk_and_no_chunks_is_refused():
    chunks = seal(b"", 16)
    assert [len(chunk) for chunk in chunks] == [sealing.TAG_BYTES]
    assert opened(chunks, 16) == b""
    with pytest.raises(SealingError):
        opened([], 16)


def test_a_short_chunk_cannot_be_sealed_in_the_middle_of_a_file():
    with pytest.raises(SealingError):
        sealing.chunk_seal(KEY, CONTEXT, 1, 0, False, b"short", chunk_size=16)


def test_a_wrapped_platform_share_opens_only_with_the_lot_s_key_and_its_context():
    from cryptography.hazmat.primitives.asymmetric import ec

    lot_key = ec.generate_private_key(ec.SECP256R1())
    public = sealing.public_key_bytes(lot_key.public_key())
    share = bytes(range(1, 33))
    envelope = sealing.platform_share_wrap(public, share, CONTEXT)
    assert sealing.platform_share_unwrap(lot_key, envelope, CONTEXT) == share
    other_lot = ec.generate_private_key(ec.SECP256R1())
    cases: list[tuple[Any, BidContext, Any]] = [
        (other_lot, CONTEXT, envelope),
        (lot_key, BidContext(3, 5, 3), envelope),
        (lot_key, CONTEXT, {**envelope, "nonce": sealing.b64(bytes(12))}),
        (lot_key, CONTEXT, {**envelope, "ephemeral": sealing.b64(b"\x04" + bytes(64))}),
        (lot_key, CONTEXT, {"nonce": envelope["nonce"]}),
        (lot_key, CONTEXT, "not an envelope"),
    ]
    for key, context, env in cases:
        with pytest.raises(SealingError) as refused:
            sealing.platform_share_unwrap(key, env, context)
        assert refused.value.part == "platform_share"


def test_the_key_file_checks_itself():
    share = bytes(range(32))
    document = sealing.key_file(CONTEXT, share)
    assert sealing.key_file_read(document) == (CONTEXT, share)
    tampered = [
        {**document, "version": 3},
        {**document, "version": "2"},
        {**document, "lot": True},
        {**document, "bidder_share": sealing.b64(bytes(32))},
        {**document, "bidder_share": "***"},
        {**document, "commitment": "é" * 64},
        {**document, "format": "something-else/1"},
        {key: value for key, value in document.items() if key != "commitment"},
        ["not", "a", "key", "file"],
    ]
    for candidate in tampered:
        with pytest.raises(SealingError) as refused:
            sealing.key_file_read(candidate)
        assert refused.value.part == "key_file"


def test_canonical_json_is_one_encoding_and_refuses_what_javascript_would_write_differently():
    assert sealing.canonical_json({"b": [1, "价"], "a": None, "c": True}) == (
        '{"a":null,"b":[1,"价"],"c":true}'.encode()
    )
    for bad in [{"price": 1.5}, {1: "x"}, {"n": 2**53}, {"s": "\ud800"}, {"b": b"bytes"}]:
        with pytest.raises(SealingError):
            sealing.canonical_json(bad)


def test_file_zero_must_be_the_canonical_offer():
    key = bytes(range(32))
    plain = sealing.offer_plaintext(key, {"price": "100.00"}, [])
    assert sealing.offer_parse(plain) == (key, {"offer": {"price": "100.00"}, "documents": []})
    spaced = plain.replace(b",", b", ")
    for bad in [spaced, b"not json", b"[]", plain.replace(b"tianping-sealed/1", b"other/1")]:
        with pytest.raises(SealingError) as refused:
            sealing.offer_parse(bad)
        assert refused.value.part == "offer"


def test_a_lot_key_is_only_taken_as_an_uncompressed_point_on_p256():
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    compressed = key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    for raw in [compressed, b"\x04" + bytes(64), b"", sealing.public_key_bytes(key)[:-1]]:
        with pytest.raises(SealingError) as refused:
            sealing.platform_share_wrap(raw, bytes(32), CONTEXT)
        assert refused.value.part == "public_key"
