from bidding.models.auctions import (
    Auction,
    AuctionBid,
    AuctionDeclaration,
    AuctionKind,
    AuctionPhase,
    PlatformHeartbeat,
    PlatformOutage,
)
from bidding.models.deposits import (
    BankNonce,
    BankTransfer,
    BookEntry,
    DepositAccount,
    DepositDeadline,
    DepositRefund,
    Discrepancy,
    LocalBankMovement,
)
from bidding.models.enrolment import Enrolment, EnrolmentMember
from bidding.models.guarantees import Guarantee
from bidding.models.profile import OrganisationProfile
from bidding.models.refunds import Forfeiture, RefundDue
from bidding.models.rooms import Opening, OpeningAttendance, OpeningStage, RoomEvent, RoomHead
from bidding.models.sealed import BidChunk, BidFile, BidOutcome, BidStatus, LotKey, SealedBid
from bidding.models.vault import Certificate, CertificateKind

__all__ = [
    "Auction",
    "AuctionBid",
    "AuctionDeclaration",
    "AuctionKind",
    "AuctionPhase",
    "BankNonce",
    "BankTransfer",
    "BidChunk",
    "BidFile",
    "BidOutcome",
    "BidStatus",
    "BookEntry",
    "Certificate",
    "CertificateKind",
    "DepositAccount",
    "DepositDeadline",
    "DepositRefund",
    "Discrepancy",
    "Enrolment",
    "EnrolmentMember",
    "Forfeiture",
    "Guarantee",
    "LocalBankMovement",
    "LotKey",
    "Opening",
    "OpeningAttendance",
    "OpeningStage",
    "OrganisationProfile",
    "PlatformHeartbeat",
    "PlatformOutage",
    "RefundDue",
    "RoomEvent",
    "RoomHead",
    "SealedBid",
]
