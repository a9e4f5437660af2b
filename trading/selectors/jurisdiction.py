"""What a regulator supervises: its jurisdiction's tenders and lots, and their chokepoints.

A jurisdiction is regions (with their sub-regions) × business types × industries (none listed:
every industry). Outside it a tender or lot does not exist for the regulator (404); any other
role has no business on the supervision pages (403, as for every console of another role).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from trading.domain.lifecycle import LotStatus, TenderStatus
from trading.models import Jurisdiction, LedgerCheckpoint, LedgerEntry, Lot, Tender, User
from trading.selectors.tenders import jurisdiction_condition, sealed_scope_key, tender_scope_key
from trading.selectors.timeline import TimelineItem, lot_passed_bidding, lot_timeline

# Verifying is reading: the ledger service recomputes hashes and writes nothing.
from trading.services.ledger import VerificationReport, ledger_verify_scopes
from trading.timeline_sources import timeline_prefetch

# Before its opening a lot's sealed chain (who enrolled, who downloaded) is shown to no one:
# 招标投标法 第22条, the same rule as for desk staff (DESIGN.md invariant 3).
_BEFORE_OPENING = frozenset({LotStatus.DRAFT, LotStatus.PUBLISHED, LotStatus.BIDDING})


def lot_list_for_regulator(
    user: User,
    filters: Mapping[str, Any] | None = None,
    *,
    jurisdictions: list[Jurisdiction] | None = None,
) -> QuerySet[Lot]:
    """Every lot of a submitted or published tender in the user's jurisdictions, filtered.

    `filters` keys (all optional): region (a region code, with its sub-regions), business_type
    (a code), status (`tender:<status>` or `lot:<status>`), date_from / date_to (on the bid
    deadline), q (a lot's, tender's or project's code or name, or the trade id).
    """
    lots = (
        Lot.objects.filter(
            jurisdiction_condition(
                user, to_project="tender__project__", jurisdictions=jurisdictions
            )
        )
        .exclude(tender__status=TenderStatus.DRAFT)
        .select_related(
            "tender__project__region",
            "tender__project__business_type",
            "tender__project__industry",
            "tender__project__owner",
            "tender__procedure",
            "tender__desk",
        )
    )
    filters = {key: value for key, value in (filters or {}).items() if value not in (None, "")}
    if "region" in filters:
        lots = lots.filter(
            Q(tender__project__region__code=filters["region"])
            | Q(tender__project__region__parent__code=filters["region"])
        )
    if "business_type" in filters:
        lots = lots.filter(tender__project__business_type__code=filters["business_type"])
    status = str(filters.get("status") or "")
    if status.startswith("tender:"):
        lots = lots.filter(tender__status=status.removeprefix("tender:"))
    elif status.startswith("lot:"):
        lots = lots.filter(status=status.removeprefix("lot:"))
    # Shanghai days as instants: a range on the column, not a date computed for every row.
    if "date_from" in filters:
        lots = lots.filter(closes_at__gte=_day_start(filters["date_from"]))
    if "date_to" in filters:
        lots = lots.filter(closes_at__lt=_day_start(filters["date_to"] + timedelta(days=1)))
    if "q" in filters:
        term = str(filters["q"]).strip()
        # The tenders matching by their own or their project's words, found once in their own
        # table: an OR across the joined rows made the database test seven columns per lot.
        tenders = Tender.objects.filter(
            Q(code__icontains=term)
            | Q(name__icontains=term)
            | Q(trade_id__icontains=term)
            | Q(project__code__icontains=term)
            | Q(project__name__icontains=term)
        ).values("pk")
        lots = lots.filter(
            Q(code__icontains=term) | Q(name__icontains=term) | Q(tender_id__in=tenders)
        )
    # Newest first by the lot's own key: the database walks its index and stops at the page,
    # where sorting by the tender's date sorted every lot of the jurisdiction on each request.
    return lots.order_by("-pk")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# What a list of lots prefetches so that each lot's lights cost no query of their own.
LIGHT_PREFETCH = ("objections", "complaints")


def lot_batches(lots: Iterable[Lot], size: int = 500) -> Iterator[list[Lot]]:
    """The lots in lists of `size`, each with what every timeline source reads loaded at once."""
    batch: list[Lot] = []
    for lot in lots:
        batch.append(lot)
        if len(batch) == size:
            timeline_prefetch(batch)
            yield batch
            batch = []
    if batch:
        timeline_prefetch(batch)
        yield batch


def lot_lights(lot: Lot, now: datetime) -> list[TimelineItem]:
    """The lot's statutory dates that carry a light, as the lot page shows them."""
    return [item for item in lot_timeline(lot, now) if item.light is not None]


def lot_worst_light(items: list[TimelineItem]) -> str:
    """The colour a list shows for a lot: its most urgent light (red, yellow, green, done)."""
    colours = {str(item.light) for item in items}
    for colour in ("red", "yellow", "green", "done"):
        if colour in colours:
            return colour
    return ""


def sealed_scope_open(lot: Lot, lots: list[Lot]) -> bool:
    """Whether the lot's sealed chain may be read: after its opening, and, where the bidder list
    is secret, once no lot of the tender still takes bids (法 第22条)."""
    if not lot_passed_bidding(lot):
        return False
    if not lot.tender.procedure.bidder_list_secret:
        return True
    return not any(sibling.status in _BEFORE_OPENING for sibling in lots)


def tender_scope_keys_readable(tender: Tender) -> list[str]:
    """The tender's chains a regulator may read now: its own, and each opened lot's sealed one."""
    lots = list(tender.lots.all())
    keys = [tender_scope_key(tender.pk)]
    keys += [sealed_scope_key(lot.pk) for lot in lots if sealed_scope_open(lot, lots)]
    return keys


def tender_ledger_for_supervision(tender: Tender) -> QuerySet[LedgerEntry]:
    """The tender's ledger as a regulator reads it: sealed scopes stay out until the opening."""
    return (
        LedgerEntry.objects.filter(scope__key__in=tender_scope_keys_readable(tender))
        .select_related("scope")
        .order_by("recorded_at", "scope__key", "seq")
    )


def tender_chains_verify(tender: Tender) -> VerificationReport:
    """The tender's readable chains recomputed against every signed checkpoint (inv. 6)."""
    return ledger_verify_scopes(tender_scope_keys_readable(tender))


def checkpoint_latest() -> LedgerCheckpoint | None:
    """The newest signed checkpoint the chains are verified against."""
    return LedgerCheckpoint.objects.order_by("-seq").first()
