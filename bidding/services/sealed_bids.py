"""Sealed bids (投标文件): start a version, store its encrypted chunks, commit it, withdraw it.

Two phases (bidding/SEALING.md §5): the bidder's client uploads ciphertext chunks first, then a
small commit decides, under the lot's lock and by the server clock, whether the version stands —
so a bid whose commit comes after the deadline does not exist (招标投标法 第28条). A new commit
supersedes the last (第29条: replace until the deadline); every version keeps its signed receipt.
Who bids is sealed until the opening: the ledger entries go to the lot's sealed scope.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from bidding.domain import sealing
from bidding.domain.submission import (
    BidRefusal,
    BodyError,
    CommitBody,
    UploadProblem,
    chunk_problem,
    commit_body_parse,
    receipt_build,
    receipt_shape_ok,
)
from bidding.lock_objects import lock_lot
from bidding.models import Certificate, SealedBid
from bidding.models.sealed import BidChunk, BidFile, BidStatus
from bidding.selectors.deposits import deposit_bid_blocker
from bidding.selectors.sealed_bids import BidSeat, bid_limits, sealed_bid_lot_refusal
from bidding.selectors.vault import certificate_check_usable
from trading.clock import Clock, get_clock
from trading.domain.timeline import format_moment
from trading.domain.timeline import local_date as shanghai_day
from trading.models import Lot, User
from trading.models.ledger import ScopeKind
from trading.selectors.tenders import sealed_scope_key
from trading.services.common import fixed_clock
from trading.services.ledger import ledger_append
from trading.signing import key_id, ledger_signing_key

__all__ = [
    "sealed_bid_chunk_store",
    "sealed_bid_commit",
    "sealed_bid_receipt_verify",
    "sealed_bid_start",
    "sealed_bid_withdraw",
]

# A user agent longer than this is cut: it is evidence, not a place to store a document.
USER_AGENT_MAX = 512


def refusal_message(lot: Lot, refusal: BidRefusal) -> str:
    if refusal is BidRefusal.NOT_SEALED:
        return _("本标段的交易方式不采用密封投标，不能在此递交投标文件。")
    if refusal is BidRefusal.DEADLINE_PASSED:
        return _(
            "投标截止时间 %(deadline)s 已过，不再接受、替换或撤回投标文件（招标投标法 第28条）。"
        ) % {"deadline": format_moment(lot.closes_at) if lot.closes_at else "—"}
    if refusal is BidRefusal.SUSPENDED:
        return _("标段暂停中，暂不接受、替换或撤回投标文件。")
    if refusal is BidRefusal.NOT_YET:
        return _("标段尚未确定投标截止时间，暂不接受投标文件。")
    return _("标段当前状态为“%(status)s”，不接受投标文件。") % {"status": lot.get_status_display()}


def _upload_message(problem: UploadProblem | str) -> str:
    limits = bid_limits()
    if problem == UploadProblem.TOO_MANY_FILES:
        return _("投标文件最多包含 %(count)s 个 PDF 文件。") % {"count": limits.max_documents}
    if problem == UploadProblem.TOO_LARGE:
        return _("单个投标文件不能超过 %(mb)s MB。") % {
            "mb": limits.document_max_bytes // (1024 * 1024) or 1
        }
    if problem == UploadProblem.CHUNK_TOO_LARGE:
        return _("数据块过大：每块密文最多 %(size)s 字节。") % {
            "size": sealing.CHUNK_SIZE + sealing.TAG_BYTES
        }
    return _("数据块为空或不完整。")


def _body_message(error: BodyError) -> str:
    if error.code in (UploadProblem.TOO_MANY_FILES, UploadProblem.TOO_LARGE):
        return _upload_message(error.code)
    if error.code == "unknown_suite":
        return _("不支持该加密套件，请刷新页面后使用平台的投标客户端重新加密。")
    return _("递交内容格式不正确（%(field)s），未作任何更改。") % {"field": error.field}


def _check_may_bid(seat: BidSeat, locked: Lot, now: datetime) -> None:
    refusal = sealed_bid_lot_refusal(locked, now)
    if refusal is not None:
        raise ValidationError(refusal_message(locked, refusal), code=refusal.value)
    if not seat.is_lead:
        raise PermissionDenied(_("联合体的投标文件由牵头人递交。"))
    seat.enrolment.lot = locked
    blocker = deposit_bid_blocker(seat.enrolment, now)
    if blocker:
        raise ValidationError(blocker, code="deposit")


def _locked_lot(seat: BidSeat) -> Lot:
    locked = lock_lot(seat.lot.pk)
    locked.tender = seat.lot.tender
    return locked


def sealed_bid_start(seat: BidSeat, actor: User, *, clock: Clock | None = None) -> SealedBid:
    """Open a new version of the enrolment's bid for upload (招标投标法 第27-29条)."""
    clock = clock or get_clock()
    with transaction.atomic():
        locked = _locked_lot(seat)
        now = clock()
        _check_may_bid(seat, locked, now)
        last = SealedBid.objects.filter(enrolment=seat.enrolment).aggregate(n=Max("version"))["n"]
        return SealedBid.objects.create(
            lot=locked,
            enrolment=seat.enrolment,
            version=(last or 0) + 1,
            suite=sealing.SUITE,
            started_at=now,
        )


