"""Unlocking a sealed bid in the opening room, and the decryption window's end.

Attribution by evidence (电子招标投标办法 第31条): stored bytes that do not match the receipt's
hash, or a lost lot key, are the platform's fault (撤回); a share that does not match its
commitment, content that fails authentication under matching shares, or a bid not unlocked in
the window are the bidder's (撤销), and its deposit may be kept (实施条例 第35条). The opening
goes on with the others either way.
"""

from __future__ import annotations

import hashlib
import hmac
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bidding.domain import sealing
from bidding.domain.opening import pdf_info
from bidding.domain.sealing import BidContext, SealingError
from bidding.models import BidChunk, BidFile, BidOutcome, Opening, SealedBid
from bidding.models.rooms import OpeningStage
from bidding.selectors.opening import RoomSeat, Seat
from bidding.services.lot_keys import LotKeyLost, lot_key_unwrap
from bidding.services.opening import (
    _clock,
    _emit,
    _open,
    _own_bid,
    _refuse,
    _require_seat,
    received_bids,
)
from bidding.services.refunds import ARTICLE_REVOKED, forfeiture_record
from trading.clock import Clock
from trading.lock_objects import lock_lot
from trading.models import Lot, Tender, User
from trading.services.common import ledger, lot_tender, notify, record_text
from trading.translatable import Message

__all__ = ["bid_unlock", "opening_window_close", "opening_windows_due"]

# The Info dictionary stands near the start or the end of a PDF; a large one is read there only.
FEATURE_SCAN_BYTES = 4 << 20
OUTCOME_WORDS = {
    BidOutcome.PLATFORM_FAULT: gettext_noop("平台原因无法解密，视为撤回投标文件"),
    BidOutcome.BIDDER_FAULT: gettext_noop("投标人原因无法解密，视为撤销投标文件"),
}


class _Fault(Exception):
    def __init__(self, outcome: BidOutcome, evidence: dict[str, Any]) -> None:
        super().__init__(outcome)
        self.outcome = outcome
        self.evidence = evidence


@dataclass
class _Opened:
    offer: dict[str, Any]
    features: list[dict[str, Any]] = field(default_factory=list)
    documents: list[tuple[int, IO[bytes]]] = field(default_factory=list)


def _chunks(bid_file: BidFile) -> QuerySet[BidChunk, bytes | memoryview]:
    return BidChunk.objects.filter(file=bid_file).order_by("index").values_list("data", flat=True)


def _stored_sha256(bid_file: BidFile) -> tuple[str, int]:
    digest, count = hashlib.sha256(), 0
    for data in _chunks(bid_file).iterator(chunk_size=8):
        digest.update(bytes(data))
        count += 1
    return digest.hexdigest(), count


def _receipt_hashes(bid: SealedBid) -> dict[int, str]:
    files = (bid.receipt or {}).get("files") or []
    return {int(row["index"]): str(row["sha256"]) for row in files if "index" in row}


def _check_stored(bid: SealedBid, files: list[BidFile]) -> None:
    """The platform's side: what it stores is what it signed for."""
    signed = _receipt_hashes(bid)
    for bid_file in files:
        expected = signed.get(bid_file.index, bid_file.ciphertext_sha256)
        stored, count = _stored_sha256(bid_file)
        if stored != expected or count != bid_file.chunk_count:
            raise _Fault(
                BidOutcome.PLATFORM_FAULT,
                {
                    "part": "ciphertext",
                    "file": bid_file.index,
                    "receipt_sha256": expected,
                    "stored_sha256": stored,
                    "chunks_declared": bid_file.chunk_count,
                    "chunks_stored": count,
                },
            )


def _decrypt(key: bytes, context: BidContext, bid_file: BidFile, sink: IO[bytes]) -> str:
    digest = hashlib.sha256()
    chunks = (bytes(data) for data in _chunks(bid_file).iterator(chunk_size=8))
    for plain in sealing.stream_open(key, context, bid_file.index, chunks):
        digest.update(plain)
        sink.write(plain)
    sink.seek(0)
    return digest.hexdigest()


def _features(number: int, described: dict[str, Any], sink: IO[bytes], size: int) -> dict[str, Any]:
    head = sink.read(FEATURE_SCAN_BYTES)
    tail = b""
    if size > 2 * FEATURE_SCAN_BYTES:
        sink.seek(size - FEATURE_SCAN_BYTES)
        tail = sink.read()
    elif size > FEATURE_SCAN_BYTES:
        tail = sink.read()
    sink.seek(0)
    return {
        "file": number,
        "name": str(described.get("name", "")),
        "size": size,
        "sha256": str(described.get("sha256", "")),
        **pdf_info(head + tail),
    }


