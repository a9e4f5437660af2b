"""Anyone can verify a published document; each organisation finds the letters addressed to it.

The verification page is public (DESIGN.md invariant 7): a code, or the PDF itself, is checked
against what the platform published. Whatever is uploaded — nothing, a picture, 2 GB, a PDF
with one byte changed — gets an answer a person can act on, never an error page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from notices.complaint_selectors import (
    complaint_document_get_stored_by_code,
    complaint_document_get_stored_by_sha256,
)
from notices.domain.codes import verification_code_normalise
from notices.models import (
    LETTER_KINDS,
    ComplaintDocument,
    Notice,
    NoticeKind,
    NoticeStatus,
    OpeningRecord,
)
from notices.opening_records import (
    opening_record_get_published_by_code,
    opening_record_get_published_by_sha256,
)

DEFAULT_VERIFY_MAX_BYTES = 20 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
_CHUNK = 64 * 1024

# Documents an organisation receives: its letters, and the results of lots it won.
RESULT_KINDS = [NoticeKind.RESULT, NoticeKind.DEAL, *LETTER_KINDS]


def verify_max_bytes() -> int:
    return int(getattr(settings, "NOTICE_VERIFY_MAX_BYTES", DEFAULT_VERIFY_MAX_BYTES))


def _published() -> QuerySet[Notice]:
    return Notice.objects.filter(status=NoticeStatus.PUBLISHED).select_related(
        "tender", "lot", "region", "business_type", "addressee"
    )


def notice_get_published_by_code(code: str) -> Notice | None:
    return _published().filter(verification_code=code).first()


def notice_get_published_by_sha256(sha256: str) -> Notice | None:
    return _published().filter(pdf_sha256=sha256, hash_alg="sha256").first()


def notice_list_for_organisation(organisation_id: int | None) -> QuerySet[Notice]:
    """Published letters addressed to the organisation and the results of the lots it won or
    was ranked in: a bidder that did not win is told the result too (招标投标法 第45条)."""
    if organisation_id is None:
        return Notice.objects.none()
    return (
        _published()
        .filter(
            Q(addressee_id=organisation_id)
            | Q(
                kind__in=RESULT_KINDS,
                lot__awards__organisation_id=organisation_id,
                lot__awards__declined_at__isnull=True,
            )
            | Q(
                kind__in=[NoticeKind.RESULT, NoticeKind.DEAL],
                lot__candidates__organisation_id=organisation_id,
            )
        )
        .distinct()
        .order_by("-published_at", "-id")
    )


@dataclass(frozen=True)
class Verdict:
    """The answer the page gives: genuine or not, why, and the notice when there is one."""

    genuine: bool
    message: str
    notice: Notice | None = None
    sha256: str = ""
    # A regulator's complaint document (受理通知书 …), when the code or file is one of those.
    complaint_document: ComplaintDocument | None = None
    # A lot's opening record (开标记录表), published when its opening closed.
    opening_record: OpeningRecord | None = None


def _verdict_for_code(raw: str) -> Verdict:
    code = verification_code_normalise(raw)
    if code is None:
        return Verdict(
            False, _("验证码格式不正确：验证码由12位字母和数字组成，如 7KQ2-9M4X-3TZA。")
        )
    notice = notice_get_published_by_code(code)
    if notice is None and (document := complaint_document_get_stored_by_code(code)) is not None:
        return Verdict(
            True,
            _(
                "验证码有效：这是监督部门通过本平台出具的投诉文书。请核对下列内容与您手中的文件一致。"
            ),
            complaint_document=document,
        )
    if notice is None and (record := opening_record_get_published_by_code(code)) is not None:
        return Verdict(
            True,
            _("验证码有效：这是本平台公布的开标记录表。请核对下列内容与您手中的文件一致。"),
            opening_record=record,
        )
    if notice is None:
        return Verdict(
            False,
            _("未找到验证码为 %(code)s 的已发布文件。该文件不是本平台发布的，或验证码有误。")
            % {"code": code},
        )
    return Verdict(
        True, _("验证码有效：这是本平台发布的文件。请核对下列内容与您手中的文件一致。"), notice
    )


def _uploaded_size(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def _verdict_for_upload(request: HttpRequest) -> Verdict:
    limit = verify_max_bytes()
    megabytes = limit // (1024 * 1024)
    too_big = _("文件超过 %(mb)s MB，不是本平台发布的文件。请上传从本平台下载的 PDF。") % {
        "mb": megabytes
    }
    size = _uploaded_size(request)
    # Refuse before Django reads the body into a temporary file: nothing we issue is this large.
    if size is None or size > limit + _CHUNK:
        return Verdict(False, too_big)
    try:
        upload = request.FILES.get("document")
    except RequestDataTooBig:
        return Verdict(False, too_big)
    if upload is None:
        return Verdict(False, _("请选择要核验的 PDF 文件。"))
    if upload.size is None or upload.size == 0:
        return Verdict(False, _("上传的文件是空的。请选择从本平台下载的 PDF 文件。"))
    if upload.size > limit:
        return Verdict(False, too_big)
    digest = hashlib.sha256()
    head = b""
    for chunk in upload.chunks(_CHUNK):
        if not head:
            head = chunk[: len(PDF_MAGIC)]
        digest.update(chunk)
    if head != PDF_MAGIC:
        return Verdict(False, _("上传的文件不是 PDF 文件。本平台发布的文件均为 PDF 格式。"))
    sha256 = digest.hexdigest()
    notice = notice_get_published_by_sha256(sha256)
    if notice is None and (document := complaint_document_get_stored_by_sha256(sha256)) is not None:
        return Verdict(
            True,
            _("文件与监督部门通过本平台出具的原件完全一致（SHA-256 相同）。"),
            sha256=sha256,
            complaint_document=document,
        )
    if notice is None and (record := opening_record_get_published_by_sha256(sha256)) is not None:
        return Verdict(
            True,
            _("文件与本平台公布的开标记录表原件完全一致（SHA-256 相同）。"),
            sha256=sha256,
            opening_record=record,
        )
    if notice is None:
        return Verdict(
            False,
            _(
                "不是本平台发布的原件：该文件与本平台发布的任何文件都不一致，可能被修改过。"
                "请输入文件上的验证码，下载原件比对。"
            ),
            sha256=sha256,
        )
    return Verdict(True, _("文件与本平台发布的原件完全一致（SHA-256 相同）。"), notice, sha256)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    verdict: Verdict | None = None
    code = request.GET.get("code", "")
    if request.method == "POST":
        verdict = _verdict_for_upload(request)
    elif "code" in request.GET:
        verdict = _verdict_for_code(code)
    context: dict[str, Any] = {
        "verdict": verdict,
        "code": code[:64],
        "max_mb": verify_max_bytes() // (1024 * 1024),
    }
    # "Not genuine" and "not a PDF" are answers, not failures: the page always says which.
    return render(request, "notices/verify.html", context)


@require_GET
def verify_pdf(request: HttpRequest, code: str) -> FileResponse:
    normalised = verification_code_normalise(code)
    notice = notice_get_published_by_code(normalised) if normalised else None
    if notice is None and normalised:
        record = opening_record_get_published_by_code(normalised)
        if record is not None and record.pdf:
            # An opening record is published with its code, like a notice (第30条).
            response = FileResponse(
                record.pdf.open("rb"),
                content_type="application/pdf",
                filename=f"{record.verification_code}.pdf",
            )
            response["X-Content-SHA256"] = record.pdf_sha256
            return response
    if notice is None or not notice.pdf:
        raise Http404(_("没有这个已发布的文件。"))
    response = FileResponse(
        notice.pdf.open("rb"),
        content_type="application/pdf",
        filename=f"{notice.verification_code}.pdf",
    )
    response["X-Content-SHA256"] = notice.pdf_sha256
    return response


@require_GET
@login_required
def my_documents(request: HttpRequest) -> HttpResponse:
    organisation_id = getattr(request.user, "organisation_id", None)
    notices = notice_list_for_organisation(organisation_id)
    page = Paginator(notices, 25).get_page(request.GET.get("page"))
    return render(request, "notices/my_documents.html", {"page": page})
