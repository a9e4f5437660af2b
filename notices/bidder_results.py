"""The public result notices of a bidder's lots, for bidding's workspace (registered in ready)."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse

from bidding.result_notices import ResultNotice
from notices.models import Notice, NoticeKind, NoticeStatus

# What a bidder reads once bidding has closed: the candidates, the result, a failure or an end.
# Letters are addressed to one organisation: they stay on 我的文件.
WORKSPACE_KINDS = (
    NoticeKind.CANDIDATES,
    NoticeKind.RESULT,
    NoticeKind.DEAL,
    NoticeKind.FAILURE,
    NoticeKind.TERMINATION,
)


def result_notices_of(lot_ids: Sequence[int]) -> list[ResultNotice]:
    """The lots' published result notices, oldest first."""
    notices = (
        Notice.objects.filter(
            lot_id__in=list(lot_ids), status=NoticeStatus.PUBLISHED, kind__in=WORKSPACE_KINDS
        )
        .only("pk", "lot_id", "kind", "title", "published_at")
        .order_by("published_at", "pk")
    )
    return [
        ResultNotice(
            lot_id=notice.lot_id or 0,
            kind=str(notice.get_kind_display()),
            title=notice.title,
            url=reverse("portal_notice_detail", args=[notice.pk]),
            published_at=notice.published_at,
        )
        for notice in notices
    ]
