"""When a sealed bid is taken, and what its upload and its commit may hold (bidding/SEALING.md).

Pure: no Django, no clock (callers pass `now` and the limits). A bid is taken until the bid
deadline (招标投标法 第28条: a bid that arrives after it is refused), and the deadline is the
opening (第34条), so the moment itself already belongs to the opening.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bidding.domain import sealing
from trading.domain.lifecycle import LotStatus

# Statuses in which a sealed-bid lot takes bids: from its announcement (or, after a
# prequalification, the invitation) until the deadline.
TAKING = frozenset({LotStatus.PUBLISHED, LotStatus.BIDDING})

# File 0 (the offer: prices, names, hashes of the documents) fits one chunk.
OFFER_MAX_BYTES = sealing.CHUNK_SIZE

_HEX64 = re.compile(r"[0-9a-f]{64}")


class BidRefusal(enum.StrEnum):
    NOT_SEALED = "not_sealed"  # the procedure takes no sealed bids (listing, negotiation …)
    NOT_OPEN = "not_open"  # the lot is not in a status that takes bids
    NOT_YET = "not_yet"  # no deadline set
    DEADLINE_PASSED = "deadline_passed"
    SUSPENDED = "suspended"


def bid_refusal(
    *,
    sealed_bids: bool,
    status: LotStatus | str,
    now: datetime,
    closes_at: datetime | None,
    suspended: bool,
) -> BidRefusal | None:
    """Why the lot takes no bid (nor a replacement or withdrawal) at `now`; None when it does.

    招标投标法 第28条 (no bid after the deadline), 第29条 (replace or withdraw before it),
    实施条例 第22条 (a suspended process takes nothing meanwhile).
    """
    if not sealed_bids:
        return BidRefusal.NOT_SEALED
    if LotStatus(status) not in TAKING:
        return BidRefusal.NOT_OPEN
    if closes_at is None:
        return BidRefusal.NOT_YET
    if now >= closes_at:
        return BidRefusal.DEADLINE_PASSED
    if suspended:
        return BidRefusal.SUSPENDED
    return None


@dataclass(frozen=True)
class Limits:
    """How much one bid version may upload: documents, their size, and so their chunks."""

    max_documents: int
    document_max_bytes: int

    def max_chunks(self, file_index: int) -> int:
        plain = OFFER_MAX_BYTES if file_index == sealing.OFFER_FILE else self.document_max_bytes
        return sealing.sealed_size(plain)[0]

    def max_ciphertext(self, file_index: int) -> int:
        plain = OFFER_MAX_BYTES if file_index == sealing.OFFER_FILE else self.document_max_bytes
        return sealing.sealed_size(plain)[1]


class UploadProblem(enum.StrEnum):
    TOO_MANY_FILES = "too_many_files"
    TOO_LARGE = "too_large"  # beyond the document limit
    CHUNK_TOO_LARGE = "chunk_too_large"
    EMPTY_CHUNK = "empty_chunk"  # every AES-GCM chunk carries at least its tag


def chunk_problem(limits: Limits, file_index: int, counter: int, size: int) -> UploadProblem | None:
    """Whether chunk `counter` of file `file_index`, `size` bytes, may be stored at all."""
    if file_index > limits.max_documents:
        return UploadProblem.TOO_MANY_FILES
    if size > sealing.CHUNK_SIZE + sealing.TAG_BYTES:
        return UploadProblem.CHUNK_TOO_LARGE
    if size < sealing.TAG_BYTES:
        return UploadProblem.EMPTY_CHUNK
    if counter >= limits.max_chunks(file_index):
        return UploadProblem.TOO_LARGE
    return None


@dataclass(frozen=True)
class DeclaredFile:
    index: int
    chunks: int
    size: int
    sha256: str


@dataclass(frozen=True)
class CommitBody:
    """The commit's public values (bidding/SEALING.md §5), checked for shape."""

    salt: bytes
    platform_share: dict[str, str]
    platform_share_commitment: str
    bidder_share_commitment: str
    content_commitment: str
    files: tuple[DeclaredFile, ...]
    certificates: tuple[int, ...]


class BodyError(ValueError):
    """The commit body is malformed; `field` names what, `code` what kind of problem."""

    def __init__(self, field: str, code: str = "malformed") -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


