"""A small bidder's client for sealed bids, in Python (bidding/SEALING.md).

What the browser does with WebCrypto, for tests and integrations: generate both shares, seal the
offer and the documents in chunks, produce the commit body and the key file, and check an upload
by decrypting it. It holds no Django state and never sends K_bidder anywhere; the caller moves the
bytes (HTTP, the test client) and keeps the key file.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from bidding.domain import sealing
from bidding.domain.sealing import BidContext

Source = bytes | Path


class DocumentRefused(sealing.SealingError):
    """A document the format does not carry: not a PDF, too large, or too many of them."""

    def __init__(self, name: str, detail: str) -> None:
        super().__init__("document", f"{name}: {detail}")
        self.name = name


def _reader(source: Source) -> tuple[Callable[[int], bytes], Callable[[], None]]:
    handle = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
    return handle.read, handle.close


def _stamp(source: Source) -> tuple[int, int] | None:
    # A file changed between sealing and uploading would be encrypted twice under the same
    # nonces with different bytes, which breaks AES-GCM; its size and mtime catch that.
    if isinstance(source, bytes):
        return None
    status = source.stat()
    return status.st_size, status.st_mtime_ns


def _digest_and_size(source: Source, block: int) -> tuple[str, int]:
    read, close = _reader(source)
    digest, size = hashlib.sha256(), 0
    try:
        while data := read(block):
            digest.update(data)
            size += len(data)
    finally:
        close()
    return digest.hexdigest(), size


def _document_check(name: str, source: Source, limit: int) -> None:
    if not isinstance(name, str) or not name.strip():
        raise DocumentRefused(repr(name), "a document needs a file name")
    size = len(source) if isinstance(source, bytes) else source.stat().st_size
    if size > limit:
        raise DocumentRefused(name, f"{size} bytes is more than the limit of {limit} bytes")
    read, close = _reader(source)
    try:
        head = read(len(sealing.PDF_MAGIC))
    finally:
        close()
    if head != sealing.PDF_MAGIC:
        raise DocumentRefused(name, "not a PDF file (it does not start with %PDF-)")


@dataclass
class SealedDraft:
    """One bid version sealed on the bidder's side, ready to upload and commit."""

    context: BidContext
    platform_share: bytes
    bidder_share: bytes
    salt: bytes
    commitment_key: bytes
    offer: dict[str, Any]
    documents: list[tuple[str, Source]]
    platform_envelope: dict[str, str]
    content: dict[str, Any] = field(default_factory=dict)
    chunk_size: int = sealing.CHUNK_SIZE
    _offer_bytes: bytes = b""
    _stamps: list[tuple[int, int] | None] = field(default_factory=list)
    _summaries: dict[int, dict[str, Any]] = field(default_factory=dict)

    def file_indices(self) -> list[int]:
        return [sealing.OFFER_FILE] + [i + 1 for i in range(len(self.documents))]

    def key(self, index: int) -> bytes:
        return sealing.content_key(
            self.platform_share, self.bidder_share, self.salt, self.context, index
        )

    def _source(self, index: int) -> Source:
        if index not in self.file_indices():
            raise sealing.SealingError("file", f"this bid has no file {index}")
        if index == sealing.OFFER_FILE:
            return self._offer_bytes
        source = self.documents[index - 1][1]
        if _stamp(source) != self._stamps[index - 1]:
            raise DocumentRefused(self.documents[index - 1][0], "changed since it was sealed")
        return source

    def chunks(self, index: int) -> Iterator[bytes]:
        """The file's ciphertext chunks in order, read from its source one chunk at a time."""
        read, close = _reader(self._source(index))
        try:
            yield from sealing.stream_seal(
                self.key(index), self.context, index, read, chunk_size=self.chunk_size
            )
        finally:
            close()

    def file_summary(self, index: int) -> dict[str, Any]:
        """{index, chunks, size, sha256} of the file's ciphertext, what the server recomputes."""
        if index not in self._summaries:
            digest, size, count = hashlib.sha256(), 0, 0
            for chunk in self.chunks(index):
                digest.update(chunk)
                size += len(chunk)
                count += 1
            self._summaries[index] = {
                "index": index,
                "chunks": count,
                "size": size,
                "sha256": digest.hexdigest(),
            }
        return dict(self._summaries[index])

    def commit_body(self) -> dict[str, Any]:
        """What the commit sends: public values only (bidding/SEALING.md)."""
        return {
            "suite": sealing.SUITE,
            "salt": sealing.b64(self.salt),
            "platform_share": dict(self.platform_envelope),
            "platform_share_commitment": sealing.share_commitment(
                "platform", self.platform_share, self.context
            ),
            "bidder_share_commitment": sealing.share_commitment(
                "bidder", self.bidder_share, self.context
            ),
            "content_commitment": sealing.content_commitment(
                self.commitment_key, self.content, self.context
            ),
            "files": [self.file_summary(index) for index in self.file_indices()],
        }

    def key_file(self) -> dict[str, Any]:
        return sealing.key_file(self.context, self.bidder_share)

    def check_upload(self, fetch: Callable[[int], Iterable[bytes]]) -> None:
        """Decrypt what the server stored (`fetch(index)` yields its chunks) and compare it.

        Raises SealingError naming the file that does not come back as it was sealed.
        """
        for index in self.file_indices():
            expected, _size = _digest_and_size(self._source(index), self.chunk_size)
            opened = hashlib.sha256()
            try:
                for plain in sealing.stream_open(
                    self.key(index), self.context, index, fetch(index), chunk_size=self.chunk_size
                ):
                    opened.update(plain)
            except sealing.SealingError as exc:
                raise sealing.SealingError("upload", f"file {index}: {exc.detail}") from exc
            if opened.hexdigest() != expected:
                raise sealing.SealingError("upload", f"file {index} differs from what was sealed")


