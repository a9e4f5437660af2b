"""The center's answers to a registration short of verifying it, and the applicant's resubmission.

Verification itself is `organisation_verify`; a registration may instead be returned for
correction (the applicant corrects it and resubmits) or refused. Either way the applicant is told
why, and the reason stays on its own pages until it resubmits (电子招标投标办法 第24条).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.lock_objects import lock_organisation
from trading.models import Organisation, Region, User
from trading.models.parties import OrganisationKindChoices, ReviewDecision
from trading.selectors.grants import may_verify_organisations, verifier_list
from trading.services.ledger import ledger_append
from trading.services.notifications import notification_send
from trading.services.organisations import PLATFORM_SCOPE, licence_check, licence_name
from trading.translatable import Message

REASON_MAX = 1000


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写理由，申请人将看到它。")}, code="reason")
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("理由不能超过 %(n)s 字。") % {"n": REASON_MAX}}, code="reason_long"
        )
    return reason


def _check_reviewer(actor: User, organisation: Organisation) -> None:
    if organisation.kind in (OrganisationKindChoices.CENTER, OrganisationKindChoices.REGULATOR):
        raise PermissionDenied(_("交易中心和行政监督部门由平台管理员核验。"))
    if not may_verify_organisations(actor):
        raise PermissionDenied(_("只有交易中心的工作人员可以核验主体。"))


def _decide(
    *,
    organisation: Organisation,
    decision: ReviewDecision,
    reason: str,
    actor: User,
    clock: Clock | None,
) -> Organisation:
    _check_reviewer(actor, organisation)
    reason = _reason(reason)
    clock = clock or get_clock()
    with transaction.atomic():
        organisation = lock_organisation(organisation.pk)
        if organisation.is_verified or organisation.decision:
            raise ValidationError(_("只有等待核验的主体可以退回或不予核验。"), code="not_awaiting")
        now = clock()
        organisation.decision = decision.value
        organisation.decision_reason = reason
        organisation.decided_at = now
        organisation.decided_by = actor
        organisation.save(update_fields=["decision", "decision_reason", "decided_at", "decided_by"])
        if decision == ReviewDecision.RETURNED:
            title = gettext_noop("您的主体登记已退回补正")
            body = gettext_noop(
                "%(name)s 的登记被交易中心退回，理由：%(reason)s。请修改后重新提交。"
            )
        else:
            title = gettext_noop("您的主体登记不予核验")
            body = gettext_noop("%(name)s 的登记未通过交易中心核验，理由：%(reason)s。")
        notification_send(
            recipients=list(organisation.users.filter(is_active=True)),
            kind=f"organisation.{decision.value}",
            title=Message(title),
            body=Message(body, name=organisation.name, reason=reason),
            url=reverse("organisation_mine"),
            clock=fixed(now),
        )
        ledger_append(
            scope_key=PLATFORM_SCOPE,
            scope_kind="platform",
            action=f"organisation.{decision.value}",
            actor=actor,
            obj_type="organisation",
            obj_id=str(organisation.pk),
            payload={"reason": reason},
            clock=fixed(now),
        )
    return organisation


def fixed(moment: Any) -> Clock:
    return lambda: moment


def organisation_return(
    *, organisation: Organisation, reason: str, actor: User, clock: Clock | None = None
) -> Organisation:
    """Return a registration for correction, with the reason the applicant will read."""
    return _decide(
        organisation=organisation,
        decision=ReviewDecision.RETURNED,
        reason=reason,
        actor=actor,
        clock=clock,
    )


def organisation_refuse(
    *, organisation: Organisation, reason: str, actor: User, clock: Clock | None = None
) -> Organisation:
    """Refuse a registration for good (the licence is false, the entity is not who it says)."""
    return _decide(
        organisation=organisation,
        decision=ReviewDecision.REFUSED,
        reason=reason,
        actor=actor,
        clock=clock,
    )


def organisation_resubmit(
    *,
    organisation: Organisation,
    name: str,
    region: Region | None,
    contact_phone: str,
    licence: Any,
    actor: User,
    clock: Clock | None = None,
) -> Organisation:
    """The applicant's administrator corrects a returned registration and submits it again."""
    if actor.organisation_id != organisation.pk or not actor.is_organisation_admin:
        raise PermissionDenied(_("只有本主体的管理员可以重新提交登记。"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写主体名称。")}, code="name")
    if licence:
        licence_check(licence)
    clock = clock or get_clock()
    with transaction.atomic():
        organisation = lock_organisation(organisation.pk)
        if not organisation.is_returned:
            raise ValidationError(_("只有被退回的登记可以重新提交。"), code="not_returned")
        if not licence and not organisation.licence:
            raise ValidationError({"licence": _("请上传营业执照（PDF）。")}, code="licence_missing")
        now = clock()
        organisation.name = name
        organisation.region = region
        organisation.contact_phone = contact_phone
        organisation.decision = ""
        organisation.decision_reason = ""
        organisation.decided_at = None
        organisation.decided_by = None
        organisation.save(
            update_fields=[
                "name",
                "region",
                "contact_phone",
                "decision",
                "decision_reason",
                "decided_at",
                "decided_by",
            ]
        )
        ledger_append(
            scope_key=PLATFORM_SCOPE,
            scope_kind="platform",
            action="organisation.resubmitted",
            actor=actor,
            obj_type="organisation",
            obj_id=str(organisation.pk),
            payload={"name": name, "new_licence": bool(licence)},
            clock=fixed(now),
        )
        notification_send(
            recipients=list(verifier_list()),
            kind="organisation.resubmitted",
            title=Message(gettext_noop("主体重新提交核验：%(name)s"), name=organisation.name),
            body=Message(
                gettext_noop("%(name)s（%(uscc)s）已按退回意见修改登记，请重新核对。"),
                name=organisation.name,
                uscc=organisation.uscc,
            ),
            url=reverse("organisation_queue"),
            clock=fixed(now),
        )
        if licence:
            # Last, as at registration: a refused resubmission stores nothing.
            organisation.licence.save(licence_name(organisation), licence, save=True)
    return organisation
