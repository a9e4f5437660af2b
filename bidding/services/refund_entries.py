"""bdrefunds: deposit entries in the lot's sealed ledger chain (DESIGN.md invariant 6)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bidding.models import Enrolment
from trading.models.ledger import ScopeKind
from trading.selectors.tenders import sealed_scope_key
from trading.services.ledger import ledger_append

__all__ = ["deposit_entry"]


def deposit_entry(
    lot_id: int, action: str, enrolment: Enrolment, payload: dict[str, Any], now: datetime
) -> None:
    """One fact about a deposit (a guarantee, a refund, a forfeiture) in the lot's sealed chain,
    named by bidder number: shown to no one before the opening (法 第22条)."""
    ledger_append(
        scope_key=sealed_scope_key(lot_id),
        scope_kind=ScopeKind.SEALED_LOT,
        sealed=True,
        action=action,
        actor=None,
        obj_type="enrolment",
        obj_id=str(enrolment.pk),
        payload={"lot": lot_id, "bidder_number": enrolment.bidder_number, **payload},
        clock=lambda: now,
    )
