"""Sealed bids for tests: sealed by `bidding.client` as a bidder's client would, then committed.

PROVISIONAL (integrator): rows written directly until the submission's URLs land.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from django.db.models import Max

from bidding.client import SealedDraft, bid_seal
from bidding.domain import sealing
from bidding.models import BidChunk, BidFile, LotKey, SealedBid
from bidding.selectors.enrolment import enrolment_get_own
from trading.clock import get_clock
from trading.models import Lot, User


def _public_key(lot: Lot) -> bytes:
    key = LotKey.objects.filter(lot=lot).first()
    if key is None:
        private = ec.generate_private_key(ec.SECP256R1())
        key = LotKey.objects.create(
            lot=lot,
            public_key=sealing.public_key_bytes(private.public_key()),
            wrap_nonce=b"\0" * 12,
            wrapped_private_key=b"",
            created_at=get_clock()(),
        )
    return bytes(key.public_key)


def sealed_bid_submit(
    lot: Lot, user: User, offer: dict[str, Any], documents: list[tuple[str, bytes | Path]]
) -> tuple[SealedBid, SealedDraft]:
    enrolment = enrolment_get_own(user, lot)
    assert enrolment is not None
    version = (
        SealedBid.objects.filter(enrolment=enrolment).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    context = sealing.BidContext(lot.pk, enrolment.pk, version)
    draft = bid_seal(context, _public_key(lot), offer, documents)
    body = draft.commit_body()
    now = get_clock()()
    bid = SealedBid.objects.create(
        lot=lot,
        enrolment=enrolment,
        version=version,
        status="committed",
        suite=body["suite"],
        started_at=now,
        committed_at=now,
        salt=draft.salt,
        platform_share=body["platform_share"],
        platform_share_commitment=body["platform_share_commitment"],
        bidder_share_commitment=body["bidder_share_commitment"],
        content_commitment=body["content_commitment"],
    )
    for index in draft.file_indices():
        chunks = list(draft.chunks(index))
        file = BidFile.objects.create(
            bid=bid,
            index=index,
            chunk_count=len(chunks),
            ciphertext_size=sum(map(len, chunks)),
            ciphertext_sha256=hashlib.sha256(b"".join(chunks)).hexdigest(),
        )
        BidChunk.objects.bulk_create(
            BidChunk(file=file, index=i, data=chunk) for i, chunk in enumerate(chunks)
        )
    return bid, draft
