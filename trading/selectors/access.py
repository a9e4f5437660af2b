"""Who may see and do what: every `access_<entity>` chokepoint, and the purposes they check.

A chokepoint returns the object (or the user's scope) or raises:
- `Http404` when the user may not know that the object exists (a tender of another owner, a
  draft, a lot outside a regulator's jurisdiction);
- `PermissionDenied` (403) when the user may see it but not act on it for that purpose (a
  regulator posting an owner's form), and for a console of another role (a bidder asking for the
  staff desks: the console is no secret, the user simply has no business there).

One condition per line, so a review can read who sees what. Superuser status grants nothing here:
platform administrators manage reference data, not transactions (DESIGN.md §3).
"""

from __future__ import annotations

import enum
from typing import cast

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from guardian.shortcuts import get_users_with_perms

from trading.domain.employer import Grant, OrganisationKind
from trading.domain.lifecycle import TenderStatus
from trading.models import (
    Desk,
    Jurisdiction,
    Lot,
    Objection,
    Organisation,
    Project,
    Tender,
    TenderDocument,
    User,
)
from trading.selectors.grants import (
    desk_list_operated_by,
    is_center_admin,
    jurisdiction_list_supervised_by,
    may_verify_organisations,
)


class Purpose(enum.StrEnum):
    """What a user wants to do with a tender, a lot or one of their documents."""

    # Read its pages.
    VIEW = "view"
    # Draft and decide as the owner (or its agency): documents, answers, award, contract.
    EDIT = "edit"
    # Run it as the desk's staff: review, publish, record openings and evaluations.
    OPERATE = "operate"
    # Supervise it as a regulator of its jurisdiction (管办分离).
    SUPERVISE = "supervise"


class Role(enum.StrEnum):
    """What the reader of a tender's pages is to it."""

    OWNER = "owner"
    STAFF = "staff"
    REGULATOR = "regulator"
    # The center's administrator reading a desk it does not operate: every page, no action.
    CENTER = "center"


# --- who is who -----------------------------------------------------------------------------


def acting_organisation_id(user: User) -> int | None:
    """The organisation a user acts for; None for the anonymous, inactive and superusers."""
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return None
    return user.organisation_id


def is_owner_side(user: User, project: Project) -> bool:
    """The owner (招标人) or its agency, acting through a verified organisation."""
    org_id = acting_organisation_id(user)
    if org_id is None or org_id not in (project.owner_id, project.agency_id):
        return False
    return user.organisation is not None and user.organisation.is_verified


def operates_desk(user: User, desk_id: int) -> bool:
    if acting_organisation_id(user) is None:
        return False
    return desk_list_operated_by(user).filter(pk=desk_id).exists()


def supervises(user: User, tender: Tender) -> bool:
    if acting_organisation_id(user) is None:
        return False
    project = tender.project
    return any(
        jurisdiction.covers(
            region=project.region, business_type=project.business_type, industry=project.industry
        )
        for jurisdiction in jurisdiction_list_supervised_by(user)
    )


def center_oversees(user: User, tender: Tender) -> bool:
    """The center's administrator reads every desk's submitted and published tenders."""
    return tender.status != TenderStatus.DRAFT and is_center_admin(user)


def _staff_sees(user: User, tender: Tender) -> bool:
    # An owner's draft is its own until it is submitted for review.
    return tender.status != TenderStatus.DRAFT or tender.drafted_by_id == user.pk


def may(user: User, tender: Tender, *, purpose: Purpose) -> bool:
    """Whether `user` may use `tender` for `purpose`."""
    purpose = Purpose(purpose)
    if acting_organisation_id(user) is None:
        return False
    owner_side = is_owner_side(user, tender.project)
    if purpose is Purpose.EDIT:
        # The owner drafts; desk staff may draft on an owner's behalf (a second one publishes).
        return owner_side or (
            tender.status == TenderStatus.DRAFT
            and tender.drafted_by_id == user.pk
            and operates_desk(user, tender.desk_id)
        )
    if purpose is Purpose.OPERATE:
        return operates_desk(user, tender.desk_id) and _staff_sees(user, tender)
    if purpose is Purpose.SUPERVISE:
        return tender.status != TenderStatus.DRAFT and supervises(user, tender)
    return (
        owner_side
        or (operates_desk(user, tender.desk_id) and _staff_sees(user, tender))
        or (tender.status != TenderStatus.DRAFT and supervises(user, tender))
        or center_oversees(user, tender)
    )


