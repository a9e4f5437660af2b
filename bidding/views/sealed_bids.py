"""The bidder's sealed-bid pages and its client's JSON endpoints, and the public receipt check.

The page's script (frontend/static/bidding/bid_submit.js) seals in the browser; these views only
move ciphertext and public values. Another bidder's bid is not found (404), never forbidden.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bidding.domain import sealing
from bidding.selectors.deposits import deposit_bid_blocker
from bidding.selectors.sealed_bids import (
    RECEIPT_MAX_BYTES,
    access_bid_lot,
    access_sealed_bid,
    bid_limits,
    sealed_bid_chunk_get,
    sealed_bid_list_own,
    sealed_bid_lot_refusal,
    sealed_bid_standing,
)
from bidding.selectors.vault import certificate_list_usable
from bidding.services.sealed_bids import (
    refusal_message,
    sealed_bid_chunk_store,
    sealed_bid_commit,
    sealed_bid_receipt_verify,
    sealed_bid_start,
    sealed_bid_withdraw,
)
from trading.domain.timeline import local_date
from trading.views.common import acting_user, message_refusal, now, refusal_messages

# The commit's JSON: commitments, an envelope and one line per file; a few KB at most.
COMMIT_MAX_BYTES = 64 * 1024


def _client_ip(request: HttpRequest) -> str:
    # The proxy in front of daphne sets REMOTE_ADDR (--proxy-headers); never trust the client.
    return str(request.META.get("REMOTE_ADDR", ""))


def _user_agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))


def _refused(refused: ValidationError | PermissionDenied) -> JsonResponse:
    status = 403 if isinstance(refused, PermissionDenied) else 400
    code = getattr(refused, "code", "") or ""
    return JsonResponse({"error": " ".join(refusal_messages(refused)), "code": code}, status=status)


def _length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


@require_GET
@login_required
def sealed_bid_lot(request: HttpRequest, pk: int) -> HttpResponse:
    """The bidder's bid for one lot: its standing version, every version's receipt, and the
    sealing form while the lot takes bids."""
    user = acting_user(request)
    seat = access_bid_lot(user, pk)
    moment = now()
    refusal = sealed_bid_lot_refusal(seat.lot, moment)
    seat.enrolment.lot = seat.lot
    blocker = deposit_bid_blocker(seat.enrolment, moment) if refusal is None else ""
    certificates = certificate_list_usable(seat.enrolment.lead_id, local_date(moment))
    limits = bid_limits()
    return render(
        request,
        "bidding/sealed_bid_lot.html",
        {
            "lot": seat.lot,
            "tender": seat.lot.tender,
            "enrolment": seat.enrolment,
            "is_lead": seat.is_lead,
            "standing": sealed_bid_standing(seat.enrolment),
            "versions": sealed_bid_list_own(seat.enrolment),
            "open": refusal is None and not blocker and seat.is_lead,
            "refusal": refusal_message(seat.lot, refusal) if refusal is not None else "",
            "blocker": blocker,
            "certificates": certificates,
            "max_mb": limits.document_max_bytes // (1024 * 1024) or 1,
            "max_documents": limits.max_documents,
        },
    )


@require_POST
@login_required
def sealed_bid_start_view(request: HttpRequest, pk: int) -> JsonResponse:
    """Open a new version for upload; answers what the client seals it to."""
    from bidding.services.lot_keys import lot_key_public

    user = acting_user(request)
    seat = access_bid_lot(user, pk)
    try:
        bid = sealed_bid_start(seat, user)
    except (ValidationError, PermissionDenied) as refused:
        return _refused(refused)
    limits = bid_limits()
    return JsonResponse(
        {
            "bid": str(bid.token),
            "context": {"lot": seat.lot.pk, "enrolment": seat.enrolment.pk, "version": bid.version},
            "lot_public_key": sealing.b64(lot_key_public(seat.lot)),
            "suite": sealing.SUITE,
            "chunk_size": sealing.CHUNK_SIZE,
            "max_documents": limits.max_documents,
            "document_max_bytes": limits.document_max_bytes,
            "chunk_url": reverse("sealed_bid_chunk", args=[bid.token, 0, 0])[: -len("0/chunks/0/")],
            "commit_url": reverse("sealed_bid_commit", args=[bid.token]),
            "page_url": reverse("sealed_bid_lot", args=[seat.lot.pk]),
        },
        status=201,
    )


@require_http_methods(["GET", "POST"])
@login_required
def sealed_bid_chunk(request: HttpRequest, token: UUID, index: int, counter: int) -> HttpResponse:
    """POST stores one ciphertext chunk (the raw body); GET returns it for the self-check."""
    user = acting_user(request)
    bid = access_sealed_bid(user, token)
    if request.method == "GET":
        return HttpResponse(
            sealed_bid_chunk_get(bid, index, counter), content_type="application/octet-stream"
        )
    size = _length(request)
    if size is None or size > sealing.CHUNK_SIZE + sealing.TAG_BYTES:
        # Refused before the body is read: no chunk is larger than this.
        return _refused(
            ValidationError(
                _("数据块过大：每块密文最多 %(size)s 字节。")
                % {"size": sealing.CHUNK_SIZE + sealing.TAG_BYTES},
                code="chunk_too_large",
            )
        )
    try:
        sealed_bid_chunk_store(bid, user, index, counter, request.body)
    except (ValidationError, PermissionDenied) as refused:
        return _refused(refused)
    return JsonResponse({"stored": True, "file": index, "chunk": counter})


@require_POST
@login_required
def sealed_bid_commit_view(request: HttpRequest, token: UUID) -> JsonResponse:
    """Commit an uploaded version; answers its signed receipt."""
    user = acting_user(request)
    bid = access_sealed_bid(user, token)
    seat = access_bid_lot(user, bid.lot_id)
    size = _length(request)
    body: Any = None
    if size is not None and size <= COMMIT_MAX_BYTES:
        try:
            body = json.loads(request.body)
        except (ValueError, RequestDataTooBig):
            body = None
    try:
        committed = sealed_bid_commit(
            seat,
            bid,
            user,
            body,
            ip=_client_ip(request),
            user_agent=_user_agent(request),
        )
    except (ValidationError, PermissionDenied) as refused:
        return _refused(refused)
    return JsonResponse(
        {
            "receipt": committed.receipt,
            "receipt_url": reverse("sealed_bid_receipt", args=[committed.token]),
            "page_url": reverse("sealed_bid_lot", args=[committed.lot_id]),
        }
    )


@require_POST
@login_required
def sealed_bid_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    seat = access_bid_lot(user, pk)
    try:
        sealed_bid_withdraw(seat, user, ip=_client_ip(request), user_agent=_user_agent(request))
    except (ValidationError, PermissionDenied) as refused:
        message_refusal(request, refused)
    else:
        messages.success(request, _("已撤回投标文件。截止时间前仍可重新递交。"))
    return redirect("sealed_bid_lot", seat.lot.pk)


@require_GET
@login_required
def sealed_bid_receipt(request: HttpRequest, token: UUID) -> HttpResponse:
    """A version's signed receipt as the JSON file the bidder keeps."""
    bid = access_sealed_bid(acting_user(request), token)
    if not bid.receipt:
        return JsonResponse({"error": _("该版本尚未递交，没有回执。")}, status=404)
    response = HttpResponse(
        json.dumps(bid.receipt, ensure_ascii=False, indent=2, sort_keys=True),
        content_type="application/json; charset=utf-8",
    )
    filename = f"receipt-{bid.lot.code}-{bid.enrolment.bidder_number}-v{bid.version}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _receipt_upload(request: HttpRequest) -> tuple[Any, str]:
    """(the uploaded receipt, '') or (None, why it cannot be read)."""
    too_big = _("文件超过 %(kb)s KB，不是投标回执。") % {"kb": RECEIPT_MAX_BYTES // 1024}
    size = _length(request)
    # Refuse before Django reads the body: a receipt is a few KB (plus the form's envelope).
    if size is None or size > RECEIPT_MAX_BYTES + 4096:
        return None, too_big
    try:
        upload = request.FILES.get("receipt")
    except RequestDataTooBig:
        return None, too_big
    if upload is None:
        return None, _("请选择要核验的回执文件（JSON）。")
    if upload.size is None or upload.size > RECEIPT_MAX_BYTES:
        return None, too_big
    try:
        return json.loads(upload.read()), ""
    except ValueError:
        return None, _("上传的文件不是 JSON 格式的回执。")


@require_http_methods(["GET", "POST"])
def sealed_bid_receipt_verify_view(request: HttpRequest) -> HttpResponse:
    """Public: the holder of a receipt uploads it and learns whether the platform signed it and
    what it states. Nothing is looked up by lot or bidder number, nothing is stored."""
    verdict: dict[str, Any] | None = None
    if request.method == "POST":
        document, problem = _receipt_upload(request)
        if problem:
            verdict = {"valid": False, "message": problem}
        else:
            valid, message = sealed_bid_receipt_verify(document)
            verdict = {"valid": valid, "message": message, "receipt": document if valid else None}
    return render(
        request,
        "bidding/sealed_bid_receipt_verify.html",
        {"verdict": verdict, "max_kb": RECEIPT_MAX_BYTES // 1024},
        status=200,
    )
