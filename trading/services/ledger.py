"""The ledger's writers and its verifier (DESIGN.md invariant 6).

Each scope is its own hash chain, appended under its head row, so writers on different scopes never
wait for one another. A checkpoint signs a Merkle root over the heads that changed since the last
one and chains to it; only roots are published. The verifier recomputes every chain and checks it
against the checkpoints, or an external copy of them.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from trading.clock import Clock, get_clock
from trading.domain.ledger import (
    GENESIS,
    MERKLE_ALG,
    CheckpointContent,
    EntryContent,
    merkle_root,
    plain_payload,
    utc_iso,
    verify_chain,
)
from trading.models import LedgerCheckpoint, LedgerEntry, LedgerScope, User
from trading.models.ledger import ScopeKind
from trading.selectors.tenders import tender_scope_key
from trading.signing import key_id, ledger_public_key_b64, ledger_signing_key, verify_signature

# Any constant will do: it only has to be the same in every process that checkpoints.
_CHECKPOINT_LOCK = 0x7469616E70696E67  # "tianping"


def ledger_append(
    *,
    scope_key: str,
    scope_kind: str,
    action: str,
    actor: User | None,
    obj_type: str = "",
    obj_id: str = "",
    payload: dict[str, Any] | None = None,
    sealed: bool = False,
    clock: Clock | None = None,
) -> LedgerEntry:
    """Append one entry to a scope's chain under its head row, the last lock (invariant 6)."""
    if scope_kind not in ScopeKind.values:
        raise ValueError(f"unknown ledger scope kind {scope_kind!r}")
    document = plain_payload(payload or {})
    # No savepoint: a failed append must fail the caller's whole change, and the hot path stays at
    # four statements (lookup-or-create, lock, insert, update).
    with transaction.atomic(savepoint=False):
        heads = LedgerScope.objects.select_for_update()
        scope = heads.filter(key=scope_key).first()
        if scope is None:
            # Two first writers may race to create the scope: one insert wins, both then lock it.
            LedgerScope.objects.bulk_create(
                [LedgerScope(key=scope_key, kind=scope_kind, sealed=sealed)],
                ignore_conflicts=True,
            )
            scope = heads.get(key=scope_key)
        if scope.kind != scope_kind:
            raise ValueError(f"ledger scope {scope_key!r} is a {scope.kind} scope")
        clock = clock or get_clock()
        content = EntryContent(
            scope=scope.key,
            seq=scope.head_seq + 1,
            prev_hash=scope.head_hash,
            recorded_at=clock().astimezone(UTC),
            actor_id=actor.pk if actor is not None else None,
            actor_label=_actor_label(actor),
            action=action,
            object_type=obj_type,
            object_id=obj_id,
            payload=document,
        )
        entry = LedgerEntry.objects.create(
            scope=scope,
            seq=content.seq,
            prev_hash=content.prev_hash,
            hash=content.hash(),
            hash_alg=content.hash_alg,
            recorded_at=content.recorded_at,
            actor_id=content.actor_id,
            actor_label=content.actor_label,
            action=action,
            object_type=obj_type,
            object_id=obj_id,
            payload=document,
        )
        LedgerScope.objects.filter(pk=scope.pk).update(head_seq=entry.seq, head_hash=entry.hash)
    return entry


def ledger_append_tender(
    *,
    tender_id: int,
    action: str,
    actor: User | None,
    obj_type: str,
    obj_id: str,
    payload: dict[str, Any] | None = None,
    now: datetime,
) -> LedgerEntry:
    """One entry of a tender's chain, stamped with the moment its transaction read (inv. 6)."""
    return ledger_append(
        scope_key=tender_scope_key(tender_id),
        scope_kind=ScopeKind.TENDER,
        action=action,
        actor=actor,
        obj_type=obj_type,
        obj_id=obj_id,
        payload=payload,
        clock=lambda: now,
    )


def _actor_label(actor: User | None) -> str:
    if actor is None:
        return ""
    full_name = actor.get_full_name()
    return f"{full_name} ({actor.get_username()})" if full_name else actor.get_username()


