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
from bidding.models.profile import OrganisationProfile

__all__ = [
    "BankNonce",
    "BankTransfer",
    "BookEntry",
    "DepositAccount",
    "DepositDeadline",
    "DepositRefund",
    "Discrepancy",
    "Enrolment",
    "EnrolmentMember",
    "LocalBankMovement",
    "OrganisationProfile",
]