def bid_seal(
    context: BidContext,
    lot_public_key: bytes,
    offer: dict[str, Any],
    documents: list[tuple[str, Source]] | None = None,
    *,
    random: Callable[[int], bytes] = os.urandom,
    chunk_size: int = sealing.CHUNK_SIZE,
    max_document_bytes: int = sealing.MAX_DOCUMENT_BYTES,
    max_documents: int = sealing.MAX_DOCUMENTS,
    ephemeral: ec.EllipticCurvePrivateKey | None = None,
    wrap_nonce: bytes | None = None,
) -> SealedDraft:
    """Seal one bid version: `offer` holds decimal strings, `documents` (name, PDF bytes or path).

    Refuses (DocumentRefused) a document that is not a PDF or is over `max_document_bytes`, and
    more than `max_documents` documents, before anything is generated.
    """
    documents = list(documents or [])
    if len(documents) > max_documents:
        raise DocumentRefused(
            f"{len(documents)} documents", f"a bid carries at most {max_documents} documents"
        )
    for name, source in documents:
        _document_check(name, source, max_document_bytes)
    stamps = [_stamp(source) for _name, source in documents]
    described = []
    for number, (name, source) in enumerate(documents, start=1):
        digest, size = _digest_and_size(source, chunk_size)
        described.append({"file": number, "name": name, "size": size, "sha256": digest})
    content = {"offer": offer, "documents": described}
    sealing.canonical_json(content)  # refuses floats and the like before anything is generated
    platform_share = random(sealing.SHARE_BYTES)
    bidder_share = random(sealing.SHARE_BYTES)
    salt = random(sealing.SALT_BYTES)
    commitment_key = random(sealing.COMMITMENT_KEY_BYTES)
    envelope = sealing.platform_share_wrap(
        lot_public_key, platform_share, context, ephemeral=ephemeral, nonce=wrap_nonce
    )
    draft = SealedDraft(
        context=context,
        platform_share=platform_share,
        bidder_share=bidder_share,
        salt=salt,
        commitment_key=commitment_key,
        offer=offer,
        documents=documents,
        platform_envelope=envelope,
        content=content,
        chunk_size=chunk_size,
        _stamps=stamps,
    )
    draft._offer_bytes = sealing.offer_plaintext(commitment_key, offer, described)
    return draft
