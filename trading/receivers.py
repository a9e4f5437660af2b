"""Trading's own receivers of domain events (registered when the app is ready)."""

from __future__ import annotations

from trading.chronograph import register_due_work
from trading.events import receiver
from trading.models import OutboxEvent
from trading.services.lots import LOTS
from trading.services.notifications import MESSAGE_QUEUED, outbound_message_send

# Lots move by themselves at their times: opens_at → bidding, closes_at → opening or auction.
register_due_work(LOTS)


@receiver(MESSAGE_QUEUED, name="trading.message_send")
def message_send(event: OutboxEvent) -> None:
    """Hand a queued e-mail/SMS to the gateway; a gateway error makes the outbox retry it."""
    outbound_message_send(message_id=int(event.payload["message_id"]))