def _uploading(bid: SealedBid) -> None:
    if bid.status != BidStatus.UPLOADING:
        raise ValidationError(
            _("该版本已递交或已撤回，不能再上传；如需修改，请重新生成新版本。"),
            code="not_uploading",
        )


def sealed_bid_chunk_store(
    bid: SealedBid,
    actor: User,
    file_index: int,
    counter: int,
    data: bytes,
    *,
    clock: Clock | None = None,
) -> None:
    """Store one ciphertext chunk of a version being uploaded (a retry replaces it)."""
    problem = chunk_problem(bid_limits(), file_index, counter, len(data))
    if problem is not None:
        raise ValidationError(_upload_message(problem), code=problem.value)
    now = (clock or get_clock())()
    with transaction.atomic():
        bid = (
            SealedBid.objects.select_for_update()
            .select_related("lot__tender__procedure")
            .get(pk=bid.pk)
        )
        _uploading(bid)
        # Not authoritative (the commit decides under the lot's lock); it spares the storage.
        refusal = sealed_bid_lot_refusal(bid.lot, now)
        if refusal is not None:
            raise ValidationError(refusal_message(bid.lot, refusal), code=refusal.value)
        stored, _created = BidFile.objects.get_or_create(
            bid=bid, index=file_index, defaults={"chunk_count": 0, "ciphertext_size": 0}
        )
        # Replaced by a new row, never updated in place: the commit notices any change by the
        # chunks' ids (see _fingerprint).
        BidChunk.objects.filter(file=stored, index=counter).delete()
        BidChunk.objects.create(file=stored, index=counter, data=data)


def _fingerprint(bid: SealedBid) -> tuple[int, int, int]:
    found = BidChunk.objects.filter(file__bid=bid).aggregate(
        n=Count("pk"), top=Max("pk"), total=Sum("pk")
    )
    return found["n"], found["top"] or 0, found["total"] or 0


