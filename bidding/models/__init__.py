from bidding.models.enrolment import Enrolment, EnrolmentMember
from bidding.models.profile import OrganisationProfile

__all__ = ["Enrolment", "EnrolmentMember", "OrganisationProfile"]
