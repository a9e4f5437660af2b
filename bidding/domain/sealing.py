"""The sealed-bid format, version 1 (bidding/SEALING.md; DESIGN.md invariants 3 and 9).

Pure functions over bytes, shared by the Python client (`bidding.client`), the server (receipts,
the opening) and mirrored in `frontend/static/bidding/sealing.js`. Every byte string that feeds a
key, a nonce, associated data or a commitment is built here and nowhere else, so the JavaScript
and the Python implementation can be held to the same test vectors.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

FORMAT = "tianping-sealed/1"
KEY_FILE_FORMAT = "tianping-bid-key/1"
RECEIPT_FORMAT = "tianping-receipt/1"
SUITE = "ecdh-p256+hkdf-sha256+aes-256-gcm;commit=sha256,hmac-sha256;sign=ed25519"
SHARE_BYTES = 32
SALT_BYTES = 32
COMMITMENT_KEY_BYTES = 32
# Plaintext bytes per chunk: a 50 MB PDF is sealed and opened one MiB at a time.
CHUNK_SIZE = 1 << 20
TAG_BYTES = 16
NONCE_BYTES = 12
POINT_BYTES = 65  # an uncompressed P-256 point: 0x04 || X || Y
MAX_CHUNKS = 1 << 16  # the nonce's counter field has room for more; 64 GiB is plenty
OFFER_FILE = 0
# What a bid may carry: PDF documents only (they open in any reader), each at most this big.
PDF_MAGIC = b"%PDF-"
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_DOCUMENTS = 20

_LABEL = b"tianping/1/"


class SealingError(ValueError):
    """A check of the format failed; `part` names what failed, for attribution."""

    def __init__(self, part: str, detail: str = "") -> None:
        super().__init__(f"{part}: {detail}" if detail else part)
        self.part = part
        self.detail = detail


@dataclass(frozen=True)
class BidContext:
    """What every key, nonce and commitment of one bid version is bound to."""

    lot: int
    enrolment: int
    version: int

    def encode(self) -> bytes:
        return f"lot={self.lot};enrolment={self.enrolment};version={self.version}".encode()

    def file(self, index: int) -> bytes:
        return self.encode() + f";file={index}".encode()


# --- encodings --------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, *, size: int | None = None, part: str = "base64") -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except (ValueError, TypeError) as exc:
        raise SealingError(part, "not base64") from exc
    if size is not None and len(data) != size:
        raise SealingError(part, f"expected {size} bytes, got {len(data)}")
    return data


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8; strings, integers, booleans, null, lists and objects only."""
    _check_plain(value)
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate has no UTF-8 form
        raise SealingError("json", "text is not valid Unicode") from exc


def _check_plain(value: Any) -> None:
    # Floats differ between JSON writers; amounts travel as decimal strings.
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise SealingError("json", "object keys must be strings")
            _check_plain(item)
    elif isinstance(value, list):
        for item in value:
            _check_plain(item)
    elif value is not None and not isinstance(value, str | int | bool):
        raise SealingError("json", f"{type(value).__name__} is not allowed")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53 - 1:
        raise SealingError("json", "integer out of the range JavaScript holds exactly")


# --- commitments ------------------------------------------------------------------------------


def share_commitment(role: str, share: bytes, context: BidContext) -> str:
    """SHA-256 over the role, the context and the 256-bit share: hiding: the share is random."""
    if role not in ("platform", "bidder"):
        raise SealingError("role", role)
    if len(share) != SHARE_BYTES:
        raise SealingError("share", f"expected {SHARE_BYTES} bytes")
    message = _LABEL + b"share\x00" + role.encode() + b"\x00" + context.encode() + b"\x00" + share
    return hashlib.sha256(message).hexdigest()


def content_commitment(key: bytes, content: dict[str, Any], context: BidContext) -> str:
    """HMAC-SHA256 keyed with a random value sealed inside the offer: a price cannot be guessed."""
    if len(key) != COMMITMENT_KEY_BYTES:
        raise SealingError("commitment_key", f"expected {COMMITMENT_KEY_BYTES} bytes")
    message = _LABEL + b"content\x00" + context.encode() + b"\x00" + canonical_json(content)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# --- keys -------------------------------------------------------------------------------------


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def content_key(
    platform_share: bytes, bidder_share: bytes, salt: bytes, context: BidContext, index: int
) -> bytes:
    """HKDF-SHA256 over both shares: no file of any version shares a key with another."""
    if len(platform_share) != SHARE_BYTES or len(bidder_share) != SHARE_BYTES:
        raise SealingError("share", f"expected {SHARE_BYTES} bytes")
    if len(salt) != SALT_BYTES:
        raise SealingError("salt", f"expected {SALT_BYTES} bytes")
    return _hkdf(
        platform_share + bidder_share, salt, _LABEL + b"content-key\x00" + context.file(index)
    )


