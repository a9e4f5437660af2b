"""Hash chains and Merkle roots of the ledger (DESIGN.md invariant 6), without a database."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from trading.domain.ledger import (
    GENESIS,
    CheckpointContent,
    EntryContent,
    canonical_bytes,
    head_leaf,
    merkle_root,
    merkle_tree_hash,
    plain_payload,
    verify_chain,
)
from trading.signing import key_id, raw_public_key, verify_signature

START = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)

json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
payloads = st.dictionaries(st.text(max_size=6), json_values, max_size=4)


def build_chain(
    payload_list: list[dict[str, Any]], scope: str = "tender:1"
) -> list[tuple[EntryContent, str]]:
    chain, prev = [], GENESIS
    for index, payload in enumerate(payload_list):
        content = EntryContent(
            scope=scope,
            seq=index + 1,
            prev_hash=prev,
            recorded_at=START + timedelta(seconds=index),
            actor_id=7,
            actor_label="zhangsan",
            action="lot.published",
            object_type="lot",
            object_id=str(index),
            payload=payload,
        )
        prev = content.hash()
        chain.append((content, prev))
    return chain


# --- canonical bytes ------------------------------------------------------------------------------


@given(st.dictionaries(st.text(max_size=6), json_values, max_size=6), st.randoms())
def test_canonical_bytes_do_not_depend_on_key_order(document: dict[str, Any], rnd: Any) -> None:
    items = list(document.items())
    rnd.shuffle(items)
    assert canonical_bytes(dict(items)) == canonical_bytes(document)


def test_canonical_bytes_are_compact_sorted_utf8() -> None:
    assert canonical_bytes({"b": 1, "a": ["天平", None]}) == '{"a":["天平",null],"b":1}'.encode()


def test_an_instant_hashes_the_same_in_any_time_zone() -> None:
    (content, stored), *_ = build_chain([{}])
    shanghai = content.recorded_at.astimezone(timezone(timedelta(hours=8)))
    assert dataclasses.replace(content, recorded_at=shanghai).hash() == stored


def test_naive_times_are_refused() -> None:
    (content, _stored), *_ = build_chain([{}])
    with pytest.raises(ValueError, match="timezone-aware"):
        dataclasses.replace(content, recorded_at=datetime(2026, 11, 30, 12)).hash()


# --- payloads -------------------------------------------------------------------------------------


def test_payload_values_become_plain_json() -> None:
    assert plain_payload(
        {
            "amount": Decimal("1234.50"),
            "at": datetime(2026, 11, 30, 12, tzinfo=timezone(timedelta(hours=8))),
            "day": date(2026, 11, 30),
            "id": UUID("12345678-1234-5678-1234-567812345678"),
            "items": (1, "二", None, True),
        }
    ) == {
        "amount": "1234.50",
        "at": "2026-11-30T04:00:00.000000+00:00",
        "day": "2026-11-30",
        "id": "12345678-1234-5678-1234-567812345678",
        "items": [1, "二", None, True],
    }


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"amount": 1.5}, "not float"),
        ({1: "x"}, "keys must be strings"),
        ({"x": {1, 2}}, "cannot hold set"),
        ({"at": datetime(2026, 11, 30, 12)}, "timezone-aware"),
    ],
)
def test_payloads_that_would_not_read_back_as_hashed_are_refused(
    payload: dict[Any, Any], message: str
) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        plain_payload(payload)


# --- chains ---------------------------------------------------------------------------------------


@given(st.lists(payloads, max_size=6))
def test_an_intact_chain_verifies_to_its_last_entry(payload_list: list[dict[str, Any]]) -> None:
    chain = build_chain(payload_list)
    last_seq, last_hash, broken = verify_chain("tender:1", chain)
    assert broken is None
    assert last_seq == len(chain)
    assert last_hash == (chain[-1][1] if chain else GENESIS)


ENTRY_FIELDS = [f.name for f in dataclasses.fields(EntryContent) if f.name != "hash_alg"]


def _changed(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, datetime):
        return value + timedelta(microseconds=1)
    if isinstance(value, dict):
        return {**value, "tampered": True}
    raise AssertionError(value)


@given(
    payload_list=st.lists(payloads, min_size=1, max_size=6),
    data=st.data(),
    field=st.sampled_from([*ENTRY_FIELDS, "stored hash"]),
)
def test_any_single_field_change_is_reported_at_that_seq(
    payload_list: list[dict[str, Any]], data: st.DataObject, field: str
) -> None:
    chain = build_chain(payload_list)
    index = data.draw(st.integers(0, len(chain) - 1))
    content, stored = chain[index]
    if field == "stored hash":
        chain[index] = (content, _changed(stored))
    else:
        changed = dataclasses.replace(content, **{field: _changed(getattr(content, field))})
        chain[index] = (changed, stored)
    last_seq, _last_hash, broken = verify_chain("tender:1", chain)
    assert broken is not None
    assert (broken.scope, broken.seq) == ("tender:1", index + 1)
    assert last_seq == index


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("payload", "hash_mismatch"),
        ("action", "hash_mismatch"),
        ("recorded_at", "hash_mismatch"),
        ("prev_hash", "prev_mismatch"),
        ("seq", "missing"),
    ],
)
def test_each_kind_of_change_names_its_reason(field: str, reason: str) -> None:
    chain = build_chain([{"n": n} for n in range(5)])
    content, stored = chain[2]
    chain[2] = (dataclasses.replace(content, **{field: _changed(getattr(content, field))}), stored)
    _last_seq, _last_hash, broken = verify_chain("tender:1", chain)
    assert broken is not None
    assert (broken.seq, broken.reason) == (3, reason)


@pytest.mark.parametrize("deleted", [1, 2, 3, 4])
def test_deleting_an_entry_before_the_last_is_reported_as_missing(deleted: int) -> None:
    chain = build_chain([{"n": n} for n in range(5)])
    del chain[deleted - 1]
    _last_seq, _last_hash, broken = verify_chain("tender:1", chain)
    assert broken is not None
    assert (broken.seq, broken.reason) == (deleted, "missing")


def test_deleting_the_last_entry_leaves_a_chain_shorter_than_its_head() -> None:
    # The chain itself still links; the caller catches it by comparing with the stored head.
    chain = build_chain([{"n": n} for n in range(5)])
    last_seq, last_hash, broken = verify_chain("tender:1", chain[:-1])
    assert broken is None
    assert (last_seq, last_hash) == (4, chain[3][1])


def test_an_unknown_hash_algorithm_is_a_break_not_a_crash() -> None:
    chain = build_chain([{}, {}])
    content, stored = chain[1]
    chain[1] = (dataclasses.replace(content, hash_alg="md5"), stored)
    _last_seq, _last_hash, broken = verify_chain("tender:1", chain)
    assert broken is not None
    assert (broken.seq, broken.reason) == (2, "unknown_algorithm")


def test_a_rewritten_suffix_with_recomputed_hashes_links_on_its_own() -> None:
    # Why checkpoints exist: the chain alone cannot tell a consistent rewrite from the original.
    original = build_chain([{"n": n} for n in range(5)])
    forged, prev = original[:2], original[1][1]
    for content, _stored in original[2:]:
        content = dataclasses.replace(content, prev_hash=prev, payload={"forged": True})
        prev = content.hash()
        forged.append((content, prev))
    last_seq, last_hash, broken = verify_chain("tender:1", forged)
    assert broken is None
    assert (last_seq, last_hash != original[-1][1]) == (5, True)


# --- Merkle roots ---------------------------------------------------------------------------------

hex64 = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
heads_strategy = st.lists(
    st.tuples(st.text(min_size=1, max_size=10), st.integers(1, 10**6), hex64),
    min_size=1,
    max_size=12,
    unique_by=lambda head: head[0],
)


@given(heads_strategy, st.randoms())
def test_merkle_root_does_not_depend_on_input_order(heads: list[Any], rnd: Any) -> None:
    shuffled = list(heads)
    rnd.shuffle(shuffled)
    assert merkle_root(shuffled) == merkle_root(heads)


@given(heads_strategy, st.data())
def test_merkle_root_changes_when_any_head_changes(heads: list[Any], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(heads) - 1))
    part = data.draw(st.integers(0, 2))
    head = list(heads[index])
    head[part] = head[part] + 1 if part == 1 else head[part] + "x"
    changed = [*heads[:index], tuple(head), *heads[index + 1 :]]
    assert merkle_root(changed) != merkle_root(heads)


@given(heads_strategy)
def test_merkle_root_changes_when_a_head_is_dropped(heads: list[Any]) -> None:
    assert merkle_root(heads[:-1]) != merkle_root(heads)


def test_the_empty_tree_hashes_the_empty_string() -> None:
    assert merkle_root([]) == hashlib.sha256(b"").hexdigest()


def test_a_single_leaf_is_not_its_own_node() -> None:
    # RFC 6962 domain separation: a leaf hash is prefixed 0x00, so it differs from a bare hash.
    head = ["platform", 1, GENESIS]
    assert merkle_root([head]) != hashlib.sha256(canonical_bytes({"head": head})).hexdigest()


# --- RFC 6962 known answers -----------------------------------------------------------------------

# The reference leaf inputs and Merkle Tree Hashes of the tree made of the first n of them, n = 0…8,
# of Certificate Transparency: transparency-dev/merkle testonly/constants.go (LeafInputs,
# RootHashes), formerly google/trillian merkle/testonly, from google/certificate-transparency.
RFC6962_LEAVES = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
RFC6962_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


@pytest.mark.parametrize("size", range(len(RFC6962_ROOTS)))
def test_merkle_tree_hash_matches_the_rfc6962_reference_roots(size: int) -> None:
    leaves = [bytes.fromhex(leaf) for leaf in RFC6962_LEAVES[:size]]
    assert merkle_tree_hash(leaves).hex() == RFC6962_ROOTS[size]


def _rfc6962_mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 read literally: split at the largest power of two smaller than n."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + _rfc6962_mth(leaves[:k]) + _rfc6962_mth(leaves[k:])).digest()


@given(st.lists(st.binary(max_size=4), max_size=70))
def test_merkle_tree_hash_is_the_rfc6962_recursive_definition(leaves: list[bytes]) -> None:
    assert merkle_tree_hash(leaves) == _rfc6962_mth(leaves)


# --- the project's own fixed vectors: heads → root → signed checkpoint ----------------------------

# Any change in how a head becomes a leaf, in the tree, in the checkpoint document or in what is
# signed changes these bytes, and checkpoints already published would no longer verify.
FIXED_HEADS = [
    ["tender:7", 12, "c3" * 32],
    ["platform", 41, "a1" * 32],
    ["sealed_lot:9", 3, "b2" * 32],
]
FIXED_ROOT = "899632593dfba69d4c520badd529e438e9a7ec307a2547121fb75716bb8088bc"
TEST_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))  # a fixed Ed25519 test key
TEST_KEY_ID = "56475aa75463474c0285df5dbf2bcab73da651358839e9b77481b2eab107708c"
FIXED_CHECKPOINT = CheckpointContent(
    seq=42,
    created_at=datetime(2026, 11, 30, 4, 1, tzinfo=UTC),
    prev_hash="d4" * 32,
    root=FIXED_ROOT,
    heads_count=3,
    key_id=TEST_KEY_ID,
)
FIXED_SIGNED_BYTES = (
    "7b22616c67223a22736861323536222c226174223a22323032362d31312d33305430343a30313a30302e3030"
    "303030302b30303a3030222c226865616473223a332c226b6579223a22353634373561613735343633343734"
    "6330323835646635646266326263616237336461363531333538383339653962373734383162326561623130"
    "3737303863222c226d65726b6c65223a227368613235362d6d65726b6c652d72666336393632222c22707265"
    "76223a2264346434643464346434643464346434643464346434643464346434643464346434643464346434"
    "643464346434643464346434643464346434643464346434222c22726f6f74223a2238393936333235393364"
    "6662613639643463353230626164643532396534333865396137656333303761323534373132316662373537"
    "31366262383038386263222c22736571223a34327d"
)
FIXED_CHECKPOINT_HASH = "51568dce1b02ee3b4ef2c82879b4c50be42e37e039035d609e63a9121b0f4a57"
FIXED_SIGNATURE = (
    "be33a82a4a7c176d4b1306995ddbdb5465a90f0be186948d051682fddc0b77bb"
    "b5e3e7c8d1fb40e98034bd07289345484e1f0afb1d2e95db54c6ce4be798c001"
)


def test_a_head_is_hashed_as_its_canonical_json() -> None:
    assert head_leaf(FIXED_HEADS[1]) == b'{"head":["platform",41,"' + b"a1" * 32 + b'"]}'


def test_fixed_heads_give_the_fixed_root() -> None:
    assert merkle_root(FIXED_HEADS) == FIXED_ROOT
    assert (
        merkle_root(FIXED_HEADS)
        == merkle_tree_hash([head_leaf(head) for head in sorted(FIXED_HEADS)]).hex()
    )


def test_the_fixed_checkpoint_signs_the_fixed_bytes() -> None:
    assert key_id(TEST_KEY.public_key()) == TEST_KEY_ID
    assert FIXED_CHECKPOINT.signed_bytes().hex() == FIXED_SIGNED_BYTES
    assert FIXED_CHECKPOINT.hash() == FIXED_CHECKPOINT_HASH
    # Ed25519 is deterministic: the same key and bytes always give this signature.
    assert TEST_KEY.sign(FIXED_CHECKPOINT.signed_bytes()).hex() == FIXED_SIGNATURE
    public = base64.b64encode(raw_public_key(TEST_KEY.public_key())).decode()
    signature = base64.b64encode(bytes.fromhex(FIXED_SIGNATURE)).decode()
    assert verify_signature(public, bytes.fromhex(FIXED_SIGNED_BYTES), signature)


# --- checkpoints ----------------------------------------------------------------------------------

CHECKPOINT = CheckpointContent(
    seq=3,
    created_at=START,
    prev_hash=GENESIS,
    root=merkle_root([["platform", 1, GENESIS]]),
    heads_count=1,
    key_id="ab" * 32,
)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("seq", 4),
        ("created_at", START + timedelta(microseconds=1)),
        ("prev_hash", "1" * 64),
        ("root", "2" * 64),
        ("heads_count", 2),
        ("key_id", "cd" * 32),
    ],
)
def test_every_checkpoint_field_is_signed(field: str, value: Any) -> None:
    changed = dataclasses.replace(CHECKPOINT, **{field: value})
    assert changed.signed_bytes() != CHECKPOINT.signed_bytes()
    assert changed.hash() != CHECKPOINT.hash()
