"""What the training scenario reads of a training lot: the facts its plan is made from."""

from __future__ import annotations

from datetime import datetime

from trading.domain.lifecycle import Family, LotStatus
from trading.domain.training import Plan, TrainingLot, training_plan
from trading.models import Lot, Tender
from trading.models.tenders import Award

__all__ = ["training_lot_facts", "training_lot_plan"]

_TIMED_FIELD = {
    LotStatus.PUBLISHED: "opens_at",
    LotStatus.BIDDING: "closes_at",
    LotStatus.PREQUALIFICATION: "applications_close_at",
}


def _evaluated_at(lot: Lot, tender: Tender) -> datetime | None:
    """When the report (or the agreed negotiation) was recorded, for an award without publicity."""
    if tender.procedure.candidate_publicity:
        return None
    if lot.status == LotStatus.NEGOTIATION:
        record = lot.negotiations.filter(agreed=True, superseded_at__isnull=True).first()
        return record.recorded_at if record is not None else None
    return lot.evaluation_reported_at if lot.status == LotStatus.EVALUATION else None


def training_lot_facts(lot: Lot, tender: Tender, now: datetime) -> TrainingLot:
    """What the pure plan reads of the lot."""
    status = LotStatus(lot.status)
    award = Award.objects.filter(lot=lot, declined_at__isnull=True).first()
    field = _TIMED_FIELD.get(status)
    return TrainingLot(
        family=Family(tender.procedure.family),
        status=status,
        scale=tender.project.time_scale,
        status_changed_at=lot.status_changed_at or tender.announced_at or now,
        candidate_publicity=tender.procedure.candidate_publicity,
        timed_at=getattr(lot, field) if field else None,
        evaluated_at=_evaluated_at(lot, tender),
        publicity_ends_at=lot.publicity_ends_at,
        letter_issued_at=award.letter_issued_at if award is not None else None,
        suspended_at=lot.suspended_at,
    )


def training_lot_plan(lot: Lot, tender: Tender, now: datetime) -> Plan | None:
    """The training lot's plan (None for a real lot or one that is over)."""
    if not tender.project.training:
        return None
    return training_plan(training_lot_facts(lot, tender, now))
