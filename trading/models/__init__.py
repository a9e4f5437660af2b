from trading.models.clock import ClockSetting
from trading.models.events import EventDelivery, OutboxEvent
from trading.models.ledger import LedgerCheckpoint, LedgerEntry, LedgerScope
from trading.models.notifications import Notification, OutboundMessage
from trading.models.parties import Organisation, User
from trading.models.reference import (
    BusinessType,
    Desk,
    Industry,
    Jurisdiction,
    Procedure,
    ProcedureFamily,
    Region,
)

__all__ = [
    "BusinessType",
    "ClockSetting",
    "Desk",
    "EventDelivery",
    "Industry",
    "Jurisdiction",
    "LedgerCheckpoint",
    "LedgerEntry",
    "LedgerScope",
    "Notification",
    "Organisation",
    "OutboundMessage",
    "OutboxEvent",
    "Procedure",
    "ProcedureFamily",
    "Region",
    "User",
]