def _open_content(bid: SealedBid, platform: bytes, bidder: bytes, context: BidContext) -> _Opened:
    """Both shares matched their commitments: a failure from here on is the bidder's content."""
    salt = bytes(bid.salt or b"")
    files = {bid_file.index: bid_file for bid_file in bid.files.all()}
    try:
        if sealing.OFFER_FILE not in files:
            raise SealingError("offer", "no offer file")
        # Kept open until stored (or dropped with the fault): a document is decrypted once.
        offer_sink = tempfile.SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115
        key = sealing.content_key(platform, bidder, salt, context, sealing.OFFER_FILE)
        _decrypt(key, context, files[sealing.OFFER_FILE], offer_sink)
        commitment_key, content = sealing.offer_parse(offer_sink.read())
        computed = sealing.content_commitment(commitment_key, content, context)
        if not hmac.compare_digest(computed, bid.content_commitment):
            raise SealingError("content_commitment", "the offer does not match its commitment")
        described = {int(doc["file"]): doc for doc in content["documents"]}
        if set(described) != set(files) - {sealing.OFFER_FILE}:
            raise SealingError("documents", "the offer lists other files than were sealed")
        opened = _Opened(offer=dict(content["offer"]))
        for number in sorted(described):
            sink = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115
            key = sealing.content_key(platform, bidder, salt, context, number)
            digest = _decrypt(key, context, files[number], sink)
            if digest != described[number].get("sha256"):
                raise SealingError("documents", f"file {number} differs from its description")
            size = sink.seek(0, 2)
            sink.seek(0)
            opened.features.append(_features(number, described[number], sink, size))
            opened.documents.append((number, sink))
    except (SealingError, KeyError, TypeError, ValueError) as exc:
        part = exc.part if isinstance(exc, SealingError) else "offer"
        raise _Fault(BidOutcome.BIDDER_FAULT, {"part": part, "detail": str(exc)[:300]}) from None
    return opened


def _unseal(bid: SealedBid, bidder_share: bytes, lot: Lot, actor: User, now: datetime) -> _Opened:
    """Every check of the format in the order that attributes a failure (第31条)."""
    context = BidContext(lot.pk, bid.enrolment_id, bid.version)
    presented = sealing.share_commitment("bidder", bidder_share, context)
    if not hmac.compare_digest(presented, bid.bidder_share_commitment):
        raise _Fault(
            BidOutcome.BIDDER_FAULT,
            {
                "part": "bidder_share",
                "committed": bid.bidder_share_commitment,
                "presented": presented,
            },
        )
    _check_stored(bid, list(bid.files.all()))
    try:
        private_key = lot_key_unwrap(lot, actor=actor, now=now)
    except LotKeyLost as exc:
        evidence = {"part": "lot_key", "detail": str(exc)[:300]}
        raise _Fault(BidOutcome.PLATFORM_FAULT, evidence) from None
    try:
        platform_share = sealing.platform_share_unwrap(
            private_key, dict(bid.platform_share or {}), context
        )
    except SealingError as exc:
        raise _Fault(
            BidOutcome.BIDDER_FAULT, {"part": "platform_share", "detail": str(exc)[:300]}
        ) from None
    presented_platform = sealing.share_commitment("platform", platform_share, context)
    if not hmac.compare_digest(presented_platform, bid.platform_share_commitment):
        raise _Fault(
            BidOutcome.BIDDER_FAULT,
            {
                "part": "platform_share",
                "committed": bid.platform_share_commitment,
                "presented": presented_platform,
            },
        )
    return _open_content(bid, platform_share, bidder_share, context)


def _settle_fault(
    bid: SealedBid, tender: Tender, lot: Lot, fault: _Fault, *, opening: Opening, now: datetime
) -> None:
    bid.outcome = fault.outcome
    bid.fault_evidence = fault.evidence
    bid.opened_at = now
    bid.save(update_fields=["outcome", "fault_evidence", "opened_at"])
    # Only the bidder hears why its own bid did not open (法 第22条: nobody else learns of it).
    notify(
        User.objects.filter(organisation_id=bid.enrolment.lead_id, is_active=True),
        kind="bid.not_opened",
        title=Message(gettext_noop("投标文件无法解密：%(code)s"), code=lot.code),
        body=Message(OUTCOME_WORDS[fault.outcome]),
        now=now,
    )
    if (
        fault.outcome == BidOutcome.BIDDER_FAULT
        and tender.deposit_form != "none"
        and lot.deposit_amount > 0
    ):
        # 撤销 after the deadline: the deposit may be kept (实施条例 第35条).
        forfeiture_record(
            enrolment_id=bid.enrolment_id,
            reason=record_text(OUTCOME_WORDS[BidOutcome.BIDDER_FAULT]),
            article=ARTICLE_REVOKED,
            recorded_by=None,
            source_event=f"opening:{opening.pk}:bid:{bid.pk}",
            clock=lambda: now,
        )


