"""Trading's lifecycle events turned into the drafts of the notices the law asks for.

Registered from `NoticesConfig.ready()`. The outbox delivers each event at least once, and
`notice_draft` drafts one notice per (event, kind), so a repeated delivery drafts nothing twice.
Also registers the scheduled publication with the chronograph and the notices' timeline lights.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bidding.models.auctions import Auction
from notices.domain.documents.words import vocabulary
from notices.models import Notice, NoticeKind, NoticeStatus
from notices.portal_fastpath import publication_seq_out_of_sync, publication_seq_sync
from notices.selectors import notice_list_for_lot, notice_list_for_lots
from notices.services import (
    notice_approve_for_training,
    notice_draft,
    notice_publish_due,
    notices_due,
)
from trading.chronograph import DueWork, register_due_work
from trading.domain.procedures import is_sale
from trading.domain.timeline import light
from trading.events import receiver
from trading.models import Lot, OutboxEvent, Tender
from trading.selectors.timeline import WARN_BEFORE, TimelineItem, tender_rulebook
from trading.timeline_sources import register_timeline_source

PUBLISH = DueWork(name="notices.publish", due=notices_due, advance=notice_publish_due)


def training_drafts_due(now: datetime) -> QuerySet[Notice]:
    """Training notices waiting for approval: the training scenario approves them itself."""
    return Notice.objects.filter(status=NoticeStatus.DRAFT, training=True, created_at__lte=now)


def training_draft_approve(notice: Notice, now: datetime) -> None:
    from notices.demo import notice_story_set

    # A training tender is armed with a history played before the seeding: its announcement is
    # published when its story says, not at the first tick after start-up.
    notice_story_set(notice, now)
    notice_approve_for_training(notice=notice, clock=lambda: now)


# A training tender's notices are published by its scenario, not left in the review queue.
TRAINING_APPROVE = DueWork(
    name="notices.training_approve", due=training_drafts_due, advance=training_draft_approve
)


def _tender(event: OutboxEvent) -> Tender:
    return Tender.objects.select_related("procedure", "project__business_type").get(
        pk=int(event.payload["tender"])
    )


def _lot(event: OutboxEvent) -> Lot:
    return Lot.objects.select_related("tender__procedure").get(pk=int(event.payload["lot"]))


def _draft(kind: str, event: OutboxEvent, *, lot: Lot | None = None) -> None:
    tender = lot.tender if lot is not None else _tender(event)
    notice_draft(kind=kind, tender=tender, lot=lot, source_event_id=event.pk)


@receiver("tender.published", name="notices.announcement")
def announcement(event: OutboxEvent) -> None:
    """The tender's announcement (招标公告 招标投标法 第16条; 出让、转让公告 39号令、32号令)."""
    _draft(NoticeKind.ANNOUNCEMENT, event)


@receiver("tender.amended", name="notices.amendment")
def amendment(event: OutboxEvent) -> None:
    """An amendment of the documents is published (实施条例 第21条)."""
    _draft(NoticeKind.AMENDMENT, event)


@receiver("tender.clarified", name="notices.clarification")
def clarification(event: OutboxEvent) -> None:
    """Answers to bidders' questions are published as a clarification (实施条例 第21条)."""
    _draft(NoticeKind.CLARIFICATION, event)


@receiver("lot.candidates_published", name="notices.candidates")
def candidates(event: OutboxEvent) -> None:
    """Candidate publicity within 3 日 of the evaluation report (实施条例 第54条)."""
    _draft(NoticeKind.CANDIDATES, event, lot=_lot(event))


@receiver("lot.sold", name="notices.deal")
def deal(event: OutboxEvent) -> None:
    """A sale's result is published; its publicity runs from then (32号令; 39号令).

    A sale the platform's live auction decided has its 成交确认书 at once: the buyer and the
    seller sign it when the auction ends (国土资源部令第39号 第21条).
    """
    lot = _lot(event)
    _draft(NoticeKind.DEAL, event, lot=lot)
    if Auction.objects.filter(lot=lot, sold=True).exists():
        _draft(NoticeKind.DEAL_CONFIRMATION, event, lot=lot)


