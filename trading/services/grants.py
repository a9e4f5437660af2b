"""Operating and supervising grants: 管办分离 by employer (DESIGN.md invariant 5)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm

from trading.clock import Clock
from trading.domain.employer import Grant, GrantRefused, check_grant
from trading.lock_objects import lock_organisation, lock_user
from trading.models import Desk, Jurisdiction, User
from trading.services.ledger import ledger_append

PLATFORM_SCOPE = "platform"


def _refusal_message(reason: str) -> str:
    return {
        "wrong_employer": _(
            "管办分离：交易科室的操作权限只能授予交易中心的工作人员，监管范围的监督权限只能授予行政监督部门的工作人员。"
        ),
        "no_organisation": _("该用户不属于任何主体，不能授予交易权限。"),
        "wrong_target": _("该权限不能授予在此对象上。"),
        "unknown_grant": _("未知的权限。"),
        "wrong_regulator": _("只能授予本部门监管范围的监督权限。"),
        "unverified": _("该用户所属主体尚未通过核验。"),
    }[reason]


def _grant_for(target: Desk | Jurisdiction) -> Grant:
    return Grant.OPERATE_DESK if isinstance(target, Desk) else Grant.SUPERVISE_JURISDICTION


def grant_check(*, user: User, target: Desk | Jurisdiction) -> None:
    """Raise ValidationError naming why a grant would break 管办分离; return if it would not."""
    grant = _grant_for(target)
    label = f"trading.{type(target).__name__.lower()}"
    kind = user.organisation.kind if user.organisation_id else None  # type: ignore[union-attr]
    try:
        check_grant(grant=grant.value, target=label, holder_kind=kind)
    except GrantRefused as refused:
        raise ValidationError(_refusal_message(refused.reason), code=refused.reason) from None
    if isinstance(target, Jurisdiction) and target.regulator_id != user.organisation_id:
        raise ValidationError(_refusal_message("wrong_regulator"), code="wrong_regulator")
    if not user.organisation.is_verified:  # type: ignore[union-attr]
        raise ValidationError(_refusal_message("unverified"), code="unverified")


def _check_actor(*, actor: User, user: User) -> None:
    # Accounts are managed by the platform administrator or the employer's own administrator;
    # neither role gains any power over transactions by it.
    if actor.is_superuser:
        return
    if actor.is_organisation_admin and actor.organisation_id == user.organisation_id:
        return
    raise PermissionDenied(_("只有平台管理员或本主体管理员可以管理权限。"))


def grant_assign(
    *, user: User, target: Desk | Jurisdiction, actor: User, clock: Clock | None = None
) -> None:
    """Give a center user a desk, or a regulator's user a jurisdiction (管办分离)."""
    _check_actor(actor=actor, user=user)
    with transaction.atomic():
        if user.organisation_id:
            lock_organisation(user.organisation_id)
        user = lock_user(user.pk)
        grant_check(user=user, target=target)
        grant = _grant_for(target)
        assign_perm(f"trading.{grant.value}", user, target)
        ledger_append(
            scope_key=PLATFORM_SCOPE,
            scope_kind="platform",
            action="grant.assigned",
            actor=actor,
            obj_type=type(target).__name__.lower(),
            obj_id=str(target.pk),
            payload={"grant": grant.value, "user": user.pk, "username": user.username},
            clock=clock,
        )


def grant_revoke(
    *, user: User, target: Desk | Jurisdiction, actor: User, clock: Clock | None = None
) -> None:
    """Take a desk or a jurisdiction away from a user."""
    _check_actor(actor=actor, user=user)
    with transaction.atomic():
        user = lock_user(user.pk)
        grant = _grant_for(target)
        held = UserObjectPermission.objects.filter(
            user=user,
            permission__codename=grant.value,
            content_type=ContentType.objects.get_for_model(target),
            object_pk=str(target.pk),
        )
        if not held.exists():
            raise ValidationError(_("该用户没有这项权限，无需撤销。"), code="not_held")
        remove_perm(f"trading.{grant.value}", user, target)
        ledger_append(
            scope_key=PLATFORM_SCOPE,
            scope_kind="platform",
            action="grant.revoked",
            actor=actor,
            obj_type=type(target).__name__.lower(),
            obj_id=str(target.pk),
            payload={"grant": grant.value, "user": user.pk, "username": user.username},
            clock=clock,
        )