def ledger_checkpoint(*, clock: Clock | None = None) -> LedgerCheckpoint | None:
    """Sign a Merkle root over the heads that changed, chained to the last checkpoint (inv. 6)."""
    # Read before the locks are taken: the key may come from a file.
    private_key = ledger_signing_key()
    signer = key_id(private_key.public_key())
    with transaction.atomic():
        # Serialises checkpoints even before the first exists, so the chain never forks. SQLite
        # transactions are IMMEDIATE: writers serialise there already.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHECKPOINT_LOCK])
        previous = LedgerCheckpoint.objects.order_by("-seq").first()
        # Ascending key order: writers lock one head each, so this cannot deadlock with them.
        changed = list(
            LedgerScope.objects.select_for_update()
            .filter(head_seq__gt=F("checkpointed_seq"))
            .order_by("key")
        )
        if not changed:
            return None
        clock = clock or get_clock()
        heads = [[scope.key, scope.head_seq, scope.head_hash] for scope in changed]
        content = CheckpointContent(
            seq=previous.seq + 1 if previous else 1,
            created_at=clock().astimezone(UTC),
            prev_hash=previous.hash if previous else GENESIS,
            root=merkle_root(heads),
            heads_count=len(heads),
            key_id=signer,
        )
        signature = base64.b64encode(private_key.sign(content.signed_bytes())).decode()
        checkpoint = LedgerCheckpoint.objects.create(
            seq=content.seq,
            created_at=content.created_at,
            prev_hash=content.prev_hash,
            root=content.root,
            merkle_alg=content.merkle_alg,
            hash=content.hash(),
            hash_alg=content.hash_alg,
            heads=heads,
            signature=signature,
            key_id=content.key_id,
        )
        for scope in changed:
            scope.checkpointed_seq = scope.head_seq
        LedgerScope.objects.bulk_update(changed, ["checkpointed_seq"])
    return checkpoint


def ledger_checkpoints_published() -> list[dict[str, Any]]:
    """The checkpoints as published: roots and signatures, never the heads (invariant 6)."""
    public_key = ledger_public_key_b64()
    current = key_id(base64.b64decode(public_key))
    return [
        {
            "seq": checkpoint.seq,
            "created_at": utc_iso(checkpoint.created_at),
            "prev_hash": checkpoint.prev_hash,
            "root": checkpoint.root,
            "hash": checkpoint.hash,
            "signature": checkpoint.signature,
            "key_id": checkpoint.key_id,
            "public_key": public_key if checkpoint.key_id == current else None,
        }
        for checkpoint in LedgerCheckpoint.objects.order_by("seq").iterator()
    ]


# --- verification -------------------------------------------------------------------------------


def _reason_text(reason: str) -> str:
    return {
        "missing": _("条目缺失（序号不连续）"),
        "prev_mismatch": _("前一哈希与链上前一条目（或检查点）不符"),
        "hash_mismatch": _("内容与记录的哈希不符，已被修改"),
        "unknown_algorithm": _("哈希算法未知"),
        "head_mismatch": _("链头与最后一个条目不符"),
        "checkpoint_mismatch": _("与已签名检查点记录的哈希不符，链已被改写"),
        "checkpointed_missing": _("已签名检查点记录的条目不存在"),
        "seq_gap": _("检查点序号不连续"),
        "root_mismatch": _("默克尔根与记录的链头不符"),
        "unknown_key": _("签名密钥未知"),
        "bad_signature": _("签名无效"),
        "external_missing": _("外部副本中的检查点在数据库中不存在"),
        "external_mismatch": _("与外部副本中的检查点不符"),
        "uncheckpointed": _(
            "已超过两个检查点周期，仍没有任何有效的已签名检查点覆盖该条目"
            "（检查点被删除，或检查点任务没有运行）"
        ),
        "beyond_head": _("条目在链头之后，且已超过两个检查点周期（链头被回退）"),
    }.get(reason, reason)


@dataclass(frozen=True, order=True)
class LedgerBreak:
    """One broken entry (scope set) or checkpoint (scope None)."""

    scope: str | None
    seq: int
    # At one (scope, seq), a break in the chain itself is named before a checkpoint's complaint.
    rank: int = field(default=0, compare=True, repr=False)
    reason: str = field(default="", compare=False)
    checkpoint: int | None = field(default=None, compare=False)

    @property
    def message(self) -> str:
        where = (
            f"scope {self.scope} entry {self.seq}"
            if self.scope is not None
            else f"checkpoint {self.seq}"
        )
        text = _reason_text(self.reason)
        if self.checkpoint is not None:
            text = _("%(text)s（检查点 %(checkpoint)s）") % {
                "text": text,
                "checkpoint": self.checkpoint,
            }
        return f"{where}: {self.reason} — {text}"