def public_key_bytes(public_key: ec.EllipticCurvePublicKey) -> bytes:
    return public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def public_key_load(raw: bytes) -> ec.EllipticCurvePublicKey:
    """A P-256 public key from its 65-byte uncompressed point, the one encoding the format uses."""
    if len(raw) != POINT_BYTES or raw[:1] != b"\x04":
        raise SealingError("public_key", "not an uncompressed P-256 point")
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError as exc:
        raise SealingError("public_key", "not an uncompressed P-256 point") from exc


def _wrap_info(context: BidContext) -> bytes:
    return _LABEL + b"wrap\x00" + context.encode()


def platform_share_wrap(
    lot_public_key: bytes,
    platform_share: bytes,
    context: BidContext,
    *,
    ephemeral: ec.EllipticCurvePrivateKey | None = None,
    nonce: bytes | None = None,
) -> dict[str, str]:
    """Encrypt K_platform to the lot's key: ephemeral ECDH P-256, HKDF-SHA256, AES-256-GCM."""
    if len(platform_share) != SHARE_BYTES:
        raise SealingError("share", f"expected {SHARE_BYTES} bytes")
    ephemeral = ephemeral or ec.generate_private_key(ec.SECP256R1())
    nonce = nonce if nonce is not None else os.urandom(NONCE_BYTES)
    if len(nonce) != NONCE_BYTES:
        raise SealingError("nonce", f"expected {NONCE_BYTES} bytes")
    shared = ephemeral.exchange(ec.ECDH(), public_key_load(lot_public_key))
    key = _hkdf(shared, b"", _wrap_info(context))
    wrapped = AESGCM(key).encrypt(nonce, platform_share, _wrap_info(context))
    return {
        "ephemeral": b64(public_key_bytes(ephemeral.public_key())),
        "nonce": b64(nonce),
        "wrapped": b64(wrapped),
    }


def platform_share_unwrap(
    lot_private_key: ec.EllipticCurvePrivateKey, envelope: dict[str, Any], context: BidContext
) -> bytes:
    """K_platform back from its envelope; SealingError("platform_share") if it does not open."""
    try:
        ephemeral = public_key_load(
            unb64(str(envelope["ephemeral"]), size=POINT_BYTES, part="platform_share")
        )
        nonce = unb64(str(envelope["nonce"]), size=NONCE_BYTES, part="platform_share")
        wrapped = unb64(
            str(envelope["wrapped"]), size=SHARE_BYTES + TAG_BYTES, part="platform_share"
        )
    except (KeyError, TypeError) as exc:
        raise SealingError("platform_share", "malformed envelope") from exc
    except SealingError as exc:
        # Whatever is wrong with the envelope, the opening attributes it to the platform share.
        raise SealingError("platform_share", str(exc)) from exc
    shared = lot_private_key.exchange(ec.ECDH(), ephemeral)
    key = _hkdf(shared, b"", _wrap_info(context))
    try:
        return AESGCM(key).decrypt(nonce, wrapped, _wrap_info(context))
    except InvalidTag as exc:
        raise SealingError("platform_share", "authentication failed") from exc


# --- chunked AEAD -----------------------------------------------------------------------------


def chunk_nonce(counter: int, last: bool) -> bytes:
    """96 bits: seven zero bytes, the counter (32-bit big-endian), the last-chunk flag byte."""
    if not 0 <= counter < MAX_CHUNKS:
        raise SealingError("chunk", "counter out of range")
    return bytes(7) + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def chunk_aad(context: BidContext, index: int, counter: int, last: bool) -> bytes:
    return _LABEL + b"chunk\x00" + context.file(index) + b"\x00" + chunk_nonce(counter, last)[7:]


def chunk_seal(
    key: bytes,
    context: BidContext,
    index: int,
    counter: int,
    last: bool,
    data: bytes,
    *,
    chunk_size: int = CHUNK_SIZE,
) -> bytes:
    """One chunk: AES-256-GCM under the file's key, the counter and last flag in nonce and AAD."""
    if len(data) > chunk_size or (not last and len(data) != chunk_size):
        raise SealingError("chunk", "only the last chunk may be shorter than the chunk size")
    return AESGCM(key).encrypt(
        chunk_nonce(counter, last), data, chunk_aad(context, index, counter, last)
    )


def chunk_open(
    key: bytes,
    context: BidContext,
    index: int,
    counter: int,
    last: bool,
    data: bytes,
    *,
    chunk_size: int = CHUNK_SIZE,
) -> bytes:
    """The plaintext; SealingError("content") if the chunk does not authenticate where it stands."""
    if len(data) > chunk_size + TAG_BYTES or (not last and len(data) != chunk_size + TAG_BYTES):
        raise SealingError("content", f"file {index} chunk {counter} has the wrong size")
    try:
        return AESGCM(key).decrypt(
            chunk_nonce(counter, last), data, chunk_aad(context, index, counter, last)
        )
    except InvalidTag as exc:
        raise SealingError(
            "content", f"file {index} chunk {counter} failed authentication"
        ) from exc


