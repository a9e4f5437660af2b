from trading.models.clock import ClockSetting
from trading.models.complaints import (
    Complaint,
    ComplaintAttachment,
    ComplaintExtension,
    ComplaintStatement,
)
from trading.models.events import EventDelivery, OutboxEvent
from trading.models.ledger import LedgerCheckpoint, LedgerEntry, LedgerScope
from trading.models.lights import LotLight
from trading.models.negotiations import NegotiationRecord
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
from trading.models.rules import CalendarDay, TimelineRule
from trading.models.tenders import (
    Award,
    Candidate,
    Contract,
    DocumentDownload,
    Hold,
    Lot,
    Objection,
    Project,
    Question,
    Tender,
    TenderDocument,
)

__all__ = [
    "Award",
    "BusinessType",
    "CalendarDay",
    "Candidate",
    "ClockSetting",
    "Complaint",
    "ComplaintAttachment",
    "ComplaintExtension",
    "ComplaintStatement",
    "Contract",
    "Desk",
    "DocumentDownload",
    "EventDelivery",
    "Hold",
    "Industry",
    "Jurisdiction",
    "LedgerCheckpoint",
    "LedgerEntry",
    "LedgerScope",
    "Lot",
    "LotLight",
    "NegotiationRecord",
    "Notification",
    "Objection",
    "Organisation",
    "OutboundMessage",
    "OutboxEvent",
    "Procedure",
    "ProcedureFamily",
    "Project",
    "Question",
    "Region",
    "Tender",
    "TenderDocument",
    "TimelineRule",
    "User",
]