@dataclass(frozen=True)
class VerificationReport:
    ok: bool
    first_break: LedgerBreak | None
    scopes_checked: int
    entries_checked: int
    checkpoints_checked: int
    external_checked: int

    @property
    def message(self) -> str:
        if self.first_break is not None:
            return self.first_break.message
        return _(
            "日志完好：%(scopes)s 个范围、%(entries)s 个条目、%(checkpoints)s 个检查点"
            "（外部副本 %(external)s 个）均已验证。"
        ) % {
            "scopes": self.scopes_checked,
            "entries": self.entries_checked,
            "checkpoints": self.checkpoints_checked,
            "external": self.external_checked,
        }


@dataclass(frozen=True)
class PublishedCheckpoint:
    seq: int
    root: str
    hash: str
    signature: str
    prev_hash: str | None
    public_key: str | None


def parse_published_checkpoints(data: object) -> list[PublishedCheckpoint]:
    """Read an exported copy; TypeError or ValueError says what is wrong with it."""
    if not isinstance(data, list):
        raise TypeError(_("检查点副本应为 JSON 数组。"))
    parsed = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise TypeError(_("第 %(n)s 项不是对象。") % {"n": index + 1})
        seq = item.get("seq")
        texts = [item.get(name) for name in ("root", "hash", "signature")]
        optional = [item.get(name) for name in ("prev_hash", "public_key")]
        if (
            not isinstance(seq, int)
            or isinstance(seq, bool)
            or not all(isinstance(text, str) for text in texts)
            or not all(value is None or isinstance(value, str) for value in optional)
        ):
            raise ValueError(
                _("第 %(n)s 项缺少 seq、root、hash 或 signature，或其类型不对。") % {"n": index + 1}
            )
        parsed.append(PublishedCheckpoint(seq, *texts, *optional))  # type: ignore[arg-type]
    return parsed


def ledger_verify(
    *, checkpoints: list[dict[str, Any]] | None = None, clock: Clock | None = None
) -> VerificationReport:
    """Recompute every chain and check it against the checkpoints or an external copy (inv. 6).

    An entry older than two checkpoint intervals must be covered by a valid checkpoint: without
    that rule, deleting every checkpoint made a rewritten suffix verify as intact.
    """
    external = parse_published_checkpoints(checkpoints) if checkpoints is not None else []
    clock = clock or get_clock()
    overdue_before = clock() - timedelta(seconds=2 * settings.LEDGER_CHECKPOINT_SECONDS)
    with _consistent_snapshot():
        return _Verifier(external, overdue_before).run()


def ledger_verify_scopes(keys: list[str], *, clock: Clock | None = None) -> VerificationReport:
    """Recompute only the chains `keys` (one tender's) against every signed checkpoint (inv. 6)."""
    clock = clock or get_clock()
    overdue_before = clock() - timedelta(seconds=2 * settings.LEDGER_CHECKPOINT_SECONDS)
    with _consistent_snapshot():
        return _Verifier([], overdue_before, only=frozenset(keys)).run()


@contextmanager
def _consistent_snapshot() -> Iterator[None]:
    # On PostgreSQL one REPEATABLE READ snapshot keeps concurrent writers and checkpoints from
    # looking like breaks. SQLite gets no transaction (an IMMEDIATE one would stop every writer):
    # heads are read before entries, and entries only up to the head read.
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


_ENTRY_FIELDS = (
    "scope_id",
    "seq",
    "prev_hash",
    "hash",
    "hash_alg",
    "recorded_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "payload",
)


# Missing coverage is evidence of absence, not of a change: named after any broken chain or
# checkpoint, which explain it better.
_COVERAGE_REASONS = frozenset({"uncheckpointed"})


