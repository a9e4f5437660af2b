"""Trading's own receivers of domain events (registered when the app is ready)."""

from __future__ import annotations

from datetime import datetime

from trading.chronograph import register_due_work
from trading.events import receiver
from trading.models import OutboxEvent
from trading.services.awards import award_letter_issue
from trading.services.lots import LOTS
from trading.services.notifications import MESSAGE_QUEUED, outbound_message_send
from trading.services.publicity import lot_publicity_open
from trading.services.training import TRAINING, TRAINING_REVIEW

# Lots move by themselves at their times: opens_at → bidding, closes_at → opening or auction.
register_due_work(LOTS)
# Training lots are moved on by the scenario's demo actors, or closed when they cannot move.
register_due_work(TRAINING)
register_due_work(TRAINING_REVIEW)


@receiver("award.letter_published", name="trading.award_letter")
def award_letter(event: OutboxEvent) -> None:
    """The award letter's PDF is public: the letter is issued and the contract's 30 日 run."""
    award_letter_issue(
        lot_id=int(event.payload["lot"]),
        issued_at=datetime.fromisoformat(str(event.payload["published_at"])),
        verification_code=str(event.payload.get("code", "")),
    )


@receiver("notice.published", name="trading.publicity")
def publicity(event: OutboxEvent) -> None:
    """A lot's notice is public: the period it opens runs from now (实施条例 第54条)."""
    lot_publicity_open(
        lot_id=int(event.payload["lot"]),
        notice_kind=str(event.payload["kind"]),
        published_at=datetime.fromisoformat(str(event.payload["published_at"])),
    )


@receiver(MESSAGE_QUEUED, name="trading.message_send")
def message_send(event: OutboxEvent) -> None:
    """Hand a queued e-mail/SMS to the gateway; a gateway error makes the outbox retry it."""
    outbound_message_send(message_id=int(event.payload["message_id"]))
