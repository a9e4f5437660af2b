"""The platform's Ed25519 key, which signs ledger checkpoints (DESIGN.md invariants 6 and 9).

Production sets LEDGER_SIGNING_KEY (base64 of the 32-byte private seed). The embedded mode keeps
the seed in KEYS_DIR/ledger-ed25519.key, generated on first use and readable by its owner only.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SIGNATURE_ALG = "ed25519"
KEY_FILE_NAME = "ledger-ed25519.key"


def _seed_from_base64(text: str) -> bytes:
    seed = base64.b64decode(text.strip(), validate=True)
    if len(seed) != 32:
        raise ValueError("an Ed25519 seed has 32 bytes")
    return seed


def _key_file_seed(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Written aside and linked into place: two processes starting at once both end up with
        # whichever key was linked first, never with two keys or a half-written file.
        descriptor, draft_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        draft = Path(draft_name)  # mkstemp creates it readable by its owner only
        with os.fdopen(descriptor, "w") as handle:
            handle.write(base64.b64encode(os.urandom(32)).decode() + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    try:
        return _seed_from_base64(path.read_text())
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{path} does not hold a base64 Ed25519 seed ({exc}); "
            "restore it or set LEDGER_SIGNING_KEY."
        ) from exc


def ledger_signing_key() -> Ed25519PrivateKey:
    """The platform's private key: LEDGER_SIGNING_KEY, else the embedded key file."""
    configured: str = settings.LEDGER_SIGNING_KEY
    if configured:
        try:
            seed = _seed_from_base64(configured)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"LEDGER_SIGNING_KEY must be the base64 of a 32-byte Ed25519 private seed ({exc})."
            ) from exc
    else:
        seed = _key_file_seed(Path(settings.KEYS_DIR) / KEY_FILE_NAME)
    return Ed25519PrivateKey.from_private_bytes(seed)


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey | bytes) -> str:
    """SHA-256 (hex) of the raw public key: what a checkpoint records as the key that signed it."""
    raw = public_key if isinstance(public_key, bytes) else raw_public_key(public_key)
    return hashlib.sha256(raw).hexdigest()


def ledger_public_key_b64() -> str:
    """The public key to publish beside the checkpoint roots."""
    return base64.b64encode(raw_public_key(ledger_signing_key().public_key())).decode()


def verify_signature(public_key_b64: str, data: bytes, signature_b64: str) -> bool:
    """Whether `signature_b64` is an Ed25519 signature of `data`; malformed input is False."""
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        public.verify(base64.b64decode(signature_b64, validate=True), data)
    except (InvalidSignature, ValueError):  # binascii.Error is a ValueError
        return False
    return True
