"""The regulators' colour filter over the stored `LotLight` cache, and what keeps it true.

A lot's colour changes in two ways. Through time: each lit date turns yellow `WARN_BEFORE` ahead
and red once passed, so a stored colour is valid until the next of those instants. Through a
change to what the timeline reads (the lot, its tender and project, objections, complaints,
holds, the award, the contract, the report, a source's own rows such as notices, the rule rows,
the procedures and the holiday calendar): every save marks the lot's row stale in the same
transaction, with a new generation, so that a refresh computed from the rows as they were does
not land.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_save

from trading.domain.timeline import local_date, start_of_day
from trading.models import (
    Award,
    Complaint,
    Contract,
    Hold,
    Lot,
    LotLight,
    Objection,
    Procedure,
    Project,
    Tender,
    TenderDocument,
    TimelineRule,
)
from trading.selectors.jurisdiction import lot_batches, lot_worst_light
from trading.selectors.rules import rules_snapshot
from trading.selectors.timeline import WARN_BEFORE, TimelineItem, lot_timeline
from trading.timeline_sources import timeline_source_models_watch

# A colour no date will ever change (every lit date passed or met): valid until the rows change.
FOREVER = datetime(9999, 12, 31, tzinfo=UTC)

# Past this instant a light has turned red (`light()` is red once now > due).
_JUST_AFTER = timedelta(microseconds=1)


def lot_light_valid_until(lot: Lot, items: list[TimelineItem], now: datetime) -> datetime:
    """The next instant any of the lot's lights may change colour: a pending date's warning, its
    due moment or the instant after it; a tender not yet published also at midnight, when the rules
    of the new day govern it (`tender_rulebook`)."""
    moments = [
        moment
        for item in items
        # Met (on time or late) is for good; unlit (after a lot's end) stays so.
        if item.due is not None and item.done_at is None and item.light is not None
        for moment in (item.due - WARN_BEFORE, item.due, item.due + _JUST_AFTER)
        if moment > now
    ]
    if lot.tender.rules_as_of is None:
        moments.append(start_of_day(local_date(now) + timedelta(days=1)))
    return min(moments, default=FOREVER)


def _fresh(now: datetime) -> Q:
    return Q(
        cached_light__computed_at__lte=now,
        cached_light__valid_until__gt=now,
    )


def _stale(now: datetime) -> Q:
    return (
        Q(cached_light__isnull=True)
        | Q(cached_light__valid_until__isnull=True)
        | Q(cached_light__valid_until__lte=now)
        | Q(cached_light__computed_at__gt=now)
    )


def lot_lights_refresh(lots: QuerySet[Lot], now: datetime) -> int:
    """Recompute the stored colour of each of `lots` whose row is missing or stale; how many.

    Each write lands only if nothing the lights read changed since the row was read (its
    generation), so a concurrent change leaves the row stale rather than wrong.
    """
    # The keys first, on the index and without the list's joins; then those lots in full.
    keys = list(lots.filter(_stale(now)).order_by().values_list("pk", flat=True))
    if not keys:
        return 0
    stale = lots.filter(pk__in=keys).select_related("cached_light")
    count = 0
    with rules_snapshot():
        for batch in lot_batches(stale.iterator(chunk_size=500)):
            missing: list[LotLight] = []
            for lot in batch:
                items = lot_timeline(lot, now)
                colour = lot_worst_light([item for item in items if item.light is not None])
                valid_until = lot_light_valid_until(lot, items, now)
                row = _cached(lot)
                if row is None:
                    missing.append(
                        LotLight(
                            lot_id=lot.pk,
                            colour=colour,
                            computed_at=now,
                            valid_until=valid_until,
                        )
                    )
                else:
                    LotLight.objects.filter(lot_id=lot.pk, generation=row.generation).update(
                        colour=colour, computed_at=now, valid_until=valid_until
                    )
                count += 1
            # A row inserted meanwhile was a change's stale mark: it stays, and wins.
            LotLight.objects.bulk_create(missing, ignore_conflicts=True)
    return count


def _cached(lot: Lot) -> LotLight | None:
    try:
        return lot.cached_light
    except LotLight.DoesNotExist:
        return None


def lot_list_by_light(lots: QuerySet[Lot], colour: str, now: datetime) -> QuerySet[Lot]:
    """The lots of `lots` whose most urgent light is `colour` now, stale ones recomputed first."""
    lot_lights_refresh(lots, now)
    return lots.filter(_fresh(now), cached_light__colour=colour)


# --- marking rows stale ---------------------------------------------------------------------


def lot_lights_stale(
    *, lot_ids: Iterable[int] = (), tender_id: int | None = None, project_id: int | None = None
) -> None:
    """Mark the lots' stored colours stale inside the caller's transaction, with a new
    generation; inserting the row where none exists, so that a refresh racing the change cannot
    insert a colour computed from the rows as they were."""
    ids = set(lot_ids)
    if tender_id is not None:
        ids |= set(Lot.objects.filter(tender_id=tender_id).values_list("pk", flat=True))
    if project_id is not None:
        ids |= set(Lot.objects.filter(tender__project_id=project_id).values_list("pk", flat=True))
    if not ids:
        return
    # Rows in key order, so two changes marking overlapping lots lock them in the same order.
    LotLight.objects.bulk_create(
        [LotLight(lot_id=pk, generation=secrets.randbits(62)) for pk in sorted(ids)],
        update_conflicts=True,
        unique_fields=["lot"],
        update_fields=["generation", "valid_until"],
    )


def lot_lights_stale_all() -> None:
    """Every stored colour stale: the rule rows, the holiday calendar or a procedure changed."""
    LotLight.objects.update(generation=models.F("generation") + 1, valid_until=None)


def _changed(instance: Any) -> None:
    if isinstance(instance, Lot):
        lot_lights_stale(lot_ids=[instance.pk])
    elif isinstance(instance, Tender):
        lot_lights_stale(tender_id=instance.pk)
    elif isinstance(instance, Project):
        lot_lights_stale(project_id=instance.pk)
    elif getattr(instance, "lot_id", None) is not None:
        lot_lights_stale(lot_ids=[instance.lot_id])
    elif getattr(instance, "tender_id", None) is not None:
        lot_lights_stale(tender_id=instance.tender_id)


# What the timeline reads; sources add their own models (`register_timeline_source`).
_LIGHT_MODELS = (Lot, Tender, Project, Objection, Complaint, Hold, Award, Contract, TenderDocument)
# What every lot's timeline reads. The holiday calendar is written in bulk by its services, which
# mark every colour stale themselves (`calendar_year_enter`, `calendar_seed`).
_RULE_MODELS = (TimelineRule, Procedure)


def _saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _changed(instance)


def _deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    # A deleted lot's row went with it (CASCADE); a new row would point at nothing.
    if sender is not Lot:
        _changed(instance)


def _rules_changed(sender: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        lot_lights_stale_all()


def _watch(model: type[models.Model]) -> None:
    label = model._meta.label
    post_save.connect(_saved, sender=model, dispatch_uid=f"lights.saved.{label}")
    post_delete.connect(_deleted, sender=model, dispatch_uid=f"lights.deleted.{label}")


def lights_connect() -> None:
    """Mark colours stale on every save or delete of what the lights read (from `ready()`);
    the models a timeline source registers later are watched as they come."""
    for model in _LIGHT_MODELS:
        _watch(model)
    for rule_model in _RULE_MODELS:
        label = rule_model._meta.label
        post_save.connect(_rules_changed, sender=rule_model, dispatch_uid=f"lights.saved.{label}")
        post_delete.connect(
            _rules_changed, sender=rule_model, dispatch_uid=f"lights.deleted.{label}"
        )
    timeline_source_models_watch(_watch)