def _text(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    if not isinstance(value, str):
        raise BodyError(field)
    return value


def _commitment(body: dict[str, Any], field: str) -> str:
    value = _text(body, field)
    if not _HEX64.fullmatch(value):
        raise BodyError(field)
    return value


def _integer(item: dict[str, Any], field: str) -> int:
    value = item.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BodyError(f"files.{field}")
    return value


def _files(raw: Any, limits: Limits) -> tuple[DeclaredFile, ...]:
    if not isinstance(raw, list) or not raw:
        raise BodyError("files")
    if len(raw) > limits.max_documents + 1:
        raise BodyError("files", UploadProblem.TOO_MANY_FILES)
    files = []
    for position, item in enumerate(raw):
        if not isinstance(item, dict):
            raise BodyError("files")
        declared = DeclaredFile(
            index=_integer(item, "index"),
            chunks=_integer(item, "chunks"),
            size=_integer(item, "size"),
            sha256=str(item.get("sha256", "")),
        )
        # Files are numbered 0 (the offer), 1, 2 … in order: none missing, none twice.
        if declared.index != position or not _HEX64.fullmatch(declared.sha256):
            raise BodyError("files")
        if not 1 <= declared.chunks <= limits.max_chunks(declared.index):
            raise BodyError("files", UploadProblem.TOO_LARGE)
        if declared.size > limits.max_ciphertext(declared.index):
            raise BodyError("files", UploadProblem.TOO_LARGE)
        files.append(declared)
    return tuple(files)


def commit_body_parse(body: Any, limits: Limits) -> CommitBody:
    """The commit body's values, or BodyError naming the first field that is not as specified."""
    if not isinstance(body, dict):
        raise BodyError("body")
    if body.get("suite") != sealing.SUITE:
        raise BodyError("suite", "unknown_suite")
    try:
        salt = sealing.unb64(_text(body, "salt"), size=sealing.SALT_BYTES, part="salt")
        envelope = body.get("platform_share")
        if not isinstance(envelope, dict):
            raise BodyError("platform_share")
        sizes = {"ephemeral": 65, "nonce": 12, "wrapped": sealing.SHARE_BYTES + sealing.TAG_BYTES}
        share = {}
        for name, size in sizes.items():
            share[name] = _text(envelope, name)
            sealing.unb64(share[name], size=size, part="platform_share")
    except sealing.SealingError as exc:
        raise BodyError(exc.part) from exc
    certificates = body.get("certificates", [])
    if not isinstance(certificates, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in certificates
    ):
        raise BodyError("certificates")
    return CommitBody(
        salt=salt,
        platform_share=share,
        platform_share_commitment=_commitment(body, "platform_share_commitment"),
        bidder_share_commitment=_commitment(body, "bidder_share_commitment"),
        content_commitment=_commitment(body, "content_commitment"),
        files=_files(body.get("files"), limits),
        certificates=tuple(certificates),
    )


def receipt_build(
    *,
    lot_id: int,
    lot_code: str,
    bidder_number: str,
    version: int,
    server_time: str,
    files: list[dict[str, Any]],
    body: CommitBody,
    key_id: str,
) -> dict[str, Any]:
    """The receipt's fields before its signature (bidding/SEALING.md, the receipt)."""
    return {
        "format": sealing.RECEIPT_FORMAT,
        "suite": sealing.SUITE,
        "lot": {"id": lot_id, "code": lot_code},
        "bidder_number": bidder_number,
        "version": version,
        "server_time": server_time,
        "files": files,
        "platform_share_commitment": body.platform_share_commitment,
        "bidder_share_commitment": body.bidder_share_commitment,
        "content_commitment": body.content_commitment,
        "key_id": key_id,
    }


RECEIPT_FIELDS = frozenset(
    {
        "format",
        "suite",
        "lot",
        "bidder_number",
        "version",
        "server_time",
        "files",
        "platform_share_commitment",
        "bidder_share_commitment",
        "content_commitment",
        "key_id",
        "signature",
    }
)


def receipt_shape_ok(receipt: Any) -> bool:
    """Whether an uploaded document has the receipt's fields (its signature is checked apart)."""
    if not isinstance(receipt, dict) or set(receipt) != RECEIPT_FIELDS:
        return False
    if receipt.get("format") != sealing.RECEIPT_FORMAT:
        return False
    lot = receipt.get("lot")
    files = receipt.get("files")
    return (
        isinstance(lot, dict)
        and isinstance(files, list)
        and all(isinstance(item, dict) for item in files)
        and isinstance(receipt.get("signature"), str)
        and isinstance(receipt.get("key_id"), str)
    )