def project_role(user: User, project: Project) -> Role:
    """What a reader who may view one of the project's tenders is to it."""
    if user.organisation_id is not None and user.organisation_id in (
        project.owner_id,
        project.agency_id,
    ):
        return Role.OWNER
    if user.organisation_kind == OrganisationKind.CENTER:
        operates = desk_list_operated_by(user).filter(
            region_id=project.region_id, business_type_id=project.business_type_id
        )
        if user.is_organisation_admin and not operates.exists():
            return Role.CENTER
        return Role.STAFF
    return Role.REGULATOR


def owner_side_users(project: Project) -> list[User]:
    """Active users of the owner and its agency: who must answer, confirm and sign."""
    orgs = [org_id for org_id in (project.owner_id, project.agency_id) if org_id]
    return list(User.objects.filter(organisation_id__in=orgs, is_active=True).order_by("pk"))


def desk_staff_list(desk: Desk) -> list[User]:
    """Active center users who operate `desk` (who must review what is submitted to it)."""
    # Without attach_perms guardian returns a queryset of users.
    users: QuerySet[User] = cast(
        "QuerySet[User]",
        get_users_with_perms(
            desk, with_superusers=False, only_with_perms_in=[Grant.OPERATE_DESK.value]
        ),
    )
    return [
        user
        for user in users.order_by("pk")
        if user.is_active and user.organisation_kind == OrganisationKind.CENTER
    ]


# --- tenders, lots and what hangs off them ------------------------------------------------------


def tender_queryset() -> QuerySet[Tender]:
    """Tenders with everything an access check and a tender page read."""
    return Tender.objects.select_related(
        "project__region",
        "project__business_type",
        "project__industry",
        "project__owner",
        "project__agency",
        "procedure",
        "desk",
    )


def known_to(user: User, tender: Tender) -> bool:
    """Whether `user` may know that the tender exists: a published one is public (the portal
    lists it) to everyone signed in; before that, only those who may read it know of it."""
    if user.is_authenticated and tender.status == TenderStatus.PUBLISHED:
        return True
    return may(user, tender, purpose=Purpose.VIEW)


def _refuse(user: User, tender: Tender, purpose: Purpose, hidden: str) -> None:
    """404 for who may not know the tender; 403 for who knows it but may not use it so."""
    if may(user, tender, purpose=purpose):
        return
    if known_to(user, tender):
        raise PermissionDenied(_("您无权执行此操作。"))
    raise Http404(hidden)


def access_tender(user: User, tender_id: int, *, purpose: Purpose) -> Tender:
    """The tender if `user` may use it for `purpose`."""
    tender = tender_queryset().filter(pk=tender_id).first()
    if tender is None:
        raise Http404(_("没有找到该招标项目。"))
    _refuse(user, tender, purpose, _("没有找到该招标项目。"))
    return tender


def access_lot(user: User, lot_id: int, *, purpose: Purpose) -> Lot:
    """The lot if `user` may use its tender for `purpose`."""
    lot = (
        Lot.objects.select_related(
            "tender__project__region",
            "tender__project__business_type",
            "tender__project__industry",
            "tender__project__owner",
            "tender__project__agency",
            "tender__procedure",
            "tender__desk",
        )
        .filter(pk=lot_id)
        .first()
    )
    if lot is None:
        raise Http404(_("没有找到该标段。"))
    _refuse(user, lot.tender, purpose, _("没有找到该标段。"))
    return lot


def access_document(user: User, document_id: int, *, purpose: Purpose) -> TenderDocument:
    """A document of a tender the user may use for `purpose` (its own page's file)."""
    document = TenderDocument.objects.filter(pk=document_id).first()
    if document is None:
        raise Http404(_("没有找到该文件。"))
    access_tender(user, document.tender_id, purpose=purpose)
    return document


def access_objection(user: User, objection_id: int, *, purpose: Purpose) -> Objection:
    """An objection on a lot the user may use for `purpose`.

    Objections are not public, even on a published lot: only the bidder who raised one and who
    may read the lot's own pages may learn that it exists.
    """
    objection = Objection.objects.filter(pk=objection_id).select_related("lot__tender").first()
    if objection is None:
        raise Http404(_("没有找到该异议。"))
    raised_it = acting_organisation_id(user) == objection.raised_by_id
    if not raised_it and not may(user, objection.lot.tender, purpose=Purpose.VIEW):
        raise Http404(_("没有找到该异议。"))
    objection.lot = access_lot(user, objection.lot_id, purpose=purpose)
    return objection


