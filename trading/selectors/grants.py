"""Who may operate which desk and supervise which jurisdiction, and the access chokepoints."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from trading.domain.employer import Grant, OrganisationKind
from trading.models import Desk, Jurisdiction, User


def desk_list_operated_by(user: User) -> QuerySet[Desk]:
    """Desks the user holds operate_desk on; superuser status grants nothing (DESIGN.md §3)."""
    if not user.is_authenticated or not user.is_active:
        return Desk.objects.none()
    return get_objects_for_user(
        user,
        f"trading.{Grant.OPERATE_DESK.value}",
        klass=Desk.objects.select_related("region", "business_type"),
        with_superuser=False,
        accept_global_perms=False,
    )


def jurisdiction_list_supervised_by(user: User) -> QuerySet[Jurisdiction]:
    if not user.is_authenticated or not user.is_active:
        return Jurisdiction.objects.none()
    return get_objects_for_user(
        user,
        f"trading.{Grant.SUPERVISE_JURISDICTION.value}",
        klass=Jurisdiction.objects.prefetch_related("regions", "business_types", "industries"),
        with_superuser=False,
        accept_global_perms=False,
    )


def access_desk(user: User, desk_id: int) -> Desk:
    """The desk if the user operates it; 404 otherwise, so its existence is not revealed."""
    desk = desk_list_operated_by(user).filter(pk=desk_id).first()
    if desk is None:
        raise Http404
    return desk


def access_jurisdiction(user: User, jurisdiction_id: int) -> Jurisdiction:
    jurisdiction = jurisdiction_list_supervised_by(user).filter(pk=jurisdiction_id).first()
    if jurisdiction is None:
        raise Http404
    return jurisdiction


def is_center_admin(user: User) -> bool:
    """The trading center's own administrator (主体管理员 of a center organisation)."""
    return (
        user.is_authenticated
        and user.is_active
        and not user.is_superuser
        and user.organisation_kind == OrganisationKind.CENTER
        and user.is_organisation_admin
    )


def may_verify_organisations(user: User) -> bool:
    """Center users who operate a desk, and the center's administrator, check registrations."""
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return False
    if user.organisation_kind != OrganisationKind.CENTER:
        return False
    return user.is_organisation_admin or desk_list_operated_by(user).exists()


def verifier_list() -> QuerySet[User]:
    """Who is told of a new or resubmitted registration: every user who may verify it."""
    return (
        User.objects.filter(is_active=True, organisation__kind=OrganisationKind.CENTER)
        .filter(
            Q(is_organisation_admin=True)
            | Q(userobjectpermission__permission__codename=Grant.OPERATE_DESK.value)
        )
        .distinct()
        .order_by("pk")
    )
