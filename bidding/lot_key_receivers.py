"""The outbox receiver that gives a sealed-bid lot its sealing key when it is published."""

from __future__ import annotations

from bidding.services.lot_keys import lot_key_create
from trading.domain.lifecycle import LotStatus
from trading.events import receiver
from trading.models import Lot, OutboxEvent

# A lot takes bids from publication on; a key made later (lazily) would do, but bidders should
# find it ready.
_OPEN_FOR_BIDS = {LotStatus.PUBLISHED.value, LotStatus.BIDDING.value}


@receiver("lot.status_changed", name="bidding.lot_key_on_publication")
def lot_key_on_publication(event: OutboxEvent) -> None:
    """A sealed-bid lot just published gets its key pair (idempotent)."""
    if event.payload.get("to") not in _OPEN_FOR_BIDS:
        return
    lot = Lot.objects.select_related("tender__procedure").filter(pk=event.payload["lot"]).first()
    if lot is None or not lot.tender.procedure.sealed_bids:
        return
    lot_key_create(lot, event.occurred_at)