class _Verifier:
    def __init__(
        self,
        external: list[PublishedCheckpoint],
        overdue_before: datetime,
        only: frozenset[str] | None = None,
    ) -> None:
        self.external = external
        # The chains to recompute; None for all. The checkpoints are always checked whole.
        self.only = only
        # Every checkpoint signs all heads that changed since the previous one, each minute: an
        # entry recorded before this instant that no checkpoint covers lost its checkpoint.
        self.overdue_before = overdue_before
        self.breaks: list[LedgerBreak] = []
        self.entries = 0
        # scope key -> seq -> (hash, checkpoint seq), from checkpoints that passed their own checks.
        self.signed_heads: dict[str, dict[int, tuple[str, int]]] = defaultdict(dict)

    def run(self) -> VerificationReport:
        checkpoints = self._check_checkpoints()
        scopes = self._check_chains()
        coverage_breaks = sorted(b for b in self.breaks if b.reason in _COVERAGE_REASONS)
        others = [b for b in self.breaks if b.reason not in _COVERAGE_REASONS]
        entry_breaks = sorted(b for b in others if b.scope is not None)
        checkpoint_breaks = sorted(b for b in others if b.scope is None)
        ordered = entry_breaks or checkpoint_breaks or coverage_breaks
        first = ordered[0] if ordered else None
        return VerificationReport(
            ok=first is None,
            first_break=first,
            scopes_checked=scopes,
            entries_checked=self.entries,
            checkpoints_checked=checkpoints,
            external_checked=len(self.external),
        )

    def _known_keys(self) -> dict[str, str]:
        current = ledger_public_key_b64()
        keys = {key_id(base64.b64decode(current)): current}
        for published in self.external:
            if published.public_key:
                try:
                    keys.setdefault(
                        key_id(base64.b64decode(published.public_key)), published.public_key
                    )
                except ValueError:
                    continue
        return keys

    def _check_checkpoints(self) -> int:
        keys = self._known_keys()
        stored: dict[int, tuple[str, str, str, str]] = {}
        count, prev_seq, prev_hash = 0, 0, GENESIS
        for checkpoint in LedgerCheckpoint.objects.order_by("seq").iterator():
            count += 1
            problem = _checkpoint_problem(checkpoint, prev_seq, prev_hash, keys)
            if problem:
                self.breaks.append(LedgerBreak(None, checkpoint.seq, reason=problem))
            else:
                for key, seq, head_hash in checkpoint.heads:
                    self.signed_heads[key][seq] = (head_hash, checkpoint.seq)
            stored[checkpoint.seq] = (
                checkpoint.prev_hash,
                checkpoint.root,
                checkpoint.hash,
                checkpoint.signature,
            )
            prev_seq, prev_hash = checkpoint.seq, checkpoint.hash
        for published in self.external:
            mine = stored.get(published.seq)
            if mine is None:
                self.breaks.append(LedgerBreak(None, published.seq, reason="external_missing"))
            elif mine[1:] != (published.root, published.hash, published.signature) or (
                published.prev_hash is not None and mine[0] != published.prev_hash
            ):
                self.breaks.append(LedgerBreak(None, published.seq, reason="external_mismatch"))
        return count

    def _check_chains(self) -> int:
        scope_rows = LedgerScope.objects.all()
        entry_rows = LedgerEntry.objects.all()
        if self.only is not None:
            scope_rows = scope_rows.filter(key__in=self.only)
            entry_rows = entry_rows.filter(scope__key__in=self.only)
            self.signed_heads = defaultdict(
                dict, {k: v for k, v in self.signed_heads.items() if k in self.only}
            )
        scopes = {
            pk: (key, head_seq, head_hash)
            for pk, key, head_seq, head_hash in scope_rows.values_list(
                "pk", "key", "head_seq", "head_hash"
            )
        }
        rows = (
            entry_rows.filter(seq__lte=F("scope__head_seq"))
            .order_by("scope_id", "seq")
            .values_list(*_ENTRY_FIELDS)
            .iterator(chunk_size=2000)
        )
        walked = set()
        for scope_id, group in groupby(rows, key=lambda row: row[0]):
            walked.add(scope_id)
            self._check_chain(*scopes[scope_id], group)
        for scope_id, (key, head_seq, head_hash) in scopes.items():
            if scope_id not in walked:
                self._check_chain(key, head_seq, head_hash, iter(()))
        # Signed heads of scopes that no longer exist at all.
        for key, signed in self.signed_heads.items():
            if signed:
                self.breaks.append(LedgerBreak(key, min(signed), reason="checkpointed_missing"))
        # Entries are appended with their head in one transaction: one beyond its head that is
        # older than a concurrent append could be was hidden by moving the head back.
        hidden = (
            entry_rows.filter(seq__gt=F("scope__head_seq"), recorded_at__lt=self.overdue_before)
            .order_by("scope__key", "seq")
            .values_list("scope__key", "seq")
            .first()
        )
        if hidden is not None:
            self.breaks.append(LedgerBreak(hidden[0], hidden[1], reason="beyond_head"))
        return len(scopes)

    def _check_chain(
        self, key: str, head_seq: int, head_hash: str, rows: Iterator[tuple[Any, ...]]
    ) -> None:
        signed = self.signed_heads.pop(key, {})
        covered = max(signed, default=0)
        rewritten: list[LedgerBreak] = []
        uncovered: list[LedgerBreak] = []

        def contents() -> Iterator[tuple[EntryContent, str]]:
            for (
                _scope_id,
                seq,
                prev,
                stored,
                alg,
                at,
                actor_id,
                label,
                action,
                otype,
                oid,
                payload,
            ) in rows:
                self.entries += 1
                if seq > covered and at < self.overdue_before and not uncovered:
                    uncovered.append(LedgerBreak(key, seq, reason="uncheckpointed"))
                witness = signed.get(seq)
                if witness is not None and witness[0] != stored and not rewritten:
                    rewritten.append(
                        LedgerBreak(
                            key, seq, 1, reason="checkpoint_mismatch", checkpoint=witness[1]
                        )
                    )
                content = EntryContent(
                    key, seq, prev, at, actor_id, label, action, otype, oid, payload, alg
                )
                yield content, stored

        last_seq, last_hash, chain_break = verify_chain(key, contents())
        self.breaks.extend(rewritten)
        self.breaks.extend(uncovered)
        if chain_break is not None:
            self.breaks.append(LedgerBreak(key, chain_break.seq, reason=chain_break.reason))
            return
        if last_seq < head_seq:
            self.breaks.append(LedgerBreak(key, last_seq + 1, reason="missing"))
        elif last_hash != head_hash:
            self.breaks.append(LedgerBreak(key, last_seq, reason="head_mismatch"))
        beyond = [seq for seq in signed if seq > last_seq]
        if beyond:
            self.breaks.append(LedgerBreak(key, min(beyond), reason="checkpointed_missing"))


