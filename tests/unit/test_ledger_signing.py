"""The platform's Ed25519 key that signs ledger checkpoints (DESIGN.md invariants 6 and 9)."""

from __future__ import annotations

import base64
import hashlib
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from trading.signing import (
    KEY_FILE_NAME,
    key_id,
    ledger_public_key_b64,
    ledger_signing_key,
    raw_public_key,
    verify_signature,
)

SEED = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture
def keys_dir(settings: Any, tmp_path: Path) -> Path:
    settings.LEDGER_SIGNING_KEY = ""
    settings.KEYS_DIR = tmp_path / "keys"
    return settings.KEYS_DIR


def test_the_embedded_key_is_generated_once_readable_by_its_owner_only(keys_dir: Path) -> None:
    first = ledger_public_key_b64()
    path = keys_dir / KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ledger_public_key_b64() == first
    assert list(keys_dir.iterdir()) == [path]  # no draft left behind


def test_the_configured_key_wins_over_the_key_file(keys_dir: Path, settings: Any) -> None:
    settings.LEDGER_SIGNING_KEY = SEED
    private = ledger_signing_key()
    assert private.private_bytes_raw() == bytes(range(32))
    assert not keys_dir.exists()


@pytest.mark.parametrize(
    "value",
    ["not base64!", base64.b64encode(b"short").decode(), base64.b64encode(b"x" * 64).decode()],
)
def test_an_invalid_configured_key_names_the_setting(
    keys_dir: Path, settings: Any, value: str
) -> None:
    settings.LEDGER_SIGNING_KEY = value
    with pytest.raises(ImproperlyConfigured, match="LEDGER_SIGNING_KEY"):
        ledger_signing_key()


def test_a_damaged_key_file_names_the_file(keys_dir: Path) -> None:
    keys_dir.mkdir()
    (keys_dir / KEY_FILE_NAME).write_text("garbage")
    with pytest.raises(ImproperlyConfigured, match=KEY_FILE_NAME):
        ledger_signing_key()


def test_key_id_is_the_sha256_of_the_raw_public_key(keys_dir: Path) -> None:
    public = ledger_signing_key().public_key()
    assert key_id(public) == hashlib.sha256(raw_public_key(public)).hexdigest()
    assert key_id(raw_public_key(public)) == key_id(public)


def test_signatures_verify_only_for_the_signed_bytes_and_key(keys_dir: Path) -> None:
    private = ledger_signing_key()
    signature = base64.b64encode(private.sign(b"root")).decode()
    public = ledger_public_key_b64()
    assert verify_signature(public, b"root", signature)
    assert not verify_signature(public, b"rooT", signature)
    other = base64.b64encode(bytes(32)).decode()
    assert not verify_signature(other, b"root", signature)


@pytest.mark.parametrize(
    ("public", "signature"),
    [("", ""), ("not base64", "AAAA"), (base64.b64encode(b"short").decode(), "AAAA")],
)
def test_malformed_keys_and_signatures_do_not_verify(public: str, signature: str) -> None:
    assert verify_signature(public, b"root", signature) is False


def test_processes_and_threads_generating_the_key_at_once_agree_on_one(keys_dir: Path) -> None:
    barrier = threading.Barrier(8)
    keys: list[str] = []

    def load() -> None:
        barrier.wait(10)
        keys.append(ledger_public_key_b64())

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(keys) == 8 and len(set(keys)) == 1
    assert [p.name for p in keys_dir.iterdir()] == [KEY_FILE_NAME]