@receiver("lot.awarded", name="notices.award")
def award(event: OutboxEvent) -> None:
    """The result and the winner's letter (中标通知书, 法 第45条; 成交确认书 for sales).

    A sale's result (成交公告) was drafted at the hammer (`lot.sold`).
    """
    lot = _lot(event)
    if is_sale(lot.tender.procedure.family):
        # Drafted at the hammer already when the platform's auction sold the lot.
        confirmed = (
            Notice.objects.filter(lot=lot, kind=NoticeKind.DEAL_CONFIRMATION)
            .exclude(status=NoticeStatus.WITHDRAWN)
            .exists()
        )
        kinds = [] if confirmed else [NoticeKind.DEAL_CONFIRMATION]
    else:
        kinds = [NoticeKind.RESULT, NoticeKind.AWARD_LETTER]
    for kind in kinds:
        _draft(kind, event, lot=lot)


@receiver("lot.failed", name="notices.failure")
def failure(event: OutboxEvent) -> None:
    """A failed lot (流标 实施条例 第44条, or 流拍) is announced."""
    _draft(NoticeKind.FAILURE, event, lot=_lot(event))


@receiver("lot.terminated", name="notices.termination")
def termination(event: OutboxEvent) -> None:
    """A terminated lot is announced without delay (实施条例 第31条)."""
    _draft(NoticeKind.TERMINATION, event, lot=_lot(event))


def notice_timeline(lot: Lot, now: datetime) -> list[TimelineItem]:
    """Each notice of the lot (and its tender's own) by its publication limit, lit."""
    items = []
    book = tender_rulebook(lot.tender, now=now)
    # A list of lots loaded them all at once (notice_timeline_prefetch); a single lot asks.
    notices = getattr(lot, "timeline_notices", None)
    for notice in notice_list_for_lot(lot) if notices is None else notices:
        if notice.due_at is None or notice.status == NoticeStatus.WITHDRAWN:
            continue
        rule = book.notice_rule(notice.kind)
        kind = notice.get_kind_display()
        if notice.kind == NoticeKind.ANNOUNCEMENT:
            # A property transfer publishes a 国有产权转让公告, not a 招标公告 (32号令).
            kind = _(vocabulary(lot.tender.project.business_type.code).announcement)
        items.append(
            TimelineItem(
                key=f"notice:{notice.pk}",
                label=_("发布%(kind)s") % {"kind": kind},
                due=notice.due_at,
                done_at=notice.published_at,
                light=light(
                    due=notice.due_at, now=now, done_at=notice.published_at, warn=WARN_BEFORE
                ),
                article=rule.article if rule is not None else "",
            )
        )
    return items


def notice_timeline_prefetch(lots: list[Lot]) -> None:
    """The notices of a list of lots in one query, as `notice_list_for_lot` finds each lot's."""
    own: dict[int, list[Notice]] = defaultdict(list)
    tenders: dict[int, list[Notice]] = defaultdict(list)
    for notice in notice_list_for_lots(lots):
        if notice.lot_id is not None:
            own[notice.lot_id].append(notice)
        else:
            tenders[notice.tender_id].append(notice)
    for lot in lots:
        lot.timeline_notices = sorted(  # type: ignore[attr-defined]
            own[lot.pk] + tenders[lot.tender_id], key=lambda n: (n.created_at, n.pk)
        )


# Redis's copy of the publication number, re-set when it is not the database's: a process killed
# between a publication's commit and its on-commit hook leaves old pages served one tick at most.
SEQ_SYNC = DueWork(
    name="notices.fastpath_seq_sync", due=publication_seq_out_of_sync, advance=publication_seq_sync
)
register_due_work(PUBLISH)
register_due_work(SEQ_SYNC)
register_due_work(TRAINING_APPROVE)
register_timeline_source(
    "notices", notice_timeline, prefetch=notice_timeline_prefetch, models=(Notice,)
)
