"""The lots' sealing keys (DESIGN.md invariant 3; bidding/SEALING.md "The lot key").

Each sealed-bid lot gets an ECDH P-256 key pair at publication. Bidders' clients wrap K_platform
to its public half; the private half is stored wrapped (AES-256-GCM) under a key derived from the
platform's sealing secret, and `lot_key_unwrap` is the only code that unwraps it: never before the
bid deadline by the server clock (招标投标法 第34条: the bids open at the deadline), and every
release is in the tender's ledger.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bidding.domain import sealing
from bidding.models import LotKey
from trading.clock import get_clock
from trading.models import Lot, User
from trading.services.ledger import ledger_append_tender

KEY_FILE_NAME = "bid-sealing.key"
WRAP_ALGORITHM = "aes-256-gcm+hkdf-sha256"
SECRET_MIN_BYTES = 32


class LotKeyLost(Exception):
    """The lot's private key cannot be recovered: missing, or its wrap does not open.

    The opening attributes a bid that cannot open for this reason to the platform (撤回,
    电子招标投标办法 第31条).
    """

    def __init__(self, lot_id: int, reason: str) -> None:
        super().__init__(f"the sealing key of lot {lot_id} is lost: {reason}")
        self.lot_id = lot_id
        self.reason = reason


def _secret_from_base64(text: str) -> bytes:
    secret = base64.b64decode(text.strip(), validate=True)
    if len(secret) < SECRET_MIN_BYTES:
        raise ValueError(f"the sealing secret has at least {SECRET_MIN_BYTES} bytes")
    return secret


def _secret_file(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Written aside and linked into place (as trading/signing.py does): two processes
        # starting at once end up with the same secret, never two or a half-written file.
        descriptor, draft_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        draft = Path(draft_name)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(base64.b64encode(os.urandom(SECRET_MIN_BYTES)).decode() + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    try:
        return _secret_from_base64(path.read_text())
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{path} does not hold a base64 sealing secret ({exc}); "
            "restore it or set BID_SEALING_SECRET."
        ) from exc


def sealing_secret() -> bytes:
    """BID_SEALING_SECRET (base64, ≥ 32 bytes), else the embedded key file in KEYS_DIR."""
    configured: str = settings.BID_SEALING_SECRET
    if configured:
        try:
            return _secret_from_base64(configured)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"BID_SEALING_SECRET must be the base64 of at least {SECRET_MIN_BYTES} random "
                f"bytes ({exc})."
            ) from exc
    return _secret_file(Path(settings.KEYS_DIR) / KEY_FILE_NAME)


def _wrap_info(lot_id: int) -> bytes:
    return b"tianping/1/lot-key\x00" + f"lot={lot_id}".encode()


def _wrap_key(lot_id: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"", info=_wrap_info(lot_id)).derive(
        sealing_secret()
    )


def _wrap_aad(lot_id: int, public_key: bytes) -> bytes:
    # The public half is bound in: a swapped public key makes the wrap fail, not the bids.
    return _wrap_info(lot_id) + b"\x00" + public_key


def key_id(public_key: bytes) -> str:
    """SHA-256 (hex) of the lot's public point: how the ledger names the key."""
    return hashlib.sha256(public_key).hexdigest()


def lot_key_create(lot: Lot, now: datetime) -> LotKey:
    """The lot's key pair, created once (idempotent: the outbox delivers at least once)."""
    existing = LotKey.objects.filter(lot_id=lot.pk).first()
    if existing is not None:
        return existing
    private = ec.generate_private_key(ec.SECP256R1())
    public = sealing.public_key_bytes(private.public_key())
    nonce = os.urandom(sealing.NONCE_BYTES)
    scalar = private.private_numbers().private_value.to_bytes(32, "big")
    wrapped = AESGCM(_wrap_key(lot.pk)).encrypt(nonce, scalar, _wrap_aad(lot.pk, public))
    with transaction.atomic():
        key, created = LotKey.objects.get_or_create(
            lot_id=lot.pk,
            defaults={
                "public_key": public,
                "wrap_algorithm": WRAP_ALGORITHM,
                "wrap_nonce": nonce,
                "wrapped_private_key": wrapped,
                "created_at": now,
            },
        )
        if created:
            ledger_append_tender(
                tender_id=lot.tender_id,
                action="lot_key.created",
                actor=None,
                obj_type="lot",
                obj_id=str(lot.pk),
                payload={"lot": lot.pk, "key_id": key_id(public)},
                now=now,
            )
    return key


def lot_key_public(lot: Lot) -> bytes:
    """The lot's public point (65 bytes, uncompressed), created now if publication missed it."""
    key = LotKey.objects.filter(lot_id=lot.pk).first()
    if key is None:
        key = lot_key_create(lot, get_clock()())
    return bytes(key.public_key)


def _unwrapped(key: LotKey) -> ec.EllipticCurvePrivateKey:
    public = bytes(key.public_key)
    try:
        scalar = AESGCM(_wrap_key(key.lot_id)).decrypt(
            bytes(key.wrap_nonce), bytes(key.wrapped_private_key), _wrap_aad(key.lot_id, public)
        )
    except (InvalidTag, ValueError) as exc:
        raise LotKeyLost(key.lot_id, "the wrap does not open under the sealing secret") from exc
    try:
        private = ec.derive_private_key(int.from_bytes(scalar, "big"), ec.SECP256R1())
    except ValueError as exc:
        raise LotKeyLost(key.lot_id, "the unwrapped key is not a P-256 key") from exc
    if sealing.public_key_bytes(private.public_key()) != public:
        raise LotKeyLost(key.lot_id, "the private key does not match the public key")
    return private


def lot_key_unwrap(lot: Lot, *, actor: User | None, now: datetime) -> ec.EllipticCurvePrivateKey:
    """The lot's private key, only after the bid deadline (招标投标法 第34条); each release logged.

    Refuses (ValidationError) until the server clock is past `closes_at`: a commit at the deadline
    itself is still accepted, so the key waits until it has passed. Raises LotKeyLost when the
    key is missing or does not unwrap.
    """
    with transaction.atomic():
        # The deadline as stored now, not as the caller's copy of the lot says.
        closes_at = Lot.objects.filter(pk=lot.pk).values_list("closes_at", flat=True).first()
        if closes_at is None or now <= closes_at:
            raise ValidationError(
                _("投标截止时间未到，标段密钥不能启用，投标文件不能解密。"), code="lot_key_early"
            )
        key = LotKey.objects.select_for_update().filter(lot_id=lot.pk).first()
        if key is None:
            raise LotKeyLost(lot.pk, "the lot has no sealing key")
        private = _unwrapped(key)
        if key.released_at is None:
            key.released_at = now
            key.save(update_fields=["released_at"])
        ledger_append_tender(
            tender_id=lot.tender_id,
            action="lot_key.released",
            actor=actor,
            obj_type="lot",
            obj_id=str(lot.pk),
            payload={"lot": lot.pk, "key_id": key_id(bytes(key.public_key))},
            now=now,
        )
    return private
