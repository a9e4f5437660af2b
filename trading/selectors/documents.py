"""Tender documents as bidders obtain them, and who downloaded them (招标投标法 第22条).

Who obtained the documents is part of who takes part: it stays sealed until the opening
(DESIGN.md invariant 3), except where the procedure qualifies bidders openly.
"""

from __future__ import annotations

from django.db.models import Exists, Min, OuterRef, Prefetch, Q, QuerySet

from trading.domain.lifecycle import LotStatus, TenderStatus
from trading.models import DocumentDownload, Lot, Tender, TenderDocument
from trading.models.tenders import DocumentKind
from trading.selectors.access import Role, tender_queryset
from trading.selectors.timeline import lot_passed_bidding

# What a bidder may obtain: the documents and their clarifications and amendments.
BIDDER_DOCUMENT_KINDS = frozenset(
    {DocumentKind.TENDER_DOCUMENTS, DocumentKind.CLARIFICATION, DocumentKind.AMENDMENT}
)
# Before the opening: who takes part is secret while a lot is in one of these.
BEFORE_OPENING = frozenset({LotStatus.DRAFT, LotStatus.PUBLISHED, LotStatus.BIDDING})
OPEN_FOR_BIDS = (LotStatus.PUBLISHED, LotStatus.BIDDING)


def tender_list_for_bidder(*, training: bool = False) -> QuerySet[Tender]:
    """Published tenders with a lot open for bids, with those lots and the bidders' documents.

    Each tender carries `open_lots` and `bidder_documents`; the nearest deadline comes first.
    Training tenders are listed apart (`training=True`), never mixed with real ones.
    """
    open_lots = Lot.objects.filter(status__in=OPEN_FOR_BIDS).order_by("closes_at", "pk")
    documents = (
        TenderDocument.objects.filter(kind__in=BIDDER_DOCUMENT_KINDS)
        .filter(Q(lot__isnull=True) | Q(lot__status__in=OPEN_FOR_BIDS))
        .order_by("version")
    )
    return (
        tender_queryset()
        .filter(status=TenderStatus.PUBLISHED, project__training=training)
        .filter(Exists(Lot.objects.filter(tender_id=OuterRef("pk"), status__in=OPEN_FOR_BIDS)))
        .annotate(next_deadline=Min("lots__closes_at", filter=Q(lots__status__in=OPEN_FOR_BIDS)))
        .prefetch_related(
            Prefetch("lots", queryset=open_lots, to_attr="open_lots"),
            Prefetch("documents", queryset=documents, to_attr="bidder_documents"),
        )
        .order_by("next_deadline", "pk")
    )


def lot_document_downloads(lot: Lot, *, role: Role) -> QuerySet[DocumentDownload] | None:
    """Who downloaded the lot's documents, or None while that is secret (法 第22条, inv. 3).

    Desk staff and the owner see it once the lot is opened; when the procedure qualifies bidders
    openly (bidder_list_secret false: property transfers) desk staff see it at any time. A
    document of the whole tender stays sealed while any of its lots still takes bids. `role` is
    the reader's as the lot page found it through `access_lot`.
    """
    if role not in (Role.OWNER, Role.STAFF):
        return None
    tender = lot.tender
    secret = tender.procedure.bidder_list_secret
    own = Q(document__lot_id=lot.pk)
    whole = Q(document__lot__isnull=True)
    if role == Role.STAFF and not secret:
        documents = own | whole
    elif lot_passed_bidding(lot):
        siblings_sealed = tender.lots.filter(status__in=BEFORE_OPENING).exists()
        documents = own if secret and siblings_sealed else own | whole
    else:
        return None
    return (
        DocumentDownload.objects.filter(document__tender_id=tender.pk)
        .filter(documents)
        .select_related("organisation", "document")
        .order_by("downloaded_at", "pk")
    )
