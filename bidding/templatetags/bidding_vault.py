"""The bidder's workspace shows whether its profile is complete and how its vault stands."""

from __future__ import annotations

from typing import Any

from django import template

from bidding.domain.vault import CertificateState
from bidding.selectors.vault import profile_get, profile_missing, vault_entries
from trading.clock import get_clock
from trading.domain.timeline import local_date
from trading.models import Organisation

register = template.Library()


@register.inclusion_tag("bidding/_vault_summary.html")
def vault_summary(organisation: Organisation) -> dict[str, Any]:
    entries = vault_entries(organisation.pk, local_date(get_clock()()))
    states = [entry.state for entry in entries]
    return {
        "missing": profile_missing(profile_get(organisation)),
        "usable": sum(s in (CertificateState.USABLE, CertificateState.EXPIRING) for s in states),
        "expiring": states.count(CertificateState.EXPIRING),
        "expired": states.count(CertificateState.EXPIRED),
    }