def _stored_files(bid: SealedBid, body: CommitBody) -> list[dict[str, Any]]:
    """Each declared file as stored: every chunk present, the server's size and SHA-256 equal."""
    stored = {item.index: item for item in BidFile.objects.filter(bid=bid)}
    extra = sorted(set(stored) - {declared.index for declared in body.files})
    if extra:
        raise ValidationError(
            _("已上传的文件 %(index)s 未在递交内容中列出。") % {"index": extra[0]},
            code="undeclared_file",
        )
    summary = []
    for declared in body.files:
        found = stored.get(declared.index)
        chunks = BidChunk.objects.filter(file=found).order_by("index")
        counters = list(chunks.values_list("index", flat=True)) if found is not None else []
        if counters != list(range(declared.chunks)):
            raise ValidationError(
                _("文件 %(index)s 的数据块不完整（应有 %(count)s 块），请重新上传。")
                % {"index": declared.index, "count": declared.chunks},
                code="missing_chunks",
            )
        digest, size = hashlib.sha256(), 0
        for data in chunks.values_list("data", flat=True).iterator(chunk_size=4):
            digest.update(data)
            size += len(data)
        if size != declared.size or digest.hexdigest() != declared.sha256:
            raise ValidationError(
                _("文件 %(index)s 在平台保存的密文与客户端计算的摘要不一致，请重新上传。")
                % {"index": declared.index},
                code="hash_mismatch",
            )
        summary.append({"index": declared.index, "size": size, "sha256": digest.hexdigest()})
    return summary


def _check_certificates(seat: BidSeat, ids: tuple[int, ...], now: datetime) -> list[int]:
    """The vault certificates the offer names: the bidder's own, usable on the day (ids only)."""
    found = {
        certificate.pk: certificate
        for certificate in Certificate.objects.filter(
            pk__in=ids, organisation_id=seat.enrolment.lead_id
        )
    }
    for pk in ids:
        if pk not in found:
            raise ValidationError(_("所选证书不在本主体的证书库中。"), code="certificate_unknown")
        certificate_check_usable(found[pk], shanghai_day(now))
    return sorted(found)


def _sign(receipt: dict[str, Any]) -> str:
    signature = ledger_signing_key().sign(sealing.receipt_bytes(receipt))
    return base64.b64encode(signature).decode("ascii")


def sealed_bid_commit(
    seat: BidSeat,
    bid: SealedBid,
    actor: User,
    body: Any,
    *,
    ip: str,
    user_agent: str,
    clock: Clock | None = None,
) -> SealedBid:
    """Commit an uploaded version: under the lot's lock the server clock decides; the last
    committed version is superseded; the receipt is signed (招标投标法 第28-29条)."""
    try:
        parsed = commit_body_parse(body, bid_limits())
    except BodyError as error:
        raise ValidationError(_body_message(error), code="body") from error
    if bid.enrolment_id != seat.enrolment.pk:
        raise Http404(_("没有找到该投标文件。"))
    _uploading(bid)
    # Hashing a large upload takes time: done before the lot's lock, and the lock then checks
    # that no chunk changed meanwhile.
    before = _fingerprint(bid)
    files = _stored_files(bid, parsed)
    clock = clock or get_clock()
    with transaction.atomic():
        locked = _locked_lot(seat)
        now = clock()
        bid = SealedBid.objects.select_for_update().get(pk=bid.pk)
        _uploading(bid)
        _check_may_bid(seat, locked, now)
        if _fingerprint(bid) != before:
            raise ValidationError(_("递交期间数据块发生了变化，请重新核对后递交。"), code="changed")
        certificates = _check_certificates(seat, parsed.certificates, now)
        for summary, declared in zip(files, parsed.files, strict=True):
            BidFile.objects.filter(bid=bid, index=declared.index).update(
                chunk_count=declared.chunks,
                ciphertext_size=summary["size"],
                ciphertext_sha256=summary["sha256"],
            )
        previous = SealedBid.objects.select_for_update().filter(
            enrolment=seat.enrolment, status=BidStatus.COMMITTED
        )
        superseded = [item.version for item in previous]
        previous.update(status=BidStatus.SUPERSEDED)
        platform_key = ledger_signing_key().public_key()
        receipt = receipt_build(
            lot_id=locked.pk,
            lot_code=locked.code,
            bidder_number=seat.enrolment.bidder_number,
            version=bid.version,
            server_time=now.astimezone(UTC).isoformat(),
            files=files,
            body=parsed,
            key_id=key_id(platform_key),
        )
        signature = _sign(receipt)
        receipt["signature"] = signature
        bid.status = BidStatus.COMMITTED
        bid.committed_at = now
        bid.salt = parsed.salt
        bid.platform_share = parsed.platform_share
        bid.platform_share_commitment = parsed.platform_share_commitment
        bid.bidder_share_commitment = parsed.bidder_share_commitment
        bid.content_commitment = parsed.content_commitment
        bid.receipt = receipt
        bid.receipt_signature = signature
        bid.save()
        # Earlier versions abandoned mid-upload can no longer stand: their ciphertext goes.
        BidChunk.objects.filter(
            file__bid__enrolment=seat.enrolment,
            file__bid__status=BidStatus.UPLOADING,
            file__bid__version__lt=bid.version,
        ).delete()
        ledger_append(
            scope_key=sealed_scope_key(locked.pk),
            scope_kind=ScopeKind.SEALED_LOT,
            sealed=True,
            action="sealed_bid.committed",
            actor=actor,
            obj_type="sealed_bid",
            obj_id=str(bid.pk),
            payload={
                "lot": locked.pk,
                "bidder_number": seat.enrolment.bidder_number,
                "version": bid.version,
                "superseded": superseded,
                "files": files,
                "certificates": certificates,
                "content_commitment": parsed.content_commitment,
                "signature": signature,
                "ip": ip,
                "user_agent": user_agent[:USER_AGENT_MAX],
            },
            clock=fixed_clock(now),
        )
    return bid