def _store_opened(bid: SealedBid, opened: _Opened, now: datetime) -> None:
    files = {bid_file.index: bid_file for bid_file in bid.files.all()}
    for number, sink in opened.documents:
        bid_file = files[number]
        bid_file.opened_document.save(f"{bid.pk}-{number}.pdf", File(sink), save=True)
        sink.close()
    bid.outcome = BidOutcome.OPENED
    bid.opened_at = now
    bid.offer = opened.offer
    bid.features = {"documents": opened.features}
    bid.save(update_fields=["outcome", "opened_at", "offer", "features"])


def bid_unlock(
    *, seat: RoomSeat, key_file: dict[str, Any], clock: Clock | None = None
) -> SealedBid:
    """The bidder's client sends K_bidder from its key file; the bid opens or its failure is
    attributed (电子招标投标办法 第31条). A key file that is malformed or belongs to another lot
    or version is refused and changes nothing."""
    _require_seat(seat, Seat.BIDDER)
    if not isinstance(key_file, dict):
        raise _refuse(_("密钥文件格式不正确，请选择递交投标文件时保存的密钥文件。"), "key_file")
    try:
        context, bidder_share = sealing.key_file_read(key_file)
    except SealingError:
        raise _refuse(
            _("密钥文件格式不正确，请选择递交投标文件时保存的密钥文件。"), "key_file"
        ) from None
    with transaction.atomic():
        lot, opening, tender = _open(seat, OpeningStage.DECRYPTING)
        now = _clock(clock)()
        if opening.window_closes_at is not None and now > opening.window_closes_at:
            raise _refuse(_("解密时间已截止。"), "window_closed")
        bid = _own_bid(seat)
        if bid is None:
            raise _refuse(_("您没有递交投标文件。"), "no_bid")
        if bid.outcome:
            raise _refuse(
                _("您的投标文件已有开标结果：%(outcome)s。")
                % {"outcome": bid.get_outcome_display()},
                "unlocked",
            )
        if context != BidContext(lot.pk, bid.enrolment_id, bid.version):
            raise _refuse(
                _(
                    "该密钥文件不属于本标段您有效的投标文件（第%(version)s版），请选择该版本的密钥文件。"
                )
                % {"version": bid.version},
                "key_file_context",
            )
        try:
            opened = _unseal(bid, bidder_share, lot, seat.user, now)
        except _Fault as fault:
            _settle_fault(bid, tender, lot, fault, opening=opening, now=now)
        else:
            _store_opened(bid, opened, now)
        number = bid.enrolment.bidder_number
        _emit(lot, "bid.unlocked", {"bidder_number": number, "outcome": bid.outcome}, now)
        ledger(
            tender,
            action="bid.unlocked",
            actor=seat.user,
            obj=lot,
            payload={
                "bidder_number": number,
                "version": bid.version,
                "outcome": bid.outcome,
                "evidence": bid.fault_evidence,
            },
            now=now,
        )
        if not received_bids(lot.pk).filter(outcome="").exists():
            # Every bid has its outcome: the window need not run its full time.
            _window_close(lot, tender, opening, now)
    return bid


def _window_close(lot: Lot, tender: Tender, opening: Opening, now: datetime) -> None:
    for bid in received_bids(lot.pk).filter(outcome=""):
        fault = _Fault(
            BidOutcome.BIDDER_FAULT,
            {"part": "not_unlocked", "window_closes_at": opening.window_closes_at.isoformat()}
            if opening.window_closes_at is not None
            else {"part": "not_unlocked"},
        )
        _settle_fault(bid, tender, lot, fault, opening=opening, now=now)
        number = bid.enrolment.bidder_number
        _emit(lot, "bid.unlocked", {"bidder_number": number, "outcome": bid.outcome}, now)
        ledger(
            tender,
            action="bid.unlocked",
            actor=None,
            obj=lot,
            payload={
                "bidder_number": number,
                "version": bid.version,
                "outcome": bid.outcome,
                "evidence": bid.fault_evidence,
            },
            now=now,
        )
    Opening.objects.filter(pk=opening.pk).update(stage=OpeningStage.READ_OUT)
    opening.stage = OpeningStage.READ_OUT
    _emit(lot, "window.closed", {}, now)
    ledger(tender, action="opening.window_closed", actor=None, obj=lot, payload={}, now=now)


def opening_windows_due(now: datetime) -> QuerySet[Lot]:
    """Lots whose decryption window has ended; the due work locks the lot (lock order: the lot
    before its opening, as every opening service takes them)."""
    return Lot.objects.filter(
        opening__stage=OpeningStage.DECRYPTING, opening__window_closes_at__lte=now
    )


def opening_window_close(lot: Lot, now: datetime) -> None:
    """The chronograph closes the window: bids not unlocked are the bidders' fault (第31条)."""
    lot = lock_lot(lot.pk)
    opening = Opening.objects.get(lot=lot)
    if opening.stage != OpeningStage.DECRYPTING:
        return
    _window_close(lot, lot_tender(lot), opening, now)
