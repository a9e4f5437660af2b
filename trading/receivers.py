"""Trading's own receivers of domain events (registered when the app is ready)."""

from __future__ import annotations

from trading.events import receiver
from trading.models import OutboxEvent
from trading.services.notifications import MESSAGE_QUEUED, outbound_message_send


@receiver(MESSAGE_QUEUED, name="trading.message_send")
def message_send(event: OutboxEvent) -> None:
    """Hand a queued e-mail/SMS to the gateway; a gateway error makes the outbox retry it."""
    outbound_message_send(message_id=int(event.payload["message_id"]))