def sealed_bid_withdraw(
    seat: BidSeat, actor: User, *, ip: str, user_agent: str, clock: Clock | None = None
) -> SealedBid:
    """Withdraw the standing bid before the deadline (招标投标法 第29条); its receipt stays."""
    clock = clock or get_clock()
    with transaction.atomic():
        locked = _locked_lot(seat)
        now = clock()
        refusal = sealed_bid_lot_refusal(locked, now)
        if refusal is not None:
            raise ValidationError(refusal_message(locked, refusal), code=refusal.value)
        if not seat.is_lead:
            raise PermissionDenied(_("联合体的投标文件由牵头人撤回。"))
        bid = (
            SealedBid.objects.select_for_update()
            .filter(enrolment=seat.enrolment, status=BidStatus.COMMITTED)
            .first()
        )
        if bid is None:
            raise ValidationError(_("您目前没有已递交的投标文件。"), code="nothing_to_withdraw")
        bid.status = BidStatus.WITHDRAWN
        bid.withdrawn_at = now
        bid.save(update_fields=["status", "withdrawn_at"])
        ledger_append(
            scope_key=sealed_scope_key(locked.pk),
            scope_kind=ScopeKind.SEALED_LOT,
            sealed=True,
            action="sealed_bid.withdrawn",
            actor=actor,
            obj_type="sealed_bid",
            obj_id=str(bid.pk),
            payload={
                "lot": locked.pk,
                "bidder_number": seat.enrolment.bidder_number,
                "version": bid.version,
                "ip": ip,
                "user_agent": user_agent[:USER_AGENT_MAX],
            },
            clock=fixed_clock(now),
        )
    return bid


def sealed_bid_receipt_verify(document: Any) -> tuple[bool, str]:
    """(valid, why) of an uploaded receipt: its shape, the platform's key, its Ed25519 signature."""
    if not receipt_shape_ok(document):
        return False, _("这不是天平平台的投标回执文件。")
    platform_key = ledger_signing_key().public_key()
    if document["key_id"] != key_id(platform_key):
        return False, _("回执不是由本平台的签名密钥签发的。")
    try:
        signature = base64.b64decode(document["signature"], validate=True)
        platform_key.verify(signature, sealing.receipt_bytes(document))
    except (InvalidSignature, ValueError):  # SealingError and binascii.Error are ValueErrors
        return False, _("回执签名无效：内容被改动过，或不是本平台签发。")
    return True, _("签名有效：本回执由天平平台签发，内容未被改动。")
