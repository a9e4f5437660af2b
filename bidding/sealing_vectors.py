"""Test vectors of the sealed-bid format (bidding/SEALING.md), from fixed inputs.

`python -m bidding.sealing_vectors` rewrites bidding/sealing_vectors.json; `--check` exits 1 when
the committed file differs from what this module computes. The JavaScript implementation
(frontend/static/bidding/sealing.js) and any third client must reproduce every value.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bidding.client import bid_seal
from bidding.domain import sealing
from bidding.domain.sealing import BidContext

PATH = Path(__file__).with_name("sealing_vectors.json")
# Small, so that a few hundred bytes cross several chunk boundaries; production uses 1 MiB.
CHUNK_SIZE = 32


def _fixed(label: str, size: int = 32) -> bytes:
    return hashlib.sha256(b"tianping test vector: " + label.encode()).digest()[:size]


def _scalar(label: str) -> int:
    return int.from_bytes(_fixed(label), "big")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _point(private: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    """The key as hex scalar, uncompressed public point (b64) and JWK (what WebCrypto imports)."""
    scalar = private.private_numbers().private_value.to_bytes(32, "big")
    public = sealing.public_key_bytes(private.public_key())
    return {
        "private_scalar_hex": scalar.hex(),
        "public_key": sealing.b64(public),
        "jwk": {
            "kty": "EC",
            "crv": "P-256",
            "d": _b64url(scalar),
            "x": _b64url(public[1:33]),
            "y": _b64url(public[33:]),
        },
    }


# Values whose encodings differ between careless JSON writers: key order by code point (not by
# UTF-16 unit), escapes of control characters, non-ASCII text kept as UTF-8, integer limits.
CANONICAL_JSON_CASES: list[Any] = [
    {"b": 1, "a": [True, False, None], "c": {"z": "", "y": "0.10"}},
    {"价格": "1234567.89", "工期": "180", "质量": "合格"},
    {"\U0001f600": 1, "\uffff": 2, "\u00e9": 3, "e": 4, "E": 5, "": 6},
    {"text": 'line\nbreak\ttab "quote" back\\slash \u0000\u001f\u007f \u2028\u2029 /'},
    [9007199254740991, -9007199254740991, 0, -1],
    "",
    [],
    {},
]


def _documents() -> list[tuple[str, bytes]]:
    body = b"%PDF-1.4\n% tianping test vector\n" + bytes(range(256))[:69]
    return [
        ("技术标.pdf", body),  # 100 bytes: three full chunks and a short last one
        ("exact.pdf", b"%PDF-1.7\n" + b"x" * 55),  # 64 bytes: two full chunks, no empty third
    ]


def _file_vector(draft: Any, index: int, plaintext: bytes) -> dict[str, Any]:
    key = draft.key(index)
    chunks = list(draft.chunks(index))
    return {
        "index": index,
        "file_context": draft.context.file(index).decode(),
        "content_key_hex": key.hex(),
        "content_key_info_hex": (b"tianping/1/content-key\x00" + draft.context.file(index)).hex(),
        "plaintext": sealing.b64(plaintext),
        "plaintext_sha256": hashlib.sha256(plaintext).hexdigest(),
        "chunks": [
            {
                "counter": counter,
                "last": counter == len(chunks) - 1,
                "nonce_hex": sealing.chunk_nonce(counter, counter == len(chunks) - 1).hex(),
                "aad_hex": sealing.chunk_aad(
                    draft.context, index, counter, counter == len(chunks) - 1
                ).hex(),
                "ciphertext": sealing.b64(chunk),
            }
            for counter, chunk in enumerate(chunks)
        ],
        "chunk_count": len(chunks),
        "size": sum(len(chunk) for chunk in chunks),
        "sha256": hashlib.sha256(b"".join(chunks)).hexdigest(),
    }


def vectors() -> dict[str, Any]:
    """Every derived value of one bid version with two documents, from fixed inputs."""
    context = BidContext(lot=1024, enrolment=77, version=2)
    lot = ec.derive_private_key(_scalar("lot key"), ec.SECP256R1())
    ephemeral = ec.derive_private_key(_scalar("ephemeral key"), ec.SECP256R1())
    wrap_nonce = _fixed("wrap nonce", sealing.NONCE_BYTES)
    randoms = {
        "platform_share": _fixed("platform share"),
        "bidder_share": _fixed("bidder share"),
        "salt": _fixed("salt"),
        "commitment_key": _fixed("commitment key"),
    }
    stream = io.BytesIO(b"".join(randoms.values()))
    offer = {
        "price": "1234567.89",
        "duration_days": "180",
        "quality": "合格",
        "project_manager": "张三",
        "certificates": ["12", "34"],
    }
    documents = _documents()
    draft = bid_seal(
        context,
        sealing.public_key_bytes(lot.public_key()),
        offer,
        list(documents),
        random=stream.read,
        chunk_size=CHUNK_SIZE,
        ephemeral=ephemeral,
        wrap_nonce=wrap_nonce,
    )
    wrap_info = b"tianping/1/wrap\x00" + context.encode()
    shared = ephemeral.exchange(ec.ECDH(), lot.public_key())
    offer_plain = sealing.offer_plaintext(draft.commitment_key, offer, draft.content["documents"])
    files = [_file_vector(draft, 0, offer_plain)] + [
        _file_vector(draft, number, body) for number, (_name, body) in enumerate(documents, 1)
    ]
    signer = Ed25519PrivateKey.from_private_bytes(_fixed("receipt signing seed"))
    receipt = {
        "format": sealing.RECEIPT_FORMAT,
        "suite": sealing.SUITE,
        "lot": {"id": context.lot, "code": "T4601002026000001001"},
        "bidder_number": 3,
        "version": context.version,
        "server_time": "2026-12-01T09:30:00.000000+08:00",
        "files": [{"index": f["index"], "size": f["size"], "sha256": f["sha256"]} for f in files],
        "platform_share_commitment": draft.commit_body()["platform_share_commitment"],
        "bidder_share_commitment": draft.commit_body()["bidder_share_commitment"],
        "content_commitment": draft.commit_body()["content_commitment"],
        "key_id": hashlib.sha256(signer.public_key().public_bytes_raw()).hexdigest(),
    }
    signed = sealing.receipt_bytes(receipt)
    return {
        "about": (
            "Test vectors of the Tianping sealed-bid format (bidding/SEALING.md), generated by "
            "python -m bidding.sealing_vectors. Bytes are base64 (standard, padded) unless the "
            "name ends in _hex. chunk_size is small for the test; the format uses 1048576."
        ),
        "format": sealing.FORMAT,
        "suite": sealing.SUITE,
        "chunk_size": CHUNK_SIZE,
        "inputs": {
            "context": {"lot": context.lot, "enrolment": context.enrolment, "version": 2},
            "lot_key": _point(lot),
            "ephemeral_key": _point(ephemeral),
            "wrap_nonce": sealing.b64(wrap_nonce),
            **{name: sealing.b64(value) for name, value in randoms.items()},
            "offer": offer,
            "documents": [{"name": name, "content": sealing.b64(body)} for name, body in documents],
        },
        "derived": {
            "context": context.encode().decode(),
            "wrap": {
                "info_hex": wrap_info.hex(),
                "shared_secret_hex": shared.hex(),
                "key_hex": sealing._hkdf(shared, b"", wrap_info).hex(),
                "envelope": draft.platform_envelope,
            },
            "platform_share_commitment_input_hex": (
                b"tianping/1/share\x00platform\x00"
                + context.encode()
                + b"\x00"
                + draft.platform_share
            ).hex(),
            "content": draft.content,
            "content_commitment_input_hex": (
                b"tianping/1/content\x00"
                + context.encode()
                + b"\x00"
                + sealing.canonical_json(draft.content)
            ).hex(),
            "offer_plaintext": offer_plain.decode(),
            "files": files,
            "commit_body": draft.commit_body(),
            "key_file": draft.key_file(),
            "key_file_json": sealing.canonical_json(draft.key_file()).decode(),
        },
        "canonical_json": [
            {"value": value, "text": sealing.canonical_json(value).decode()}
            for value in CANONICAL_JSON_CASES
        ],
        "receipt": {
            "signing_seed_hex": _fixed("receipt signing seed").hex(),
            "public_key": sealing.b64(signer.public_key().public_bytes_raw()),
            "receipt": receipt,
            "signed_bytes": sealing.b64(signed),
            "signature": sealing.b64(signer.sign(signed)),
        },
    }


def vectors_json() -> str:
    return json.dumps(vectors(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = vectors_json()
    if "--check" in argv:
        current = PATH.read_text(encoding="utf-8") if PATH.exists() else ""
        if current != text:
            print(f"{PATH} differs from what bidding.sealing_vectors computes", file=sys.stderr)
            return 1
        return 0
    PATH.write_text(text, encoding="utf-8")
    print(f"wrote {PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
