"""Reads of the bidder's profile, users and certificate vault, and who may read them.

Only the organisation's own users see its profile and vault; center staff who verify
organisations read them (read-only) while checking a registration; anybody else may not learn
that they exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from bidding.domain.vault import CertificateState, certificate_state
from bidding.models import Certificate, OrganisationProfile
from trading.domain.employer import OrganisationKind
from trading.models import Organisation, User
from trading.selectors.access import acting_organisation_id
from trading.selectors.grants import may_verify_organisations

REQUIRED_PROFILE_FIELDS = (
    "legal_representative",
    "basic_account_bank",
    "basic_account_name",
    "basic_account_number",
    "contact_name",
    "contact_phone",
)

# --- access ------------------------------------------------------------------------------------


def access_bidder_organisation(user: User) -> Organisation:
    """The bidding organisation the user acts for (its profile, users, vault); 403 for others."""
    if acting_organisation_id(user) is None or user.organisation is None:
        raise PermissionDenied(_("此页面不属于您的角色。"))
    if user.organisation.kind != OrganisationKind.BIDDER:
        raise PermissionDenied(_("此页面不属于您的角色。"))
    return user.organisation


def access_bidder_admin(user: User) -> Organisation:
    """The user's bidding organisation, for its administrator only (403 for its other users)."""
    organisation = access_bidder_organisation(user)
    if not user.is_organisation_admin:
        raise PermissionDenied(_("只有本主体管理员可以执行此操作。"))
    return organisation


def _may_read(user: User, organisation: Organisation) -> bool:
    own = acting_organisation_id(user) == organisation.pk
    return own or may_verify_organisations(user)


def access_organisation_particulars(user: User, organisation_id: int) -> Organisation:
    """A bidder's profile and vault, read-only: its own users and the staff verifying it."""
    organisation = Organisation.objects.filter(
        pk=organisation_id, kind=OrganisationKind.BIDDER
    ).first()
    if organisation is None or not _may_read(user, organisation):
        raise Http404(_("没有找到该主体。"))
    return organisation


def access_certificate_file(user: User, certificate_id: int) -> Certificate:
    """A certificate's PDF, any version: its organisation's users and the verifying staff."""
    certificate = (
        Certificate.objects.select_related("organisation").filter(pk=certificate_id).first()
    )
    if certificate is None or not _may_read(user, certificate.organisation):
        raise Http404(_("没有找到该证书。"))
    return certificate


def access_certificate(user: User, certificate_id: int) -> Certificate:
    """A certificate of the user's own organisation, to replace or retire it."""
    organisation = access_bidder_organisation(user)
    certificate = (
        Certificate.objects.select_related("organisation")
        .filter(pk=certificate_id, organisation=organisation)
        .first()
    )
    if certificate is None:
        raise Http404(_("没有找到该证书。"))
    return certificate


def access_organisation_member(user: User, member_id: int) -> User:
    """An account of the administrator's own organisation (to remove it)."""
    organisation = access_bidder_organisation(user)
    member = User.objects.filter(pk=member_id, organisation=organisation).first()
    if member is None:
        raise Http404(_("没有找到该用户。"))
    if not user.is_organisation_admin:
        raise PermissionDenied(_("只有本主体管理员可以管理本主体的用户。"))
    return member


# --- the profile -------------------------------------------------------------------------------


def profile_get(organisation: Organisation) -> OrganisationProfile:
    """The organisation's profile; an unsaved empty one until its administrator fills it in."""
    found = OrganisationProfile.objects.filter(organisation=organisation).first()
    return found or OrganisationProfile(organisation=organisation)


def profile_missing(profile: OrganisationProfile) -> list[str]:
    """The verbose names of what an enrolment needs and the profile lacks."""
    meta = OrganisationProfile._meta
    return [
        str(getattr(meta.get_field(field), "verbose_name", field))
        for field in REQUIRED_PROFILE_FIELDS
        if not getattr(profile, field)
    ]


def member_list(organisation: Organisation) -> QuerySet[User]:
    """The organisation's accounts, active first."""
    return organisation.users.order_by("-is_active", "-is_organisation_admin", "username")


# --- the vault ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VaultEntry:
    certificate: Certificate
    state: CertificateState
    history: list[Certificate]


def state_on(certificate: Certificate, on_date: date) -> CertificateState:
    return certificate_state(
        expires_on=certificate.expires_on,
        on=on_date,
        replaced=certificate.replaced_at is not None,
        retired=certificate.retired_at is not None,
    )


def certificate_list_current(organisation_id: int) -> QuerySet[Certificate]:
    """The current version of every certificate the organisation has not retired."""
    return Certificate.objects.filter(
        organisation_id=organisation_id, replaced_at__isnull=True, retired_at__isnull=True
    ).order_by("kind", "name", "pk")


def certificate_list_usable(organisation_id: int, on_date: date) -> QuerySet[Certificate]:
    """The certificates a bid may use on `on_date`: current, and valid through that day."""
    return certificate_list_current(organisation_id).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on_date)
    )


def certificate_check_usable(certificate: Certificate, on_date: date) -> Certificate:
    """The certificate if a bid may use it on `on_date`; otherwise a refusal saying why."""
    state = state_on(certificate, on_date)
    if state == CertificateState.EXPIRED and certificate.expires_on is not None:
        raise ValidationError(
            _("证书“%(name)s”（编号 %(number)s）已于 %(day)s 过期，不能使用。")
            % {
                "name": certificate.name,
                "number": certificate.number,
                "day": certificate.expires_on.isoformat(),
            },
            code="certificate_expired",
        )
    if state in (CertificateState.REPLACED, CertificateState.RETIRED):
        raise ValidationError(
            _("证书“%(name)s”（编号 %(number)s）已被替换或停用，不能使用。")
            % {"name": certificate.name, "number": certificate.number},
            code="certificate_not_current",
        )
    return certificate


def vault_entries(organisation_id: int, on_date: date) -> list[VaultEntry]:
    """The vault page: each current certificate, where it stands, and its earlier versions."""
    entries = []
    for certificate in certificate_list_current(organisation_id).select_related("previous"):
        history = []
        previous = certificate.previous
        while previous is not None:
            history.append(previous)
            previous = previous.previous
        entries.append(VaultEntry(certificate, state_on(certificate, on_date), history))
    return entries


def certificate_list_retired(organisation_id: int) -> QuerySet[Certificate]:
    return Certificate.objects.filter(
        organisation_id=organisation_id, retired_at__isnull=False
    ).order_by("-retired_at")
