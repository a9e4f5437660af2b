"""What the lot page shows and offers for the ways a lot ends (see trading.views.lot_endings).

Kept apart from trading.views.lots so that module can include it without an import cycle.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from trading import forms_endings as fe
from trading.domain.lifecycle import LotStatus
from trading.models import Award, Contract, Lot, NegotiationRecord, Organisation, Procedure
from trading.participants import lot_participants_named
from trading.selectors.access import Role
from trading.services.endings import award_next_candidate


def lot_bidders(lot: Lot) -> QuerySet[Organisation]:
    # Named among the lot's enrolled bidders; the services check again.
    return lot_participants_named(lot)


def retender_procedures(lot: Lot) -> QuerySet[Procedure]:
    return Procedure.objects.filter(
        business_type_id=lot.tender.project.business_type_id
    ).select_related("business_type")


def lot_history_context(lot: Lot) -> dict[str, Any]:
    """The lot's history of endings: its predecessor and successors, declined awards, results
    superseded by a re-evaluation, and the negotiation records."""
    return {
        "predecessor": lot.predecessor,
        "successors": list(lot.successors.select_related("tender").order_by("pk")),
        "declined_awards": list(
            Award.objects.filter(lot=lot, declined_at__isnull=False).order_by("declined_at")
        ),
        "superseded_candidates": list(
            lot.candidates.filter(superseded_at__isnull=False).order_by("superseded_at", "rank")
        ),
        "negotiations": list(
            NegotiationRecord.objects.filter(lot=lot).order_by("-recorded_at", "-pk")
        ),
    }


def lot_endings_forms(lot: Lot, role: Role, forms: dict[str, Any]) -> dict[str, Any]:
    """The forms of the endings the reader's role takes on this lot now (or the refused one)."""
    status = lot.status
    context: dict[str, Any] = {}
    running = lot.suspended_at is None
    if role == Role.STAFF and running and status == LotStatus.EVALUATION:
        context["reject_all_form"] = forms.get("reject_all") or fe.RejectAllForm()
    if role == Role.STAFF and running and status == LotStatus.NEGOTIATION:
        context["negotiation_form"] = forms.get("negotiation") or fe.NegotiationForm(
            bidders=lot_bidders(lot)
        )
    if role == Role.OWNER and status == LotStatus.AWARDED:
        award = lot.award
        if award is not None and award.letter_issued_at is not None and not _has_contract(lot):
            context["decline_form"] = forms.get("decline") or fe.DeclineForm(
                initial={"forfeit_deposit": True}
            )
            context["next_candidate"] = award_next_candidate(lot)
    if role == Role.OWNER and status == LotStatus.FAILED and not lot.successors.exists():
        context["retender_form"] = forms.get("retender") or fe.RetenderForm(
            procedures=retender_procedures(lot), initial={"procedure": lot.tender.procedure_id}
        )
    for key in ("reject_all", "negotiation", "decline", "retender"):
        # A refused form is shown with its reasons even where it is no longer offered.
        if key in forms:
            context[f"{key}_form"] = forms[key]
    return context


def _has_contract(lot: Lot) -> bool:
    return Contract.objects.filter(lot=lot).exists()
