"""Pages of signed-in users: the workspace of each role, the inbox, the verification queue."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from trading.domain.employer import OrganisationKind
from trading.models import Desk, Organisation, TenderDocument, User
from trading.selectors.grants import desk_list_operated_by
from trading.selectors.notifications import access_notification, notification_list_for
from trading.selectors.organisations import organisation_list_awaiting_verification
from trading.selectors.tenders import tender_list_for_bidder
from trading.services.notifications import notification_mark_all_read, notification_mark_read
from trading.services.organisations import organisation_verify
from trading.services.tenders import tender_document_download

INBOX_PAGE_SIZE = 20
QUEUE_PAGE_SIZE = 50
TENDER_PAGE_SIZE = 20

PARTY_KINDS = frozenset(
    {
        OrganisationKind.OWNER,
        OrganisationKind.AGENCY,
        OrganisationKind.BIDDER,
        OrganisationKind.EXPERT_POOL,
    }
)


def _user(request: HttpRequest) -> User:
    # login_required ran first: anything but a signed-in user of our model is a wiring mistake.
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def access_center_operator(user: User) -> QuerySet[Desk]:
    """The operator's desks, or Http404 for anybody who is not center staff holding a desk."""
    if user.organisation_kind != OrganisationKind.CENTER:
        raise Http404
    desks = desk_list_operated_by(user)
    if not desks.exists():
        raise Http404
    return desks


def _verification_queue() -> QuerySet[Organisation]:
    # The center and the regulators are verified by the platform administrator, not by staff.
    return (
        organisation_list_awaiting_verification()
        .exclude(kind__in=[OrganisationKind.CENTER, OrganisationKind.REGULATOR])
        .select_related("region")
    )


@require_GET
@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    user = _user(request)
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
                "unverified_count": _verification_queue().count() if desks else None,
            },
        )
    if kind == OrganisationKind.BIDDER:
        return _bidder_workspace(request, user)
    if kind in PARTY_KINDS:
        return render(
            request, f"trading/workspace_{kind}.html", {"organisation": user.organisation}
        )
    raise Http404


@require_GET
@login_required
def desk_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.organisation_kind != OrganisationKind.CENTER:
        raise Http404
    return render(request, "trading/desk_list.html", {"desks": desk_list_operated_by(user)})


@require_GET
@login_required
def organisation_queue(request: HttpRequest) -> HttpResponse:
    access_center_operator(_user(request))
    page = Paginator(_verification_queue(), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "trading/organisation_queue.html", {"page": page})


@require_POST
@login_required
def organisation_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    access_center_operator(user)
    organisation = get_object_or_404(Organisation, pk=pk)
    try:
        organisation_verify(organisation=organisation, actor=user)
    except (PermissionDenied, ValidationError) as refused:
        reasons = refused.messages if isinstance(refused, ValidationError) else [str(refused)]
        for reason in reasons:
            messages.error(request, reason)
    else:
        messages.success(request, _("已核验主体“%(name)s”。") % {"name": organisation.name})
    return redirect("organisation_queue")


def _inbox_filter(request: HttpRequest) -> bool:
    return request.GET.get("show") == "unread"


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    unread_only = _inbox_filter(request)
    notifications = notification_list_for(user, unread_only=unread_only)
    page = Paginator(notifications, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "trading/inbox.html", {"page": page, "unread_only": unread_only})


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    notification = notification_mark_read(notification=access_notification(user, pk), user=user)
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "trading/_notification.html", {"notification": notification, "oob": True}
        )
    return redirect("inbox")


@require_POST
@login_required
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    notification_mark_all_read(user=_user(request))
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
    user = _user(request)
    document = TenderDocument.objects.select_related("tender").filter(pk=pk).first()
    if document is None:
        raise Http404
    try:
        document = tender_document_download(document=document, actor=user)
    except PermissionDenied as refused:
        messages.error(request, str(refused) or _("您无权下载该文件。"))
        return redirect("workspace")
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=_download_name(document),
        content_type="application/pdf",
    )