def stream_seal(
    key: bytes,
    context: BidContext,
    index: int,
    read: Callable[[int], bytes],
    *,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[bytes]:
    """Encrypt what `read(n)` returns, a chunk at a time; empty: one empty last chunk.

    Every chunk but the last holds exactly `chunk_size` bytes, so a file's chunking (and with the
    deterministic nonces its ciphertext) follows from its bytes alone.
    """
    if chunk_size < 1:
        raise SealingError("chunk", "the chunk size must be positive")

    def read_full() -> bytes:
        # A file object may return less than asked before its end (pipes, some streams).
        parts, wanted = [], chunk_size
        while wanted:
            part = read(wanted)
            if not part:
                break
            parts.append(part)
            wanted -= len(part)
        return b"".join(parts)

    current = read_full()
    counter = 0
    while True:
        following = read_full() if len(current) == chunk_size else b""
        last = not following
        yield chunk_seal(key, context, index, counter, last, current, chunk_size=chunk_size)
        if last:
            return
        current, counter = following, counter + 1


def stream_open(
    key: bytes,
    context: BidContext,
    index: int,
    chunks: Iterable[bytes],
    *,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[bytes]:
    """Decrypt chunks in order; a reordered, dropped or truncated chunk fails authentication."""
    iterator = iter(chunks)
    current = next(iterator, None)
    if current is None:
        raise SealingError("content", f"file {index} has no chunk")
    counter = 0
    while current is not None:
        following = next(iterator, None)
        yield chunk_open(
            key, context, index, counter, following is None, bytes(current), chunk_size=chunk_size
        )
        current, counter = following, counter + 1


def sealed_size(plain_size: int, *, chunk_size: int = CHUNK_SIZE) -> tuple[int, int]:
    """(chunk count, ciphertext bytes) of a file of `plain_size` bytes."""
    count = max(1, -(-plain_size // chunk_size))
    return count, plain_size + count * TAG_BYTES


# --- the offer, the key file and the receipt --------------------------------------------------


def offer_plaintext(
    commitment_key: bytes, offer: dict[str, Any], documents: list[dict[str, Any]]
) -> bytes:
    """File 0: the offer's fields, the documents' names, sizes, SHA-256, the commitment key."""
    return canonical_json(
        {
            "format": FORMAT,
            "commitment_key": b64(commitment_key),
            "offer": offer,
            "documents": documents,
        }
    )


def offer_parse(plaintext: bytes) -> tuple[bytes, dict[str, Any]]:
    """(commitment key, the committed content {"offer", "documents"}) from a decrypted file 0.

    File 0 must be canonical JSON byte for byte: one content has one encoding.
    """
    try:
        document = json.loads(plaintext.decode("utf-8"))
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise SealingError("offer", "unknown format")
        if set(document) != {"format", "commitment_key", "offer", "documents"}:
            raise SealingError("offer", "unexpected fields")
        if canonical_json(document) != plaintext:
            raise SealingError("offer", "not canonical JSON")
        key = unb64(document["commitment_key"], size=COMMITMENT_KEY_BYTES, part="offer")
        if not isinstance(document["offer"], dict) or not isinstance(document["documents"], list):
            raise SealingError("offer", "offer must be an object and documents a list")
        content = {"offer": document["offer"], "documents": document["documents"]}
    except SealingError as exc:
        raise SealingError("offer", exc.detail or exc.part) from exc
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        raise SealingError("offer", "not a sealed offer") from exc
    return key, content


def key_file(context: BidContext, bidder_share: bytes) -> dict[str, Any]:
    """What the bidder saves: its share, the context and the commitment that checks it."""
    return {
        "format": KEY_FILE_FORMAT,
        "lot": context.lot,
        "enrolment": context.enrolment,
        "version": context.version,
        "bidder_share": b64(bidder_share),
        "commitment": share_commitment("bidder", bidder_share, context),
    }


def key_file_read(document: Any) -> tuple[BidContext, bytes]:
    """(context, K_bidder) from a loaded key file, refusing one whose share fails its own check."""
    if not isinstance(document, dict) or document.get("format") != KEY_FILE_FORMAT:
        raise SealingError("key_file", "not a Tianping bid key file")
    numbers: list[int] = []
    for name in ("lot", "enrolment", "version"):
        number = document.get(name)
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise SealingError("key_file", "lot, enrolment and version must be whole numbers")
        numbers.append(number)
    context = BidContext(*numbers)
    share = unb64(str(document.get("bidder_share", "")), size=SHARE_BYTES, part="key_file")
    claimed = document.get("commitment")
    if not isinstance(claimed, str) or not hmac.compare_digest(
        share_commitment("bidder", share, context).encode(), claimed.encode("utf-8", "replace")
    ):
        raise SealingError("key_file", "the share does not match the file's own commitment")
    return context, share


def receipt_bytes(receipt: dict[str, Any]) -> bytes:
    """The bytes the platform signs: the receipt as canonical JSON, without its signature."""
    return canonical_json({key: value for key, value in receipt.items() if key != "signature"})