def _checkpoint_problem(
    checkpoint: LedgerCheckpoint, prev_seq: int, prev_hash: str, keys: dict[str, str]
) -> str | None:
    if checkpoint.seq != prev_seq + 1:
        return "seq_gap"
    if checkpoint.prev_hash != prev_hash:
        return "prev_mismatch"
    heads = checkpoint.heads
    well_formed = isinstance(heads, list) and all(
        isinstance(h, list)
        and len(h) == 3
        and isinstance(h[0], str)
        and isinstance(h[1], int)
        and isinstance(h[2], str)
        for h in heads
    )
    if (
        checkpoint.merkle_alg != MERKLE_ALG
        or not well_formed
        or merkle_root(heads) != checkpoint.root
    ):
        return "root_mismatch"
    content = CheckpointContent(
        seq=checkpoint.seq,
        created_at=checkpoint.created_at,
        prev_hash=checkpoint.prev_hash,
        root=checkpoint.root,
        heads_count=len(heads),
        key_id=checkpoint.key_id,
        merkle_alg=checkpoint.merkle_alg,
        hash_alg=checkpoint.hash_alg,
    )
    try:
        if content.hash() != checkpoint.hash:
            return "hash_mismatch"
    except ValueError:
        return "unknown_algorithm"
    public_key = keys.get(checkpoint.key_id)
    if public_key is None:
        return "unknown_key"
    if checkpoint.signature_alg != "ed25519" or not verify_signature(
        public_key, content.signed_bytes(), checkpoint.signature
    ):
        return "bad_signature"
    return None
