"""Sealed bids for tests: a bid sealed with `bidding.client` and stored as a committed version.

The HTTP submission (sbsubmit) is tested on its own; the opening's tests need bids as the
server keeps them after a commit: the chunks as uploaded, the server's SHA-256 of each file, the
commitments and a receipt naming those hashes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bidding.client import SealedDraft, bid_seal
from bidding.domain import sealing
from bidding.domain.sealing import BidContext
from bidding.models import BidChunk, BidFile, BidStatus, Enrolment, SealedBid
from bidding.services.lot_keys import lot_key_public
from tests.conftest import ControlledClock
from tests.enrolments import enrol
from tests.notices import deliver_events
from tests.tenders import World, closes, first_lot, make_tender
from trading.chronograph import chronograph_tick, due_work_override
from trading.clock import get_clock
from trading.models import Lot, Organisation
from trading.services.lots import LOTS

PRICES = ["968000.00", "955000.00", "942500.00"]


def pdf_with_info(marker: str, *, author: str = "", creator: str = "", producer: str = "") -> bytes:
    """A small PDF whose Info dictionary names an author, a creator tool and a producer."""
    author_hex = ("FEFF" + author.encode("utf-16-be").hex().upper()) if author else ""
    info = (
        f"3 0 obj << /Author <{author_hex}> /Creator ({creator}) /Producer ({producer}) >> endobj\n"
    )
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
        + f"2 0 obj << /Marker ({marker}) >> endobj\n".encode()
        + info.encode("latin-1")
        + b"trailer << /Root 1 0 R /Info 3 0 R >>\n%%EOF\n"
    )


def bid_store(
    lot: Lot,
    enrolment: Enrolment,
    *,
    offer: dict[str, Any],
    documents: Sequence[tuple[str, bytes]] = (),
    at: datetime | None = None,
) -> tuple[SealedDraft, SealedBid]:
    """Seal `offer` and `documents` as the bidder's client does and store them committed (the
    enrolment's earlier committed version, if any, superseded)."""
    now = at or get_clock()()
    last = SealedBid.objects.filter(enrolment=enrolment).order_by("-version").first()
    version = (last.version if last else 0) + 1
    context = BidContext(lot.pk, enrolment.pk, version)
    draft = bid_seal(context, lot_key_public(lot), offer, list(documents))
    body = draft.commit_body()
    SealedBid.objects.filter(enrolment=enrolment, status=BidStatus.COMMITTED).update(
        status=BidStatus.SUPERSEDED
    )
    files = [{k: row[k] for k in ("index", "size", "sha256")} for row in body["files"]]
    bid = SealedBid.objects.create(
        lot=lot,
        enrolment=enrolment,
        version=version,
        status=BidStatus.COMMITTED,
        suite=body["suite"],
        started_at=now,
        committed_at=now,
        salt=sealing.unb64(body["salt"]),
        platform_share=body["platform_share"],
        platform_share_commitment=body["platform_share_commitment"],
        bidder_share_commitment=body["bidder_share_commitment"],
        content_commitment=body["content_commitment"],
        receipt={
            "format": sealing.RECEIPT_FORMAT,
            "lot": {"id": lot.pk, "code": lot.code},
            "bidder_number": enrolment.bidder_number,
            "version": version,
            "server_time": now.isoformat(),
            "files": files,
        },
    )
    for summary in body["files"]:
        bid_file = BidFile.objects.create(
            bid=bid,
            index=summary["index"],
            chunk_count=summary["chunks"],
            ciphertext_size=summary["size"],
            ciphertext_sha256=summary["sha256"],
        )
        for number, chunk in enumerate(draft.chunks(summary["index"])):
            BidChunk.objects.create(file=bid_file, index=number, data=chunk)
    return draft, bid


def sealed_lot(
    world: World, clock: ControlledClock, bids: int = 3, *, member: Organisation | None = None
) -> tuple[Lot, list[Any]]:
    """A published engineering lot (min 3 bids) with `bids` sealed bids committed; the first
    bidder leads a consortium with `member` when one is given."""
    tender = make_tender(world)
    deliver_events(clock)  # the lot's sealing key is made at publication
    lot = first_lot(tender)
    sealed = []
    for n, organisation in enumerate(world.bidders[:bids]):
        members = [member] if member is not None and n == 0 else []
        enrolment = enrol(lot, organisation, members=members)
        document = pdf_with_info(
            f"bid-{n}", author="张工", creator="Microsoft Word", producer=f"Tool {n}"
        )
        offer = {"price": PRICES[n], "duration_days": "180", "quality": "合格"}
        draft, bid = bid_store(lot, enrolment, offer=offer, documents=[("商务标.pdf", document)])
        sealed.append((enrolment, draft, bid, document))
    return lot, sealed


def deadline_pass(lot: Lot, clock: ControlledClock) -> Lot:
    """The deadline passes: the chronograph closes bidding, the outbox starts the opening."""
    clock.set(closes(lot) + timedelta(seconds=1))
    with due_work_override(LOTS):
        chronograph_tick(clock=clock)
    deliver_events(clock)
    lot.refresh_from_db()
    return lot
