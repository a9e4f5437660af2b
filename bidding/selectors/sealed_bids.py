"""Reads of sealed bids and their chokepoints: a bidder reads its own versions only.

Whether anyone bid, and how many did, is sealed until the opening (招标投标法 第22条、第36条):
nothing here counts or lists another enrolment's bids, and another's bid id is simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from bidding.domain.submission import BidRefusal, Limits, bid_refusal
from bidding.models import Enrolment, SealedBid
from bidding.models.sealed import BidChunk, BidStatus
from bidding.selectors.enrolment import access_bidder, access_enrolment_lot, enrolment_get_own
from trading.domain.employer import OrganisationKind
from trading.models import Lot, User
from trading.selectors.access import acting_organisation_id

DEFAULT_DOCUMENT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_DOCUMENTS = 20
# A receipt is a small JSON document; anything much larger is not one.
RECEIPT_MAX_BYTES = 16 * 1024


def bid_limits() -> Limits:
    """The upload limits: SEALED_BID_DOCUMENT_MAX_BYTES per PDF, SEALED_BID_MAX_DOCUMENTS PDFs."""
    return Limits(
        max_documents=int(getattr(settings, "SEALED_BID_MAX_DOCUMENTS", DEFAULT_MAX_DOCUMENTS)),
        document_max_bytes=int(
            getattr(settings, "SEALED_BID_DOCUMENT_MAX_BYTES", DEFAULT_DOCUMENT_MAX_BYTES)
        ),
    )


def sealed_bid_lot_refusal(lot: Lot, now: datetime) -> BidRefusal | None:
    """Why `lot` takes no bid, replacement or withdrawal at `now` (None when it does)."""
    return bid_refusal(
        sealed_bids=lot.tender.procedure.sealed_bids,
        status=lot.status,
        now=now,
        closes_at=lot.closes_at,
        suspended=lot.suspended_at is not None,
    )


@dataclass(frozen=True)
class BidSeat:
    """A bidder at its own lot: the lot and the enrolment it bids through."""

    lot: Lot
    enrolment: Enrolment
    is_lead: bool


def access_bid_lot(user: User, lot_id: int) -> BidSeat:
    """The user's own standing enrolment in the lot: 403 for other roles, 404 when there is none.

    A bidder that did not enrol (or withdrew) learns nothing about the lot's bids either way.
    """
    lot = access_enrolment_lot(user, lot_id)
    organisation = access_bidder(user)
    enrolment = enrolment_get_own(user, lot)
    if enrolment is None or enrolment.withdrawn_at is not None:
        raise Http404(_("您的主体没有报名本标段，不能投标。"))
    return BidSeat(lot=lot, enrolment=enrolment, is_lead=enrolment.lead_id == organisation.pk)


def access_sealed_bid(user: User, token: UUID) -> SealedBid:
    """One version of the user's own bid; 404 for anybody else's (and for every other role).

    Versions are named by a random token, never by their row number: a number that grows with
    every bid started on the platform would tell a bidder that others are bidding.
    """
    org_id = acting_organisation_id(user) if user.is_authenticated else None
    bid = None
    if org_id is not None and user.organisation_kind == OrganisationKind.BIDDER:
        bid = (
            SealedBid.objects.select_related("lot__tender__procedure", "enrolment")
            .filter(token=token, enrolment__members__organisation_id=org_id)
            .first()
        )
    if bid is None:
        raise Http404(_("没有找到该投标文件。"))
    return bid


def sealed_bid_list_own(enrolment: Enrolment) -> QuerySet[SealedBid]:
    """The enrolment's versions that reached a commit, newest first, with their files."""
    return (
        SealedBid.objects.filter(enrolment=enrolment)
        .exclude(status=BidStatus.UPLOADING)
        .prefetch_related("files")
        .order_by("-version")
    )


def sealed_bid_standing(enrolment: Enrolment) -> SealedBid | None:
    """The enrolment's committed version, the one the opening opens; None when there is none."""
    return SealedBid.objects.filter(enrolment=enrolment, status=BidStatus.COMMITTED).first()


def sealed_bid_chunk_get(bid: SealedBid, file_index: int, counter: int) -> bytes:
    """A stored chunk of the bidder's own upload, for its client's self-check; 404 if absent."""
    data = (
        BidChunk.objects.filter(file__bid=bid, file__index=file_index, index=counter)
        .values_list("data", flat=True)
        .first()
    )
    if data is None:
        raise Http404(_("没有找到该数据块。"))
    return bytes(data)
