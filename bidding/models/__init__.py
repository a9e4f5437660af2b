from bidding.models.enrolment import Enrolment, EnrolmentMember
from bidding.models.guarantees import Guarantee
from bidding.models.profile import OrganisationProfile
from bidding.models.refunds import Forfeiture, RefundDue
from bidding.models.vault import Certificate, CertificateKind

__all__ = [
    "Certificate",
    "CertificateKind",
    "Enrolment",
    "EnrolmentMember",
    "Forfeiture",
    "Guarantee",
    "OrganisationProfile",
    "RefundDue",
]
