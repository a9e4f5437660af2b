"""Tender documents: the PDF check, versioned storage, the owner's upload, bidders' downloads.

Who downloaded stays sealed until the opening (招标投标法 第22条, DESIGN.md invariant 3); downloads
for bidding end at the bid deadline, under the lot's lock that also orders the close of bidding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from trading.clock import Clock, get_clock
from trading.domain.employer import OrganisationKind
from trading.domain.lifecycle import TERMINAL, LotStatus, TenderStatus
from trading.lock_objects import lock_lot, lock_lots_of_tender, lock_project, lock_tender
from trading.models import DocumentDownload, Lot, Tender, TenderDocument, User
from trading.models.ledger import ScopeKind
from trading.models.tenders import DocumentKind
from trading.selectors.access import Purpose, access_tender
from trading.selectors.documents import BIDDER_DOCUMENT_KINDS, OPEN_FOR_BIDS
from trading.selectors.tenders import sealed_scope_key
from trading.services.common import fixed_clock, ledger
from trading.services.ledger import ledger_append

__all__ = ["check_pdf", "document_store", "tender_document_download", "tender_document_upload"]

PDF_MAGIC = b"%PDF-"


def check_pdf(
    file: File[Any] | Any, field: str = "file", *, limit: int | None = None
) -> tuple[int, str]:
    """A PDF no larger than `limit` (TENDER_DOCUMENT_MAX_BYTES); returns (size, sha256)."""
    if limit is None:
        limit = int(getattr(settings, "TENDER_DOCUMENT_MAX_BYTES", 50 * 1024 * 1024))
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {field: _("文件不能超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024) or 1}},
            code="too_large",
        )
    file.seek(0)
    digest = hashlib.sha256()
    head = b""
    total = 0
    for chunk in _chunks(file):
        if not head:
            head = chunk[: len(PDF_MAGIC)]
        total += len(chunk)
        if total > limit:
            raise ValidationError(
                {field: _("文件不能超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024) or 1}},
                code="too_large",
            )
        digest.update(chunk)
    file.seek(0)
    if total == 0:
        raise ValidationError({field: _("文件为空。")}, code="empty")
    if not head.startswith(PDF_MAGIC):
        raise ValidationError({field: _("只接受 PDF 文件。")}, code="not_pdf")
    return total, digest.hexdigest()


def _chunks(file: Any) -> Iterable[bytes]:
    if hasattr(file, "chunks"):
        yield from file.chunks()
        return
    while True:
        chunk = file.read(64 * 1024)
        if not chunk:
            return
        yield chunk


def document_store(
    *,
    tender: Tender,
    kind: str,
    title: str,
    file: Any,
    actor: User,
    now: datetime,
    affects_bids: bool = False,
    note: str = "",
    lot: Lot | None = None,
) -> TenderDocument:
    """The next version of the tender's documents; the caller holds the tender's lock."""
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("未知的文件类型。")}, code="kind")
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写文件标题。")}, code="title")
    size, sha256 = check_pdf(file)
    last = tender.documents.order_by("-version").values_list("version", flat=True).first()
    version = (last or 0) + 1
    document = TenderDocument(
        tender=tender,
        lot=lot,
        kind=kind,
        version=version,
        title=title,
        size=size,
        sha256=sha256,
        affects_bids=affects_bids,
        note=note,
        uploaded_by=actor,
        uploaded_at=now,
    )
    # The file is written before the commit; a rollback leaves an orphan file, never a row
    # pointing to a missing one.
    document.file.save(f"{tender.code}-v{version}.pdf", File(file), save=False)
    document.save()
    return document


def tender_document_upload(
    *,
    tender: Tender,
    kind: str,
    title: str,
    file: Any,
    affects_bids: bool = False,
    note: str = "",
    lot: Lot | None = None,
    actor: User,
    clock: Clock | None = None,
) -> TenderDocument:
    """Upload the tender documents (招标文件/出让文件) as a new PDF version, while drafting."""
    access_tender(actor, tender.pk, purpose=Purpose.EDIT)
    if kind != DocumentKind.TENDER_DOCUMENTS:
        # Clarifications, amendments, reports and contracts have services of their own, which
        # check what each means for the schedule.
        raise ValidationError({"kind": _("此处只能上传招标文件。")}, code="kind")
    if lot is not None and lot.tender_id != tender.pk:
        raise ValidationError({"lot": _("标段不属于该招标项目。")}, code="lot")
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(tender.project_id)
        tender = lock_tender(tender.pk)
        now = clock()
        if tender.status != TenderStatus.DRAFT:
            raise ValidationError(
                _("已提交或已发布的招标文件不能替换，请发布澄清或变更。"), code="not_draft"
            )
        document = document_store(
            tender=tender,
            kind=kind,
            title=title,
            file=file,
            actor=actor,
            now=now,
            affects_bids=affects_bids,
            note=note,
            lot=lot,
        )
        ledger(
            tender,
            action="tender.document_uploaded",
            actor=actor,
            obj=tender,
            payload={"version": document.version, "kind": kind, "sha256": document.sha256},
            now=now,
        )
    return document


def _open_for_bids(lot: Lot, now: datetime) -> bool:
    """Bids are still taken: announced, and its deadline not yet reached.

    A suspended lot's deadline does not run: it moves by the suspension when the lot resumes.
    """
    if lot.status not in OPEN_FOR_BIDS or lot.closes_at is None:
        return False
    return lot.suspended_at is not None or now < lot.closes_at


def tender_document_download(
    *, document: TenderDocument, actor: User, clock: Clock | None = None
) -> TenderDocument:
    """A verified bidder obtains published documents until the bid deadline (法 第22条, inv. 3).

    The first download per organisation and document is recorded, with an entry in the sealed
    scope of each lot still taking bids; later downloads are served without a new row. Anybody
    but a bidder gets Http404; a bidder after the deadline is told that downloads have ended.
    """
    if document.kind not in BIDDER_DOCUMENT_KINDS:
        raise Http404(_("没有找到该文件。"))
    if actor.organisation_kind != OrganisationKind.BIDDER or actor.organisation is None:
        if document.tender.status == TenderStatus.PUBLISHED:
            raise PermissionDenied(_("招标文件只向投标人提供下载。"))
        raise Http404(_("没有找到该文件。"))
    organisation = actor.organisation
    clock = clock or get_clock()
    with transaction.atomic():
        # The lots' locks order this download against the close of bidding (DESIGN.md inv. 1).
        if document.lot_id is not None:
            lots = [lock_lot(document.lot_id)]
        else:
            lots = lock_lots_of_tender(document.tender_id)
        now = clock()
        tender = Tender.objects.select_related("procedure").get(pk=document.tender_id)
        if (
            tender.status != TenderStatus.PUBLISHED
            or any(lot.status == LotStatus.DRAFT for lot in lots)
            or all(lot.status in TERMINAL for lot in lots)
        ):
            raise Http404(_("没有找到该文件。"))
        open_lots = [lot for lot in lots if _open_for_bids(lot, now)]
        if not open_lots:
            raise PermissionDenied(_("投标已截止，招标文件的下载已于投标截止时间结束。"))
        if not organisation.is_verified:
            raise PermissionDenied(
                _("您的主体尚未通过交易中心核验，暂不能下载招标文件。请等待核验通过后再下载。")
            )
        _row, first = DocumentDownload.objects.get_or_create(
            document=document,
            organisation=organisation,
            defaults={"user": actor, "downloaded_at": now},
        )
        if first:
            for lot in open_lots:
                ledger_append(
                    scope_key=sealed_scope_key(lot.pk),
                    scope_kind=ScopeKind.SEALED_LOT,
                    sealed=True,
                    action="document.downloaded",
                    actor=actor,
                    obj_type="document",
                    obj_id=str(document.pk),
                    payload={
                        "lot": lot.pk,
                        "document": document.pk,
                        "version": document.version,
                        "sha256": document.sha256,
                        "organisation": organisation.pk,
                        "uscc": organisation.uscc,
                    },
                    clock=fixed_clock(now),
                )
    return document
