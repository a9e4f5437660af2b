"""bdrefunds: what a bidder sees of its own deposit — guarantees, the refund, a forfeiture."""

from __future__ import annotations

from dataclasses import dataclass

from bidding.models import Enrolment, Forfeiture, Guarantee, RefundDue
from trading.domain.points import LISTING_FAMILIES
from trading.models import Award

__all__ = ["DepositView", "enrolment_deposit_get"]

_ENDED = ("failed", "terminated")


@dataclass(frozen=True)
class DepositView:
    enrolment: Enrolment
    guarantees: list[Guarantee]
    refund: RefundDue | None
    forfeiture: Forfeiture | None
    # Whether the tender accepts a guarantee instead of cash, and one may be applied for now.
    guarantee_allowed: bool
    can_apply: bool
    # A sale's buyer: its deposit becomes 定金 instead of being refunded (DOMAIN.md).
    earnest: bool = False


def _is_buyer(enrolment: Enrolment) -> bool:
    lot = enrolment.lot
    if lot.tender.procedure.family not in LISTING_FAMILIES or lot.status in _ENDED:
        return False
    if enrolment.withdrawn_at is not None:
        return False
    buyer = lot.candidates.filter(superseded_at__isnull=True, rank=1).first()
    award = Award.objects.filter(lot=lot, declined_at__isnull=True).first()
    winner = (
        award.organisation_id if award is not None else buyer.organisation_id if buyer else None
    )
    if winner is None:
        return False
    return winner == enrolment.lead_id or enrolment.members.filter(organisation_id=winner).exists()


def enrolment_deposit_get(enrolment: Enrolment) -> DepositView:
    """The enrolment's guarantees (newest first), its refund or its forfeiture."""
    guarantees = list(Guarantee.objects.filter(enrolment=enrolment).order_by("-applied_at", "-pk"))
    refund = RefundDue.objects.filter(enrolment=enrolment, transfer__isnull=True).first()
    forfeiture = Forfeiture.objects.filter(enrolment=enrolment).first()
    tender = enrolment.lot.tender
    allowed = (
        tender.deposit_form in ("guarantee", "either") and (enrolment.lot.deposit_amount or 0) > 0
    )
    open_guarantee = any(g.state in ("applied", "issued", "verified") for g in guarantees)
    can_apply = (
        allowed
        and not open_guarantee
        and enrolment.withdrawn_at is None
        and refund is None
        and forfeiture is None
    )
    return DepositView(
        earnest=_is_buyer(enrolment) and refund is None and forfeiture is None,
        enrolment=enrolment,
        guarantees=guarantees,
        refund=refund,
        forfeiture=forfeiture,
        guarantee_allowed=allowed,
        can_apply=can_apply,
    )
