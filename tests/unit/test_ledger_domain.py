"""Hash chains and Merkle roots of the ledger (DESIGN.md invariant 6), without a database."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.domain.ledger import (
    GENESIS,
    CheckpointContent,
    EntryContent,
    canonical_bytes,
    merkle_root,
    plain_payload,
    verify_chain,
)

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
