"""Reads of notices: the desks' review queue, the change feed, the feeds, a lot's notices."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from notices.models import Notice, NoticeStatus
from trading.models import Lot, User
from trading.selectors.access import operates_desk
from trading.selectors.grants import desk_list_operated_by

CHANGES_MAX = 500


def _notices() -> QuerySet[Notice]:
    return Notice.objects.select_related(
        "tender__desk", "lot", "region", "business_type", "addressee", "corrects"
    )


def access_notice(user: User, notice_id: int) -> Notice:
    """The notice if `user` is staff of its tender's desk (DESIGN.md §3).

    A published notice is public: others get 403 on its staff pages; a draft stays hidden (404).
    """
    notice = _notices().filter(pk=notice_id).first()
    if notice is None:
        raise Http404(_("没有找到该公告。"))
    if operates_desk(user, notice.tender.desk_id):
        return notice
    if notice.status == NoticeStatus.PUBLISHED:
        raise PermissionDenied(_("只有本交易科室的工作人员可以办理该公告。"))
    raise Http404(_("没有找到该公告。"))


def notice_list_queue(user: User, *, every_desk: bool = False) -> QuerySet[Notice]:
    """Drafts and scheduled notices (failed renders among them) of the user's desks, due first;
    of every desk for the center's administrator, who reads them only."""
    notices = _notices()
    if not every_desk:
        notices = notices.filter(tender__desk__in=desk_list_operated_by(user))
    return notices.filter(status__in=[NoticeStatus.DRAFT, NoticeStatus.SCHEDULED]).order_by(
        "-status", "due_at", "pk"
    )


def notice_list_for_lot(lot: Lot) -> QuerySet[Notice]:
    """The lot's notices and its tender's own (announcement, amendments, clarifications)."""
    return Notice.objects.filter(
        Q(lot_id=lot.pk) | Q(tender_id=lot.tender_id, lot__isnull=True)
    ).order_by("created_at", "pk")


def notice_list_for_lots(lots: list[Lot]) -> list[Notice]:
    """The notices of several lots and of their tenders, in one query (a list's timelines)."""
    return list(
        Notice.objects.filter(
            Q(lot_id__in=[lot.pk for lot in lots])
            | Q(tender_id__in={lot.tender_id for lot in lots}, lot__isnull=True)
        ).order_by("created_at", "pk")
    )


def notice_list_changes(*, after: int, limit: int) -> list[Notice]:
    """Published notices numbered after `after`, in publication order (the change feed).

    Numbers are gap-free and visible in order (`notice_publish_rendered`), so a reader that asks
    again from the last number it saw never skips or repeats one. Training notices are included,
    flagged: leaving them out would leave gaps a reader could not tell from missed items."""
    limit = max(1, min(limit, CHANGES_MAX))
    return list(
        # A withdrawn notice keeps its number and stays in the feed, flagged by its status.
        Notice.objects.filter(publication_seq__gt=after)
        .only(
            "pk",
            "status",
            "kind",
            "title",
            "published_at",
            "publication_seq",
            "pdf_sha256",
            "hash_alg",
            "training",
            "verification_code",
        )
        .order_by("publication_seq")[:limit]
    )


def notice_list_feed(*, region_code: str, business_type_code: str, limit: int = 50) -> list[Notice]:
    """The latest published real (non-training) notices of one region and business type."""
    return list(
        _notices()
        .filter(
            status=NoticeStatus.PUBLISHED,
            training=False,
            region__code=region_code,
            business_type__code=business_type_code,
        )
        .order_by("-published_at", "-pk")[:limit]
    )
