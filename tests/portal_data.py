"""Published notices as rows, for the portal's tests and bench, without rendering or publishing.

A published notice normally comes out of the publisher (a rendered PDF, a publication number
under the counter's lock); the portal only reads them, so its tests insert finished rows: status
published, a stand-in PDF hash, the next publication number, search terms from
`notices.search.search_terms` and the search index updated.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max

from notices.models import Notice, NoticeKind, NoticeStatus, PublicationCounter
from notices.search import search_index_rebuild, search_index_update, search_terms
from trading.clock import get_clock
from trading.models import BusinessType, Industry, Lot, Region, Tender


def _next_seq() -> int:
    return int(Notice.objects.aggregate(last=Max("publication_seq"))["last"] or 0) + 1


def _counter_follows() -> None:
    """Move the publication counter as the real publisher does (the portal caches by it)."""
    last = int(Notice.objects.aggregate(last=Max("publication_seq"))["last"] or 0)
    PublicationCounter.objects.update_or_create(pk=1, defaults={"last_seq": last})


def notice_row(
    tender: Tender,
    *,
    title: str,
    body: str = "",
    kind: str = NoticeKind.ANNOUNCEMENT,
    region: Region | None = None,
    business_type: BusinessType | None = None,
    industry: Industry | None = None,
    training: bool = False,
    published_at: datetime | None = None,
    seq: int = 0,
    status: str = NoticeStatus.PUBLISHED,
    corrects: Notice | None = None,
    lot: Lot | None = None,
) -> Notice:
    """An unsaved notice of `tender` as the publisher leaves it (`seq` 0: numbered on save)."""
    project = tender.project
    published = status == NoticeStatus.PUBLISHED
    at = published_at or get_clock()()
    issuer = project.owner.name
    return Notice(
        kind=kind,
        status=status,
        tender=tender,
        lot=lot,
        region=region or project.region,
        business_type=business_type or project.business_type,
        industry=industry,
        training=training,
        corrects=corrects,
        title=title,
        body=body,
        data={},
        issuer=issuer,
        created_at=at - timedelta(hours=1),
        verification_code=uuid.uuid4().hex[:12].upper(),
        pdf_sha256=hashlib.sha256(title.encode()).hexdigest() if published else "",
        published_at=at if published else None,
        publication_seq=(seq or None) if published else None,
        # As the publisher indexes them (notices.services._search_texts).
        search_terms=search_terms(
            title, body, issuer, tender.name, tender.code, *([lot.name, lot.code] if lot else [])
        ),
    )


def publish_row(tender: Tender, **fields: Any) -> Notice:
    """A published notice of `tender`, saved and searchable."""
    notice = notice_row(tender, **fields)
    if notice.status == NoticeStatus.PUBLISHED:
        notice.publication_seq = _next_seq()
    notice.save()
    search_index_update(notice)
    _counter_follows()
    return notice


def publish_rows(notices: list[Notice], *, batch_size: int = 2000) -> int:
    """Save many unsaved notices at once, numbered in list order, and index them."""
    seq = _next_seq()
    for notice in notices:
        if notice.status == NoticeStatus.PUBLISHED:
            notice.publication_seq = seq
            seq += 1
    Notice.objects.bulk_create(notices, batch_size=batch_size)
    _counter_follows()
    return search_index_rebuild()
