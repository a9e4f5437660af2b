from bidding.models.enrolment import Enrolment, EnrolmentMember
from bidding.models.profile import OrganisationProfile
from bidding.models.vault import Certificate, CertificateKind

__all__ = [
    "Certificate",
    "CertificateKind",
    "Enrolment",
    "EnrolmentMember",
    "OrganisationProfile",
]
