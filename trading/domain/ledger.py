"""Hash chains and Merkle checkpoints of the ledger (DESIGN.md invariant 6), pure and verifiable.

Every stored hash names its algorithm (invariant 9) so an SM3 suite can be added beside SHA-256.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

HASH_ALG: Final = "sha256"
MERKLE_ALG: Final = "sha256-merkle-rfc6962"
GENESIS: Final = "0" * 64

_HASHERS = {"sha256": hashlib.sha256}


def canonical_bytes(document: dict[str, Any]) -> bytes:
    """The one byte string a document hashes to: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def utc_iso(moment: datetime) -> str:
    """An instant as hashed: UTC, microseconds, so the same instant always gives the same bytes."""
    if moment.tzinfo is None:
        raise ValueError("ledger times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def plain_payload(value: Any) -> Any:
    """The JSON value a payload is stored and hashed as, which reads back from the database as is.

    Decimal, dates and UUIDs become strings. Floats are refused: money is Decimal, and a float such
    as 1e16 does not come back from PostgreSQL's jsonb with the bytes it was hashed with.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        raise TypeError("ledger payloads take Decimal or str for numbers, not float")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date | UUID):
        return str(value)
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("ledger payload keys must be strings")
        return {key: plain_payload(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain_payload(item) for item in value]
    raise TypeError(f"a ledger payload cannot hold {type(value).__name__}")


def digest(data: bytes, alg: str = HASH_ALG) -> str:
    try:
        return _HASHERS[alg](data).hexdigest()
    except KeyError:
        raise ValueError(f"unknown hash algorithm {alg!r}") from None


@dataclass(frozen=True)
class EntryContent:
    """What an entry says; its hash covers all of it and the previous hash."""

    scope: str
    seq: int
    prev_hash: str
    recorded_at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    payload: dict[str, Any]
    hash_alg: str = HASH_ALG

    def document(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "seq": self.seq,
            "prev": self.prev_hash,
            "at": utc_iso(self.recorded_at),
            "actor": [self.actor_id, self.actor_label],
            "action": self.action,
            "object": [self.object_type, self.object_id],
            "payload": self.payload,
            "alg": self.hash_alg,
        }

    def hash(self) -> str:
        return digest(canonical_bytes(self.document()), self.hash_alg)


@dataclass(frozen=True)
class ChainBreak:
    scope: str
    seq: int
    reason: str


def verify_chain(
    scope: str, entries: Iterable[tuple[EntryContent, str]]
) -> tuple[int, str, ChainBreak | None]:
    """Walk (content, stored hash) pairs in seq order; return (last seq, last hash, first break)."""
    expected_seq, prev = 1, GENESIS
    for content, stored in entries:
        if content.seq != expected_seq:
            return expected_seq - 1, prev, ChainBreak(scope, expected_seq, "missing")
        if content.prev_hash != prev:
            return expected_seq - 1, prev, ChainBreak(scope, content.seq, "prev_mismatch")
        try:
            recomputed = content.hash()
        except ValueError:
            return expected_seq - 1, prev, ChainBreak(scope, content.seq, "unknown_algorithm")
        if recomputed != stored:
            return expected_seq - 1, prev, ChainBreak(scope, content.seq, "hash_mismatch")
        prev = stored
        expected_seq += 1
    return expected_seq - 1, prev, None


# RFC 6962 §2.1 (Certificate Transparency): the Merkle Tree Hash of a list of leaf inputs. Leaves
# and nodes are domain-separated (0x00, 0x01) so a leaf can never be passed off as a node.
def _leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_tree_hash(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of RFC 6962 §2.1; the empty tree hashes the empty string.

    Built level by level, carrying an odd last node up unpaired: the same tree as the RFC's
    recursive split at the largest power of two smaller than n.
    """
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = [_leaf_hash(leaf) for leaf in leaves]
    while len(level) > 1:
        paired = [_node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def head_leaf(head: Sequence[Any]) -> bytes:
    """The leaf input a chain head (scope key, seq, hash) is hashed as."""
    return canonical_bytes({"head": list(head)})


def merkle_root(heads: Sequence[Sequence[Any]]) -> str:
    """RFC 6962 root (hex) over (scope key, seq, hash) heads in scope-key order."""
    ordered = sorted((list(h) for h in heads), key=lambda h: h[0])
    return merkle_tree_hash([head_leaf(h) for h in ordered]).hex()


@dataclass(frozen=True)
class CheckpointContent:
    seq: int
    created_at: datetime
    prev_hash: str
    root: str
    heads_count: int
    key_id: str
    merkle_alg: str = MERKLE_ALG
    hash_alg: str = HASH_ALG

    def document(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": utc_iso(self.created_at),
            "prev": self.prev_hash,
            "root": self.root,
            "heads": self.heads_count,
            "key": self.key_id,
            "merkle": self.merkle_alg,
            "alg": self.hash_alg,
        }

    def signed_bytes(self) -> bytes:
        return canonical_bytes(self.document())

    def hash(self) -> str:
        return digest(self.signed_bytes(), self.hash_alg)
