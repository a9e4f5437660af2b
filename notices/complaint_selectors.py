"""Reads of complaint documents: who may download one, what the portal publishes."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from notices.models import ComplaintDocument
from trading.models import Complaint, User
from trading.selectors.access import (
    acting_organisation_id,
    is_owner_side,
    operates_desk,
    supervises,
)


def _documents() -> QuerySet[ComplaintDocument]:
    return ComplaintDocument.objects.select_related(
        "complaint__lot__tender__project", "complaint__complainant"
    )


def access_complaint_document(
    user: User, complaint_id: int, kind: str
) -> tuple[Complaint, ComplaintDocument | None]:
    """A complaint and its stored document of `kind` (None while it is being rendered), for the
    complainant, the owner and its agency, the regulators of the jurisdiction, and the staff of
    the lot's desk (who carry out a hold or an order); 404 for everyone else, who may not learn
    that the complaint exists."""
    complaint = (
        Complaint.objects.select_related("lot__tender__project").filter(pk=complaint_id).first()
    )
    if complaint is None or not complaint_document_reader(user, complaint):
        raise Http404(_("没有找到该文书。"))
    document = _documents().filter(complaint=complaint, kind=kind, stored_at__isnull=False).first()
    return complaint, document


def complaint_document_reader(user: User, complaint: Complaint) -> bool:
    tender = complaint.lot.tender
    org = acting_organisation_id(user)
    return org is not None and (
        org == complaint.complainant_id
        or is_owner_side(user, tender.project)
        or supervises(user, tender)
        or operates_desk(user, tender.desk_id)
    )


def complaint_document_list_for(complaint: Complaint) -> QuerySet[ComplaintDocument]:
    """A complaint's stored documents, in the order they were issued."""
    return ComplaintDocument.objects.filter(complaint=complaint, stored_at__isnull=False).order_by(
        "stored_at", "pk"
    )


def complaint_decision_list_published() -> QuerySet[ComplaintDocument]:
    """The complaint decisions published on the portal (政府采购法实施条例 第58条), newest first."""
    return (
        _documents()
        .filter(published_at__isnull=False, complaint__lot__tender__project__training=False)
        .order_by("-published_at", "-pk")
    )


def complaint_document_get_stored_by_code(code: str) -> ComplaintDocument | None:
    """The stored document printed with `code` (the public verification page)."""
    return _documents().filter(verification_code=code, stored_at__isnull=False).first()


def complaint_document_get_stored_by_sha256(sha256: str) -> ComplaintDocument | None:
    return (
        _documents().filter(pdf_sha256=sha256, hash_alg="sha256", stored_at__isnull=False).first()
    )