def access_project(user: User, project_id: int) -> Project:
    """A project of the user's organisation, as its owner or its agency."""
    access_owner_console(user)
    org_id = acting_organisation_id(user)
    project = (
        Project.objects.filter(pk=project_id)
        .select_related("region", "business_type", "owner", "agency")
        .first()
    )
    if project is None or org_id not in (project.owner_id, project.agency_id):
        raise Http404(_("没有找到该项目。"))
    return project


# --- consoles -------------------------------------------------------------------------------


def _console_of(user: User, *kinds: OrganisationKind) -> None:
    if acting_organisation_id(user) is None or user.organisation_kind not in kinds:
        raise PermissionDenied(_("此页面不属于您的角色。"))


def access_owner_console(user: User) -> None:
    """Owners and agencies: their projects and tenders."""
    _console_of(user, OrganisationKind.OWNER, OrganisationKind.AGENCY)


def access_center(user: User) -> None:
    """Any user of the trading center, with or without a desk (the center's administrator)."""
    _console_of(user, OrganisationKind.CENTER)


def access_center_admin(user: User) -> None:
    """The trading center's administrator (主体管理员 of the center): the holiday table's editor."""
    access_center(user)
    if not user.is_organisation_admin:
        raise PermissionDenied(_("只有交易中心管理员可以使用此页面。"))


def access_desk_console(user: User) -> QuerySet[Desk]:
    """The desks of a trading-center user who operates at least one; 403 for anybody else."""
    access_center(user)
    desks = desk_list_operated_by(user)
    if not desks.exists():
        raise PermissionDenied(_("您尚未被分配交易科室，请联系交易中心管理员。"))
    return desks


def access_desk_oversight(user: User) -> bool:
    """A desk console's list, for who may act on it (False) or read it only (True): desk staff
    act on their desks; the center's administrator reads every desk; 403 for anybody else."""
    access_center(user)
    if desk_list_operated_by(user).exists():
        return False
    if user.is_organisation_admin:
        return True
    raise PermissionDenied(_("您尚未被分配交易科室，请联系交易中心管理员。"))


def access_supervisor(user: User) -> QuerySet[Jurisdiction]:
    """The jurisdictions of a regulator's user; 403 for anybody else (管办分离)."""
    _console_of(user, OrganisationKind.REGULATOR)
    return jurisdiction_list_supervised_by(user)


# --- organisations ------------------------------------------------------------------------------


def access_verification_queue(user: User) -> None:
    """Registrations to check: desk staff and the center's administrator; 403 for anybody else."""
    access_center(user)
    if not may_verify_organisations(user):
        raise PermissionDenied(_("您尚未被分配交易科室，请联系交易中心管理员。"))


def access_organisation_licence(user: User, organisation_id: int) -> Organisation:
    """An organisation's business licence: for those who check it and the organisation itself.

    Anybody else may not learn whether an organisation registered, so they get 404.
    """
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    own = organisation is not None and acting_organisation_id(user) == organisation.pk
    if organisation is None or not (own or may_verify_organisations(user)):
        raise Http404(_("没有找到该主体。"))
    if not organisation.licence:
        raise Http404(_("该主体没有上传营业执照。"))
    return organisation


def access_own_organisation(user: User) -> Organisation:
    """The organisation the user acts for (its registration page); 403 without one."""
    if acting_organisation_id(user) is None or user.organisation is None:
        raise PermissionDenied(_("此页面不属于您的角色。"))
    return user.organisation


def access_lot_for_supervision(user: User, lot_id: int) -> Lot:
    """A lot of the regulator's jurisdiction; 403 for non-regulators, 404 outside it (管办分离)."""
    access_supervisor(user)
    lot = (
        Lot.objects.select_related("tender__project", "tender__procedure", "tender__desk")
        .filter(pk=lot_id)
        .first()
    )
    if lot is None or not may(user, lot.tender, purpose=Purpose.SUPERVISE):
        raise Http404(_("没有找到该标段。"))
    return lot


def access_tender_for_supervision(user: User, tender_id: int) -> Tender:
    """A tender of the regulator's jurisdiction; 403 for non-regulators, 404 outside it."""
    access_supervisor(user)
    tender = tender_queryset().filter(pk=tender_id).first()
    if tender is None or not may(user, tender, purpose=Purpose.SUPERVISE):
        raise Http404(_("没有找到该招标项目。"))
    return tender
