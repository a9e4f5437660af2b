"""The tamper-evident ledger (DESIGN.md invariant 6): chains, checkpoints, verifier, locking.

The tampering tests are marked sqlite too: the embedded database must be as honest as PostgreSQL.
The locking and concurrency tests need PostgreSQL's row locks and lock_timeout.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.conftest import ControlledClock
from trading.db_triggers import LEDGER_ERROR, ledger_trigger_removal_statements
from trading.domain.ledger import GENESIS, CheckpointContent, EntryContent, merkle_root
from trading.models import LedgerCheckpoint, LedgerEntry, LedgerScope, User
from trading.services.ledger import ledger_append, ledger_checkpoint, ledger_verify
from trading.signing import ledger_public_key_b64, ledger_signing_key, verify_signature

TENDER = "tender:1"


@pytest.fixture(autouse=True)
def _own_keys(settings: Any, tmp_path: Path) -> None:
    """Each test signs with a fresh embedded key, never the one under var/keys."""
    settings.LEDGER_SIGNING_KEY = ""
    settings.KEYS_DIR = tmp_path / "keys"


def append(scope: str = TENDER, count: int = 1, **fields: Any) -> list[LedgerEntry]:
    kind = "platform" if scope == "platform" else "tender"
    return [
        ledger_append(
            scope_key=scope,
            scope_kind=kind,
            action=fields.get("action", "lot.published"),
            actor=fields.get("actor"),
            obj_type="lot",
            obj_id=str(n),
            payload=fields.get("payload", {"n": n, "amount": Decimal("1000.00")}),
            clock=fields.get("clock"),
        )
        for n in range(count)
    ]


def verify_command(*args: str) -> str:
    out = StringIO()
    call_command("ledger_verify", *args, stdout=out)
    return out.getvalue()


def verify_fails(*args: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        call_command("ledger_verify", *args, stdout=StringIO())
    return caught.value


def _content(entry: LedgerEntry, **changes: Any) -> EntryContent:
    content = EntryContent(
        scope=entry.scope.key,
        seq=entry.seq,
        prev_hash=entry.prev_hash,
        recorded_at=entry.recorded_at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        payload=entry.payload,
        hash_alg=entry.hash_alg,
    )
    return dataclasses.replace(content, **changes)


def as_database_owner() -> None:
    """What an attacker who owns the database must do first: drop the append-only triggers.

    Inside the test's transaction, so they are back when it rolls back.
    """
    with connection.cursor() as cursor:
        for statement in ledger_trigger_removal_statements(connection.vendor):
            cursor.execute(statement)


def rewrite_suffix(scope: str, from_seq: int) -> None:
    """What an attacker with write access does: forge entries, recompute hashes, move the head."""
    entries = LedgerEntry.objects.filter(scope__key=scope).select_related("scope").order_by("seq")
    prev = entries.get(seq=from_seq - 1).hash if from_seq > 1 else GENESIS
    for entry in entries.filter(seq__gte=from_seq):
        content = _content(entry, prev_hash=prev, payload={"forged": entry.seq})
        prev = content.hash()
        LedgerEntry.objects.filter(pk=entry.pk).update(
            prev_hash=content.prev_hash, payload=content.payload, hash=prev
        )
    LedgerScope.objects.filter(key=scope).update(head_hash=prev)


def forge_checkpoints(*, resign: bool) -> None:
    """Rewrite every checkpoint's heads and root to match the forged chains (re-signing if the
    attacker also stole the signing key)."""
    hashes = {
        (entry.scope.key, entry.seq): entry.hash
        for entry in LedgerEntry.objects.select_related("scope")
    }
    prev = GENESIS
    for checkpoint in LedgerCheckpoint.objects.order_by("seq"):
        heads = [[key, seq, hashes[(key, seq)]] for key, seq, _hash in checkpoint.heads]
        content = CheckpointContent(
            seq=checkpoint.seq,
            created_at=checkpoint.created_at,
            prev_hash=prev,
            root=merkle_root(heads),
            heads_count=len(heads),
            key_id=checkpoint.key_id,
        )
        signature = checkpoint.signature
        if resign:
            signature = base64.b64encode(ledger_signing_key().sign(content.signed_bytes())).decode()
        prev = content.hash()
        LedgerCheckpoint.objects.filter(pk=checkpoint.pk).update(
            heads=heads,
            root=content.root,
            prev_hash=content.prev_hash,
            hash=prev,
            signature=signature,
        )


# --- appending and checkpointing, on both databases -----------------------------------------------


@pytest.mark.sqlite
@pytest.mark.django_db
def test_appends_build_one_linear_chain_per_scope(clock: ControlledClock) -> None:
    actor = User.objects.create_user("staff1", first_name="张三", is_superuser=True)
    first = append(TENDER, 3, actor=actor, clock=clock)
    clock.advance(minutes=1)
    other = append("platform", 1, clock=clock)

    assert [e.seq for e in first] == [1, 2, 3]
    assert [e.prev_hash for e in first] == [GENESIS, first[0].hash, first[1].hash]
    assert other[0].seq == 1 and other[0].prev_hash == GENESIS
    head = LedgerScope.objects.get(key=TENDER)
    assert (head.kind, head.head_seq, head.head_hash, head.checkpointed_seq) == (
        "tender",
        3,
        first[-1].hash,
        0,
    )
    stored = LedgerEntry.objects.get(scope=head, seq=2)
    assert stored.payload == {"n": 1, "amount": "1000.00"}
    assert stored.actor_id == actor.pk and stored.actor_label == "张三 (staff1)"
    assert stored.recorded_at == first[1].recorded_at
    assert _content(stored).hash() == stored.hash


@pytest.mark.sqlite
@pytest.mark.django_db
def test_appending_to_an_existing_scope_takes_three_statements(
    django_assert_num_queries: Any, clock: ControlledClock
) -> None:
    append(TENDER, 1, clock=clock)
    # Lock the head, insert the entry, move the head: nothing else on the hot path.
    with django_assert_num_queries(3):
        append(TENDER, 1, clock=clock)


@pytest.mark.sqlite
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: append(TENDER, payload={"amount": 1.5}), TypeError),
        (
            lambda: ledger_append(scope_key=TENDER, scope_kind="platform", action="x", actor=None),
            ValueError,
        ),
        (
            lambda: ledger_append(scope_key="x", scope_kind="nonsense", action="x", actor=None),
            ValueError,
        ),
    ],
    ids=["float payload", "kind of an existing scope", "unknown kind"],
)
def test_bad_appends_are_refused_and_change_nothing(
    call: Callable[[], object], error: type[Exception], clock: ControlledClock
) -> None:
    append(TENDER, 1, clock=clock)
    with pytest.raises(error), transaction.atomic():
        call()
    assert LedgerScope.objects.get(key=TENDER).head_seq == 1
    assert LedgerEntry.objects.count() == 1


@pytest.mark.sqlite
@pytest.mark.django_db
def test_a_checkpoint_signs_only_the_heads_that_changed(clock: ControlledClock) -> None:
    assert ledger_checkpoint(clock=clock) is None
    append(TENDER, 2, clock=clock)
    append("platform", 1, clock=clock)
    first = ledger_checkpoint(clock=clock)
    assert ledger_checkpoint(clock=clock) is None  # nothing changed since
    append(TENDER, 1, clock=clock)
    clock.advance(minutes=1)
    second = ledger_checkpoint(clock=clock)

    assert first is not None and second is not None
    tender_head = LedgerScope.objects.get(key=TENDER)
    assert first.heads == [
        ["platform", 1, LedgerScope.objects.get(key="platform").head_hash],
        [TENDER, 2, LedgerEntry.objects.get(scope=tender_head, seq=2).hash],
    ]
    assert second.heads == [[TENDER, 3, tender_head.head_hash]]
    assert (second.seq, second.prev_hash, first.prev_hash) == (2, first.hash, GENESIS)
    assert tender_head.checkpointed_seq == 3
    content = CheckpointContent(
        seq=2,
        created_at=clock.now,
        prev_hash=first.hash,
        root=merkle_root(second.heads),
        heads_count=1,
        key_id=second.key_id,
    )
    assert (second.root, second.hash) == (content.root, content.hash())
    assert verify_signature(ledger_public_key_b64(), content.signed_bytes(), second.signature)


@pytest.mark.sqlite
@pytest.mark.django_db
def test_the_checkpoint_command_prints_the_new_root(clock: ControlledClock) -> None:
    append(TENDER, 1, clock=clock)
    out = StringIO()
    call_command("ledger_checkpoint", stdout=out)
    checkpoint = LedgerCheckpoint.objects.get()
    assert checkpoint.root in out.getvalue()


# --- the three tamperings, on both databases ------------------------------------------------------


@pytest.fixture
def ledger(clock: ControlledClock) -> None:
    """tender:1 has 5 entries, checkpointed at 3 and 5; platform 3; tender:2 one, unsigned yet."""
    append(TENDER, 3, clock=clock)
    append("platform", 2, clock=clock)
    clock.advance(minutes=1)
    ledger_checkpoint(clock=clock)
    append(TENDER, 2, clock=clock)
    append("platform", 1, clock=clock)
    clock.advance(minutes=1)
    ledger_checkpoint(clock=clock)
    append("tender:2", 1, clock=clock)


def _alter(scope: str, seq: int) -> None:
    LedgerEntry.objects.filter(scope__key=scope, seq=seq).update(payload={"amount": "1.00"})


def _delete(scope: str, seq: int) -> None:
    LedgerEntry.objects.filter(scope__key=scope, seq=seq).delete()


def _truncate(scope: str, keep: int) -> None:
    LedgerEntry.objects.filter(scope__key=scope, seq__gt=keep).delete()
    last = LedgerEntry.objects.get(scope__key=scope, seq=keep)
    LedgerScope.objects.filter(key=scope).update(
        head_seq=keep, head_hash=last.hash, checkpointed_seq=0
    )


def _alter_two() -> None:
    _alter(TENDER, 1)
    _alter("platform", 3)


TAMPERINGS: list[tuple[str, Callable[[], object], str]] = [
    ("alter one entry", lambda: _alter(TENDER, 2), "scope tender:1 entry 2: hash_mismatch"),
    (
        "alter its action",
        lambda: LedgerEntry.objects.filter(seq=1).update(action="x"),
        "scope platform entry 1: hash_mismatch",
    ),
    ("delete a middle entry", lambda: _delete(TENDER, 3), "scope tender:1 entry 3: missing"),
    ("delete the last entry", lambda: _delete(TENDER, 5), "scope tender:1 entry 5: missing"),
    (
        "delete an unsigned last entry",
        lambda: _delete("tender:2", 1),
        "scope tender:2 entry 1: missing",
    ),
    (
        "rewrite a suffix",
        lambda: rewrite_suffix(TENDER, 3),
        "scope tender:1 entry 3: checkpoint_mismatch",
    ),
    (
        "rewrite the last entry",
        lambda: rewrite_suffix(TENDER, 5),
        "scope tender:1 entry 5: checkpoint_mismatch",
    ),
    (
        "truncate and move the head back",
        lambda: _truncate(TENDER, 3),
        "scope tender:1 entry 5: checkpointed_missing",
    ),
    (
        "the lowest scope is named first",
        lambda: _alter_two(),
        "scope platform entry 3: hash_mismatch",
    ),
]


@pytest.mark.sqlite
@pytest.mark.django_db
def test_an_untouched_ledger_verifies(ledger: None) -> None:
    output = verify_command()
    assert "3 个范围、9 个条目、2 个检查点" in output
    report = ledger_verify()
    assert report.ok and report.first_break is None


@pytest.mark.sqlite
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tamper", "expected"), [t[1:] for t in TAMPERINGS], ids=[t[0] for t in TAMPERINGS]
)
def test_each_tampering_is_caught_naming_the_first_broken_entry(
    ledger: None, tamper: Callable[[], object], expected: str
) -> None:
    as_database_owner()
    tamper()
    error = verify_fails()
    assert error.returncode == 1
    assert str(error).startswith(expected + " — ")


@pytest.mark.sqlite
@pytest.mark.django_db
def test_a_forged_checkpoint_without_the_key_fails_its_signature(ledger: None) -> None:
    as_database_owner()
    rewrite_suffix(TENDER, 3)
    forge_checkpoints(resign=False)
    assert str(verify_fails()).startswith("checkpoint 1: bad_signature")


# --- append-only in the database, on both databases ----------------------------------------------


def _entry() -> LedgerEntry:
    return LedgerEntry.objects.get(scope__key=TENDER, seq=1)


def _checkpoint() -> LedgerCheckpoint:
    return LedgerCheckpoint.objects.get(seq=1)


def _save_changed(row: LedgerEntry | LedgerCheckpoint) -> None:
    if isinstance(row, LedgerEntry):
        row.payload = {"amount": "1.00"}
    else:
        row.root = "0" * 64
    row.save()


def _raw(statement: str) -> Callable[[LedgerEntry | LedgerCheckpoint], None]:
    def run(row: LedgerEntry | LedgerCheckpoint) -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement.format(table=row._meta.db_table), [row.pk])

    return run


REWRITES: dict[str, Callable[[Any], object]] = {
    "ORM update": lambda row: type(row).objects.filter(pk=row.pk).update(hash_alg="md5"),
    "ORM save": _save_changed,
    "ORM bulk_update": lambda row: type(row).objects.bulk_update([row], ["hash_alg"]),
    "ORM delete": lambda row: row.delete(),
    "ORM queryset delete": lambda row: type(row).objects.all().delete(),
    "SQL UPDATE": _raw("UPDATE {table} SET hash_alg = 'md5' WHERE id = %s"),
    "SQL DELETE": _raw("DELETE FROM {table} WHERE id = %s"),
}


@pytest.mark.sqlite
@pytest.mark.django_db
@pytest.mark.parametrize("rewrite", REWRITES.values(), ids=REWRITES)
@pytest.mark.parametrize("row", [_entry, _checkpoint], ids=["entry", "checkpoint"])
def test_entries_and_checkpoints_cannot_be_changed_or_deleted(
    ledger: None, row: Callable[[], Any], rewrite: Callable[[Any], object]
) -> None:
    before = (
        list(LedgerEntry.objects.values_list("pk", "hash", "hash_alg", "payload")),
        list(LedgerCheckpoint.objects.values_list("pk", "root", "hash_alg")),
    )
    with pytest.raises(IntegrityError, match=LEDGER_ERROR), transaction.atomic():
        rewrite(row())
    after = (
        list(LedgerEntry.objects.values_list("pk", "hash", "hash_alg", "payload")),
        list(LedgerCheckpoint.objects.values_list("pk", "root", "hash_alg")),
    )
    assert after == before
    assert ledger_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("table", ["trading_ledgerentry", "trading_ledgercheckpoint"])
def test_postgresql_refuses_to_truncate_the_ledger(ledger: None, table: str) -> None:
    with (
        pytest.raises(IntegrityError, match=LEDGER_ERROR),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Fire the foreign-key checks the fixture's inserts deferred: PostgreSQL will not
        # truncate a table with pending trigger events, whatever its own triggers say.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert LedgerEntry.objects.count() == 9 and LedgerCheckpoint.objects.count() == 2


@pytest.mark.sqlite
@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_ledger_and_puts_its_triggers_back(clock: ControlledClock) -> None:
    """The test harness flushes after every transactional test: the one sanctioned wipe."""
    append(TENDER, 2, clock=clock)
    ledger_checkpoint(clock=clock)

    call_command("flush", interactive=False, verbosity=0)

    assert not LedgerEntry.objects.exists() and not LedgerCheckpoint.objects.exists()
    append(TENDER, 1, clock=clock)
    ledger_checkpoint(clock=clock)
    for row in (_entry(), _checkpoint()):
        with pytest.raises(IntegrityError, match=LEDGER_ERROR), transaction.atomic():
            type(row).objects.filter(pk=row.pk).delete()


# --- entries no checkpoint covers, on both databases ----------------------------------------------

INTERVAL = 60


@pytest.fixture
def interval(settings: Any) -> int:
    settings.LEDGER_CHECKPOINT_SECONDS = INTERVAL
    return INTERVAL


@pytest.mark.sqlite
@pytest.mark.django_db
def test_a_rewrite_after_every_checkpoint_is_deleted_fails_once_the_entries_are_overdue(
    ledger: None, clock: ControlledClock, interval: int
) -> None:
    as_database_owner()
    LedgerCheckpoint.objects.all().delete()
    rewrite_suffix(TENDER, 3)
    clock.advance(seconds=2 * interval + 1)

    error = verify_fails()
    assert error.returncode == 1
    assert str(error).startswith("scope platform entry 1: uncheckpointed — ")
    assert "0 个检查点" not in str(error)


@pytest.mark.sqlite
@pytest.mark.django_db
def test_entries_no_checkpoint_covers_fail_after_two_intervals_until_one_does(
    clock: ControlledClock, interval: int
) -> None:
    append(TENDER, 2, clock=clock)
    clock.advance(seconds=2 * interval - 1)
    assert ledger_verify().ok  # the checkpoint task may still be on its way

    clock.advance(seconds=2)
    report = ledger_verify()
    assert not report.ok
    assert report.message.startswith("scope tender:1 entry 1: uncheckpointed")

    ledger_checkpoint(clock=clock)
    assert ledger_verify().ok


@pytest.mark.sqlite
@pytest.mark.django_db
def test_deleting_the_last_checkpoint_fails_once_its_entries_are_overdue(
    ledger: None, clock: ControlledClock, interval: int
) -> None:
    # The last checkpoint leaves no gap in the checkpoint chain behind it.
    as_database_owner()
    LedgerCheckpoint.objects.filter(seq=2).delete()
    assert ledger_verify().ok
    clock.advance(seconds=2 * interval + 1)
    assert str(verify_fails()).startswith("scope platform entry 3: uncheckpointed")


@pytest.mark.sqlite
@pytest.mark.django_db
def test_an_entry_hidden_behind_a_head_moved_back_fails_once_overdue(
    clock: ControlledClock, interval: int
) -> None:
    _first, second, _third = append(TENDER, 3, clock=clock)
    # Signed at 2: entry 3 is covered by no checkpoint yet.
    LedgerScope.objects.filter(key=TENDER).update(head_seq=2, head_hash=second.hash)
    ledger_checkpoint(clock=clock)
    clock.advance(seconds=2 * interval + 1)

    assert str(verify_fails()).startswith("scope tender:1 entry 3: beyond_head")


# --- the external copy of the checkpoints ---------------------------------------------------------


@pytest.fixture
def published(ledger: None, tmp_path: Path) -> Path:
    path = tmp_path / "checkpoints.json"
    call_command("ledger_export_checkpoints", str(path), stdout=StringIO())
    return path


@pytest.mark.sqlite
@pytest.mark.django_db
def test_the_export_publishes_roots_and_signatures_but_no_heads(published: Path) -> None:
    copy = json.loads(published.read_text())
    assert [c["seq"] for c in copy] == [1, 2]
    assert set(copy[0]) == {
        "seq",
        "created_at",
        "prev_hash",
        "root",
        "hash",
        "signature",
        "key_id",
        "public_key",
    }
    assert copy[1]["prev_hash"] == copy[0]["hash"]
    assert copy[0]["public_key"] == ledger_public_key_b64()
    assert TENDER not in published.read_text()
    assert "3 个范围" in verify_command("--checkpoints", str(published))


@pytest.mark.sqlite
@pytest.mark.django_db
def test_a_rewrite_re_signed_with_a_stolen_key_is_caught_by_the_external_copy(
    published: Path,
) -> None:
    as_database_owner()
    rewrite_suffix(TENDER, 3)
    forge_checkpoints(resign=True)
    # The database alone is now self-consistent: this is what the published roots are for.
    assert ledger_verify().ok
    error = verify_fails("--checkpoints", str(published))
    assert error.returncode == 1
    assert str(error).startswith("checkpoint 1: external_mismatch")


@pytest.mark.sqlite
@pytest.mark.django_db
def test_a_deleted_checkpoint_is_caught_by_the_external_copy(published: Path) -> None:
    as_database_owner()
    LedgerCheckpoint.objects.filter(seq=2).delete()
    assert str(verify_fails("--checkpoints", str(published))).startswith(
        "checkpoint 2: external_missing"
    )


@pytest.mark.sqlite
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "无法读取"),
        ("{not json", "不是 JSON"),
        ('{"seq": 1}', "JSON 数组"),
        ('[{"seq": "1", "root": "", "hash": "", "signature": ""}]', "第 1 项"),
        ('[{"seq": 1, "root": "r"}]', "第 1 项"),
    ],
    ids=["missing", "not json", "not a list", "seq not a number", "fields missing"],
)
def test_a_missing_or_malformed_copy_is_a_usage_error(
    ledger: None, tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "copy.json"
    if content is not None:
        path.write_text(content)
    error = verify_fails("--checkpoints", str(path))
    assert error.returncode == 2
    assert message in str(error)


# --- locking and concurrency, on PostgreSQL -------------------------------------------------------


def _lock_timeout(value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{value}'")


def _in_thread(target: Callable[[], object], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.fixture
def hold_scope() -> Iterator[Callable[[str], None]]:
    """Append to a scope in another connection and keep the transaction open until teardown."""
    release, threads = threading.Event(), []
    errors: list[BaseException] = []

    def hold(scope: str) -> None:
        holding = threading.Event()

        def body() -> None:
            with transaction.atomic():
                append(scope)
                holding.set()
                release.wait(30)

        threads.append(_in_thread(body, errors))
        assert holding.wait(10), errors

    yield hold
    release.set()
    for thread in threads:
        thread.join(30)
    assert not errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_writer_on_one_scope_never_waits_for_another(hold_scope: Callable[[str], None]) -> None:
    append("tender:x")
    hold_scope("tender:x")

    # tender:x is held until the test ends, so a write that waited for it would hit the lock
    # timeout; a wall-clock bound would only measure the machine's load.
    with transaction.atomic():
        _lock_timeout("1s")
        entry = append("tender:y")[0]  # a new scope: created and locked without waiting
        append("tender:z")
    assert entry.seq == 1

    # The held head row is what serialises writers of tender:x: the wait is on its lock.
    with (
        CaptureQueriesContext(connection) as statements,
        pytest.raises(OperationalError, match="lock timeout"),
        transaction.atomic(),
    ):
        _lock_timeout("200ms")
        append("tender:x")
    timed_out = [q["sql"] for q in statements.captured_queries if q["sql"] != "ROLLBACK"][-1]
    assert "FOR UPDATE" in timed_out and "trading_ledgerscope" in timed_out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_scope_stays_linear_under_concurrent_writers() -> None:
    threads, per_thread = 8, 25
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def writer(number: int) -> Callable[[], None]:
        def body() -> None:
            barrier.wait(10)
            for n in range(per_thread):
                append(payload={"writer": number, "n": n})

        return body

    workers = [_in_thread(writer(number), errors) for number in range(threads)]
    for worker in workers:
        worker.join(60)
    assert not errors

    seqs = list(LedgerEntry.objects.filter(scope__key=TENDER).values_list("seq", flat=True))
    assert seqs == list(range(1, threads * per_thread + 1))
    payloads = LedgerEntry.objects.values_list("payload", flat=True)
    assert len({(p["writer"], p["n"]) for p in payloads}) == threads * per_thread
    assert LedgerScope.objects.get(key=TENDER).head_seq == threads * per_thread
    assert ledger_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_checkpoints_never_fork_the_chain() -> None:
    for _round in range(5):
        append(TENDER)
        barrier = threading.Barrier(4)
        errors: list[BaseException] = []
        results: list[LedgerCheckpoint | None] = []

        def checkpoint(barrier: threading.Barrier = barrier, results: list[Any] = results) -> None:
            barrier.wait(10)
            results.append(ledger_checkpoint())

        workers = [_in_thread(checkpoint, errors) for _ in range(4)]
        for worker in workers:
            worker.join(30)
        assert not errors
        assert sum(result is not None for result in results) == 1

    chain = list(LedgerCheckpoint.objects.order_by("seq"))
    assert [c.seq for c in chain] == [1, 2, 3, 4, 5]
    assert [c.prev_hash for c in chain] == [GENESIS] + [c.hash for c in chain[:-1]]
    assert ledger_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_checkpoints_racing_writers_on_many_scopes_deadlock_nothing_and_fork_nothing() -> None:
    scopes = [f"tender:{n}" for n in range(5)]
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer(offset: int) -> Callable[[], None]:
        def body() -> None:
            for n in range(40):
                append(scopes[(n + offset) % len(scopes)])

        return body

    def checkpointer() -> None:
        while not stop.is_set():
            ledger_checkpoint()

    writers = [_in_thread(writer(offset), errors) for offset in range(3)]
    checkpointers = [_in_thread(checkpointer, errors) for _ in range(2)]
    for thread in writers:
        thread.join(60)
    stop.set()
    for thread in checkpointers:
        thread.join(30)
    assert not errors
    ledger_checkpoint()

    chain = list(LedgerCheckpoint.objects.order_by("seq"))
    assert [c.seq for c in chain] == list(range(1, len(chain) + 1))
    assert [c.prev_hash for c in chain] == [GENESIS] + [c.hash for c in chain[:-1]]
    assert all(s.checkpointed_seq == s.head_seq == 24 for s in LedgerScope.objects.all())
    report = ledger_verify()
    assert report.ok, report.message
    assert report.entries_checked == 120
