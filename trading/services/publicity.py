"""Periods a notice opens run from the notice's publication, not from the fact behind it.

实施条例 第54条 publicises the candidates: the 3 日 start when the public can read them, not when
staff record the evaluation and the notice waits in the review queue. The same holds for a sale's
result publicity (32号令 第29条 5 工作日; 39号令 for land) and the procurement result notice
(87号令 第69条: 1 工作日). notices emits `notice.published`; `lot_publicity_open` receives it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.domain.lifecycle import LotStatus
from trading.domain.procedures import is_sale
from trading.domain.timeline import format_moment
from trading.lock_objects import lock_lot
from trading.models import Lot, Procedure
from trading.selectors.access import owner_side_users
from trading.selectors.timeline import tender_rulebook
from trading.services.common import ledger, lot_tender, notify
from trading.services.lot_state import lot_next_check
from trading.translatable import Message

__all__ = ["lot_publicity_open", "publicity_notice_kind"]

# Statuses in which the period's notice may still open it (a late result notice included).
_OPEN_IN = {
    "candidates": frozenset({LotStatus.PUBLICITY}),
    "deal": frozenset({LotStatus.PUBLICITY}),
    "result": frozenset({LotStatus.AWARDED, LotStatus.CONTRACTED, LotStatus.CLOSED}),
}


def publicity_notice_kind(procedure: Procedure) -> str:
    """The notice whose publication opens the lot's period: candidates, a sale's deal, or the
    procurement result (实施条例 第54条; 32号令; 87号令 第69条)."""
    if is_sale(procedure.family):
        return "deal"
    if not procedure.candidate_publicity:
        return "result"
    return "candidates"


def lot_publicity_open(
    *, lot_id: int, notice_kind: str, published_at: datetime, clock: Clock | None = None
) -> Lot | None:
    """The period's notice is public: the period runs from now to 24:00 of its last day.

    Idempotent (the outbox delivers at least once): a period already opened stays as it was;
    another notice of the lot opens nothing.
    """
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot_id)
        tender = lot_tender(lot)
        if notice_kind != publicity_notice_kind(tender.procedure):
            return lot
        if lot.publicity_starts_at is not None or lot.status not in _OPEN_IN[notice_kind]:
            return lot
        now = clock()
        lot.publicity_starts_at = published_at
        lot.publicity_ends_at = tender_rulebook(tender, now=published_at).period_end(
            published_at, "publicity_start", "publicity_end"
        )
        lot.next_check = lot_next_check(lot)
        lot.save(update_fields=["publicity_starts_at", "publicity_ends_at", "next_check"])
        notify(
            owner_side_users(tender.project),
            kind="lot.publicity_started",
            title=Message(
                gettext_noop("公示已发布：%(code)s，公示期至 %(end)s"),
                code=lot.code,
                end=format_moment(lot.publicity_ends_at),
            ),
            now=now,
        )
        ledger(
            tender,
            action="lot.publicity_started",
            actor=None,
            obj=lot,
            payload={
                "notice_kind": notice_kind,
                "publicity_starts_at": published_at.isoformat(),
                "publicity_ends_at": lot.publicity_ends_at.isoformat(),
            },
            now=now,
        )
    return lot
