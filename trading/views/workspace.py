"""Every signed-in user's start: the workspace of each role, the inbox, bidders' documents."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from trading.domain.employer import OrganisationKind
from trading.models import Complaint, Objection, TenderDocument, User
from trading.selectors.documents import tender_list_for_bidder
from trading.selectors.grants import desk_list_operated_by, may_verify_organisations
from trading.selectors.notifications import access_notification, notification_list_for
from trading.services.documents import tender_document_download
from trading.services.notifications import (
    notification_mark_all_read,
    notification_mark_read,
    user_language_set,
)
from trading.views.common import acting_user
from trading.views.organisations import verification_queue

INBOX_PAGE_SIZE = 20
TENDER_PAGE_SIZE = 20

PARTY_KINDS = frozenset(
    {
        OrganisationKind.OWNER,
        OrganisationKind.AGENCY,
        OrganisationKind.BIDDER,
        OrganisationKind.EXPERT_POOL,
    }
)


@require_GET
@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    kind = user.organisation_kind
    if kind is None:
        return render(request, "trading/workspace_platform.html")
    if kind == OrganisationKind.REGULATOR:
        return redirect("supervision_console")
    if kind == OrganisationKind.CENTER:
        desks = desk_list_operated_by(user)
        return render(
            request,
            "trading/workspace_center.html",
            {
                "organisation": user.organisation,
                "desks": desks,
                "unverified_count": (
                    verification_queue().count() if may_verify_organisations(user) else None
                ),
            },
        )
    if kind == OrganisationKind.BIDDER:
        return _bidder_workspace(request, user)
    if kind in PARTY_KINDS:
        return render(
            request, f"trading/workspace_{kind}.html", {"organisation": user.organisation}
        )
    raise Http404


def _inbox_filter(request: HttpRequest) -> bool:
    return request.GET.get("show") == "unread"


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    unread_only = _inbox_filter(request)
    notifications = notification_list_for(user, unread_only=unread_only)
    page = Paginator(notifications, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "trading/inbox.html", {"page": page, "unread_only": unread_only})


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    notification = notification_mark_read(notification=access_notification(user, pk), user=user)
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "trading/_notification.html", {"notification": notification, "oob": True}
        )
    return redirect("inbox")


@require_POST
@login_required
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    notification_mark_all_read(user=acting_user(request))
    messages.success(request, _("所有消息已标记为已读。"))
    return redirect("inbox")


# --- bidders: open tenders and their documents ---------------------------------------------------


def _bidder_workspace(request: HttpRequest, user: User) -> HttpResponse:
    """Published tenders open for bids, with their deadlines and documents to download."""
    training = request.GET.get("training") == "1"
    tenders = tender_list_for_bidder(training=training)
    page = Paginator(tenders, TENDER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "trading/workspace_bidder.html",
        {
            "organisation": user.organisation,
            "page": page,
            "training": training,
            "training_count": 0 if training else tender_list_for_bidder(training=True).count(),
            # The bidder's own objections (each opens the way to a complaint) and complaints.
            "objections": Objection.objects.filter(raised_by_id=user.organisation_id)
            .select_related("lot")
            .order_by("-raised_at")[:20],
            "complaints": Complaint.objects.filter(complainant_id=user.organisation_id)
            .select_related("lot")
            .order_by("-filed_at")[:20],
        },
    )


def _download_name(document: TenderDocument) -> str:
    """The attachment's name: the tender code, title and version, with nothing a path could use."""
    title = re.sub(r"[^\w\-.()（）]+", "_", document.title, flags=re.UNICODE).strip("._")[:80]
    return f"{document.tender.code}-{title or 'document'}-v{document.version}.pdf"


@require_GET
@login_required
def tender_document_download_view(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """A bidder downloads a published tender document; the service records who (法 第22条)."""
    user = acting_user(request)
    document = TenderDocument.objects.select_related("tender").filter(pk=pk).first()
    if document is None:
        raise Http404
    # A refusal (not verified, bidding closed, not a bidder) is a 403 page that says why.
    document = tender_document_download(document=document, actor=user)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=_download_name(document),
        content_type="application/pdf",
    )


def language_set(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a signed-in person's choice also sets their e-mail language."""
    response = set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    user = request.user
    if isinstance(user, User) and language in {code for code, _n in settings.LANGUAGES}:
        user_language_set(user=user, language=language)
    return response
