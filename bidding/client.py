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

from bidding.domain import sealing
from bidding.domain.sealing import BidContext

Source = bytes | Path


def _reader(source: Source) -> tuple[Callable[[int], bytes], Callable[[], None]]:
    handle = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
    return handle.read, handle.close


def _digest_and_size(source: Source) -> tuple[str, int]:
    read, close = _reader(source)
    digest, size = hashlib.sha256(), 0
    try:
        while block := read(sealing.CHUNK_SIZE):
            digest.update(block)
            size += len(block)
    finally:
        close()
    return digest.hexdigest(), size


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
    _offer_bytes: bytes = b""

    def file_indices(self) -> list[int]:
        return [sealing.OFFER_FILE] + [i + 1 for i in range(len(self.documents))]

    def key(self, index: int) -> bytes:
        return sealing.content_key(
            self.platform_share, self.bidder_share, self.salt, self.context, index
        )

    def chunks(self, index: int) -> Iterator[bytes]:
        """The file's ciphertext chunks in order, read from its source one chunk at a time."""
        source: Source = (
            self._offer_bytes if index == sealing.OFFER_FILE else self.documents[index - 1][1]
        )
        read, close = _reader(source)
        try:
            yield from sealing.stream_seal(self.key(index), self.context, index, read)
        finally:
            close()

    def file_summary(self, index: int) -> dict[str, Any]:
        digest, size, count = hashlib.sha256(), 0, 0
        for chunk in self.chunks(index):
            digest.update(chunk)
            size += len(chunk)
            count += 1
        return {"index": index, "chunks": count, "size": size, "sha256": digest.hexdigest()}

    def commit_body(self) -> dict[str, Any]:
        """What the commit sends: public values only (bidding/SEALING.md §5)."""
        return {
            "suite": sealing.SUITE,
            "salt": sealing.b64(self.salt),
            "platform_share": self.platform_envelope,
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
            source: Source = (
                self._offer_bytes if index == sealing.OFFER_FILE else self.documents[index - 1][1]
            )
            expected, _size = _digest_and_size(source)
            opened = hashlib.sha256()
            for plain in sealing.stream_open(self.key(index), self.context, index, fetch(index)):
                opened.update(plain)
            if opened.hexdigest() != expected:
                raise sealing.SealingError("upload", f"file {index} differs from what was sealed")


def bid_seal(
    context: BidContext,
    lot_public_key: bytes,
    offer: dict[str, Any],
    documents: list[tuple[str, Source]] | None = None,
    *,
    random: Callable[[int], bytes] = os.urandom,
) -> SealedDraft:
    """Seal one bid version: `offer` holds decimal strings, `documents` (name, bytes or path)."""
    documents = list(documents or [])
    described = []
    for number, (name, source) in enumerate(documents, start=1):
        digest, size = _digest_and_size(source)
        described.append({"file": number, "name": name, "size": size, "sha256": digest})
    platform_share = random(sealing.SHARE_BYTES)
    bidder_share = random(sealing.SHARE_BYTES)
    salt = random(sealing.SALT_BYTES)
    commitment_key = random(sealing.COMMITMENT_KEY_BYTES)
    envelope = sealing.platform_share_wrap(lot_public_key, platform_share, context)
    draft = SealedDraft(
        context=context,
        platform_share=platform_share,
        bidder_share=bidder_share,
        salt=salt,
        commitment_key=commitment_key,
        offer=offer,
        documents=documents,
        platform_envelope=envelope,
        content={"offer": offer, "documents": described},
    )
    draft._offer_bytes = sealing.offer_plaintext(commitment_key, offer, described)
    return draft
