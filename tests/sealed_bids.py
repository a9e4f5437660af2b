"""Sealed bids for tests: a bidder's client seals with `bidding.client` and talks to the URLs.

`bid_submit(client, lot, offer, documents)` does what the page's script does: start a version,
upload its chunks, fetch them back for the self-check, commit; it returns the draft (holding the
key file) and the commit's answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import reverse

from bidding.client import SealedDraft, Source, bid_seal
from bidding.domain import sealing
from bidding.domain.sealing import BidContext
from bidding.models import SealedBid
from bidding.models.sealed import BidChunk, BidFile
from trading.models import Lot, User

OFFER = {"price": "980000.00", "duration": "180", "quality": "合格", "project_manager": "张工"}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
USER_AGENT = "TianpingTest/1.0 (sealed bids)"


def bidder_client(user: User) -> Client:
    client = Client(HTTP_USER_AGENT=USER_AGENT, REMOTE_ADDR="203.0.113.7")
    client.force_login(user)
    return client


@dataclass
class Started:
    """A version opened for upload, as the start endpoint answered."""

    bid: str
    context: BidContext
    lot_public_key: bytes
    chunk_url: str
    commit_url: str


def bid_start(client: Client, lot: Lot) -> Any:
    return client.post(reverse("sealed_bid_start", args=[lot.pk]))


def started(response: Any) -> Started:
    assert response.status_code == 201, response.content.decode()
    answer = response.json()
    return Started(
        bid=answer["bid"],
        context=BidContext(**answer["context"]),
        lot_public_key=sealing.unb64(answer["lot_public_key"]),
        chunk_url=answer["chunk_url"],
        commit_url=answer["commit_url"],
    )


def chunk_url(version: Started, index: int, counter: int) -> str:
    return f"{version.chunk_url}{index}/chunks/{counter}/"


def upload(client: Client, version: Started, draft: SealedDraft) -> None:
    for index in draft.file_indices():
        for counter, chunk in enumerate(draft.chunks(index)):
            answer = client.post(
                chunk_url(version, index, counter), chunk, content_type="application/octet-stream"
            )
            assert answer.status_code == 200, answer.content.decode()


def fetcher(client: Client, version: Started, draft: SealedDraft) -> Any:
    def fetch(index: int) -> Iterator[bytes]:
        for counter in range(draft.file_summary(index)["chunks"]):
            answer = client.get(chunk_url(version, index, counter))
            assert answer.status_code == 200
            yield answer.content

    return fetch


def commit(client: Client, version: Started, body: dict[str, Any]) -> Any:
    return client.post(version.commit_url, json.dumps(body), content_type="application/json")


def bid_prepare(
    client: Client,
    lot: Lot,
    offer: dict[str, Any] | None = None,
    documents: list[tuple[str, Source]] | None = None,
) -> tuple[Started, SealedDraft]:
    """Start a version, seal it to the lot's key, upload it and check the upload."""
    version = started(bid_start(client, lot))
    draft = bid_seal(version.context, version.lot_public_key, offer or OFFER, documents or [])
    upload(client, version, draft)
    draft.check_upload(fetcher(client, version, draft))
    return version, draft


def bid_submit(
    client: Client,
    lot: Lot,
    offer: dict[str, Any] | None = None,
    documents: list[tuple[str, Source]] | None = None,
) -> tuple[Started, SealedDraft, Any]:
    """The whole submission as the page's script runs it; the commit's answer last."""
    version, draft = bid_prepare(client, lot, offer, documents)
    # The bidder loads its saved key file back once before the commit (SEALING.md).
    context, share = sealing.key_file_read(json.loads(json.dumps(draft.key_file())))
    assert context == version.context and share == draft.bidder_share
    return version, draft, commit(client, version, draft.commit_body())


def matrix_bid(world: Any) -> SealedBid:
    """The matrix's first bidder's bid in its published lot: one stored chunk and a receipt."""
    from tests.deposits import matrix_enrolment

    enrolment = matrix_enrolment(world)
    bid, _created = SealedBid.objects.get_or_create(
        enrolment=enrolment,
        version=1,
        defaults={
            "lot": enrolment.lot,
            "suite": sealing.SUITE,
            "started_at": enrolment.enrolled_at,
            "receipt": {"format": sealing.RECEIPT_FORMAT, "version": 1},
        },
    )
    stored, _created = BidFile.objects.get_or_create(
        bid=bid, index=0, defaults={"chunk_count": 1, "ciphertext_size": 32}
    )
    BidChunk.objects.get_or_create(file=stored, index=0, defaults={"data": b"\x00" * 32})
    return bid
