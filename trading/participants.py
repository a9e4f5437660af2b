"""Who takes part in a lot: a registry that bidding fills, since trading never imports bidding.

Bidding registers, from `BiddingConfig.ready`, the organisations enrolled in a lot (报名, the
lead of each consortium) and a way for the demo and the training scenarios to enrol their
demo bidders. Without a registration (trading on its own) every verified bidder takes part.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from trading.domain.employer import OrganisationKind
from trading.models import Lot, Organisation
from trading.selectors.timeline import lot_passed_bidding

ParticipantsOf = Callable[[Lot], "QuerySet[Organisation]"]
# Enrols organisations in a lot for the demo and training scenarios, at `now`; idempotent.
ParticipantsEnrol = Callable[[Lot, Sequence[Organisation], datetime], None]


@dataclass
class _Registry:
    participants_of: ParticipantsOf | None = None
    enrol: ParticipantsEnrol | None = None


_REGISTRY = _Registry()


def participants_register(*, participants_of: ParticipantsOf, enrol: ParticipantsEnrol) -> None:
    """Bidding's answer to who takes part in a lot (the last registration wins)."""
    _REGISTRY.participants_of = participants_of
    _REGISTRY.enrol = enrol


def verified_bidders() -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        kind=OrganisationKind.BIDDER, verified_at__isnull=False
    ).order_by("name")


def lot_participants(lot: Lot) -> QuerySet[Organisation]:
    """The organisations taking part in `lot`, by name: those staff may name as candidates,
    winners or negotiating parties (招标投标法 第40条: candidates come from the bidders)."""
    if _REGISTRY.participants_of is None:
        return verified_bidders()
    return _REGISTRY.participants_of(lot)


def lot_participants_named(lot: Lot) -> QuerySet[Organisation]:
    """The participants a page may name now: none while the bidder list is sealed (法 第22条).

    A form offering the lot's bidders as choices would otherwise tell staff who enrolled before
    the opening; the services that record a result check `lot_participant_require` again.
    """
    if lot.tender.procedure.bidder_list_secret and not lot_passed_bidding(lot):
        return Organisation.objects.none()
    return lot_participants(lot)


def lot_participant_require(lot: Lot, organisation: Organisation, field: str) -> None:
    """Refuse an organisation that does not take part in `lot` (a verified bidder otherwise)."""
    if organisation.kind != OrganisationKind.BIDDER or not organisation.is_verified:
        raise ValidationError({field: _("须为已核验的投标人。")}, code="not_bidder")
    if not lot_participants(lot).filter(pk=organisation.pk).exists():
        raise ValidationError(
            {
                field: _("%(name)s 未报名参加本标段，不能列为候选人、竞得人或谈判方。")
                % {"name": organisation.name}
            },
            code="not_participant",
        )


def lot_participants_enrol(lot: Lot, organisations: Sequence[Organisation], now: datetime) -> None:
    """The demo and training scenarios enrol their demo bidders (nothing to do without bidding)."""
    if _REGISTRY.enrol is not None:
        _REGISTRY.enrol(lot, organisations, now)
