"""Organisations (主体): registration and verification before they can act."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.domain import uscc
from trading.lock_objects import lock_organisation
from trading.models import Organisation, Region, User
from trading.models.parties import USCC_ERRORS, OrganisationKindChoices, VerificationMethod
from trading.selectors.grants import may_verify_organisations, verifier_list
from trading.services.documents import check_pdf
from trading.services.ledger import ledger_append
from trading.services.notifications import notification_send
from trading.translatable import Message

PLATFORM_SCOPE = "platform"


@dataclass(frozen=True)
class IdentityCheck:
    """What an identity source says of an organisation: confirmed, and by which method."""

    confirmed: bool
    method: str
    reference: str = ""
    reason: str = ""


class IdentityVerifier(Protocol):
    """Adapter for 电子营业执照 / CA verification; staff checking by hand is the local one."""

    method: str

    def check(self, *, name: str, uscc: str) -> IdentityCheck: ...


class StaffVerifier:
    """Center staff compare the registration with the paper or scanned licence themselves."""

    method = VerificationMethod.STAFF.value

    def check(self, *, name: str, uscc: str) -> IdentityCheck:
        return IdentityCheck(confirmed=True, method=self.method)


def organisation_register(
    *,
    name: str,
    kind: str,
    uscc_code: str,
    region: Region | None = None,
    contact_phone: str = "",
    actor: User | None = None,
    clock: Clock | None = None,
) -> Organisation:
    """Register an organisation; it awaits verification before any of its users can act."""
    try:
        code = uscc.validate(uscc_code)
    except uscc.InvalidUSCC as exc:
        raise ValidationError(
            {"uscc": USCC_ERRORS[exc.reason]}, code=f"uscc_{exc.reason}"
        ) from None
    if kind not in OrganisationKindChoices.values:
        raise ValidationError({"kind": _("未知的主体类型。")}, code="kind")
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写主体名称。")}, code="name")
    clock = clock or get_clock()
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                name=name,
                kind=kind,
                uscc=code,
                region=region,
                contact_phone=contact_phone,
                registered_at=clock(),
            )
            ledger_append(
                scope_key=PLATFORM_SCOPE,
                scope_kind="platform",
                action="organisation.registered",
                actor=actor,
                obj_type="organisation",
                obj_id=str(organisation.pk),
                payload={"name": name, "kind": kind, "uscc": code},
                clock=clock,
            )
    except IntegrityError:
        if Organisation.objects.filter(uscc=code).exists():
            raise ValidationError(
                {"uscc": _("该统一社会信用代码已登记，请勿重复注册。")}, code="uscc_taken"
            ) from None
        raise
    return organisation


def organisation_verify(
    *,
    organisation: Organisation,
    actor: User,
    verifier: IdentityVerifier | None = None,
    clock: Clock | None = None,
) -> Organisation:
    """Center staff (or a CA adapter) confirm an organisation before it can act."""
    if organisation.kind in (OrganisationKindChoices.CENTER, OrganisationKindChoices.REGULATOR):
        # The center and the regulators are set up with the platform, by its administrator.
        if not actor.is_superuser:
            raise PermissionDenied(_("交易中心和行政监督部门由平台管理员核验。"))
    elif not may_verify_organisations(actor):
        raise PermissionDenied(_("只有交易中心的工作人员可以核验主体。"))
    verifier = verifier or StaffVerifier()
    with transaction.atomic():
        organisation = lock_organisation(organisation.pk)
        if organisation.is_verified:
            return organisation
        if organisation.decision:
            # A returned registration waits for the applicant; a refused one is final.
            raise ValidationError(
                _("该主体的登记已被退回或不予核验，不能直接核验。"), code="decided"
            )
        result = verifier.check(name=organisation.name, uscc=organisation.uscc)
        if not result.confirmed:
            raise ValidationError(
                _("核验未通过：%(reason)s") % {"reason": result.reason}, code="not_confirmed"
            )
        clock = clock or get_clock()
        organisation.verified_at = clock()
        organisation.verified_by = actor
        organisation.verification_method = result.method
        organisation.save(update_fields=["verified_at", "verified_by", "verification_method"])
        notification_send(
            recipients=list(organisation.users.filter(is_active=True)),
            kind="organisation.verified",
            title=Message(gettext_noop("您的主体已通过核验")),
            body=Message(
                gettext_noop("%(name)s 已通过交易中心核验，现在可以参与交易。"),
                name=organisation.name,
            ),
            clock=clock,
        )
        ledger_append(
            scope_key=PLATFORM_SCOPE,
            scope_kind="platform",
            action="organisation.verified",
            actor=actor,
            obj_type="organisation",
            obj_id=str(organisation.pk),
            payload={"method": result.method, "reference": result.reference},
            clock=clock,
        )
    return organisation


def licence_check(licence: Any) -> None:
    """The business licence: a PDF (by its first bytes, not its name) within the size limit."""
    if not licence:
        raise ValidationError({"licence": _("请上传营业执照（PDF）。")}, code="licence_missing")
    check_pdf(licence, field="licence", limit=settings.BUSINESS_LICENCE_MAX_BYTES)


def licence_name(organisation: Organisation) -> str:
    # The uploaded name is the applicant's: store under the code instead.
    return f"{organisation.uscc}.pdf"


def user_create(
    *,
    organisation: Organisation,
    username: str,
    password: str | None,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    is_organisation_admin: bool = False,
) -> User:
    """An account of one organisation (a user belongs to exactly one); without a password (None)
    nobody can sign in to it until one is set."""
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("该用户名已被使用。")}, code="username_taken")
    user = User(
        organisation=organisation,
        username=username,
        first_name=display_name,
        email=email,
        phone=phone,
        is_organisation_admin=is_organisation_admin,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    return user


# Who may register online; the center, regulators and the expert pool are set up by the platform.
SELF_REGISTERING_KINDS = (
    OrganisationKindChoices.BIDDER,
    OrganisationKindChoices.OWNER,
    OrganisationKindChoices.AGENCY,
)


def registration_submit(
    *,
    name: str,
    kind: str,
    uscc_code: str,
    region: Region | None,
    contact_phone: str,
    username: str,
    password: str,
    email: str,
    phone: str,
    licence: Any,
    clock: Clock | None = None,
) -> User:
    """An organisation registers itself with its first administrator and its business licence;
    staff verify it later (电子招标投标办法 第24条: 交易平台 verifies who takes part)."""
    if kind not in SELF_REGISTERING_KINDS:
        raise ValidationError({"kind": _("该类主体不能在线注册，请联系交易中心。")}, code="kind")
    licence_check(licence)
    candidate = User(username=username, email=email, first_name=name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as refused:
        raise ValidationError({"password": refused.messages}, code="password") from None
    with transaction.atomic():
        organisation = organisation_register(
            name=name,
            kind=kind,
            uscc_code=uscc_code,
            region=region,
            contact_phone=contact_phone,
            clock=clock,
        )
        user = user_create(
            organisation=organisation,
            username=username,
            password=password,
            email=email,
            phone=phone,
            is_organisation_admin=True,
        )
        # Stored last, once every row is in: a refused registration leaves no file behind.
        organisation.licence.save(licence_name(organisation), licence, save=True)
        notification_send(
            recipients=list(verifier_list()),
            kind="organisation.registered",
            title=Message(gettext_noop("新主体待核验：%(name)s"), name=organisation.name),
            body=Message(
                gettext_noop("%(name)s（%(uscc)s）已在线注册，请核对营业执照后予以核验。"),
                name=organisation.name,
                uscc=organisation.uscc,
            ),
            url=reverse("organisation_queue"),
            clock=clock,
        )
    return user


# --- several users per organisation (issue 11): the organisation administrator's writers ---------


def _organisation_admin_of(actor: User, organisation: Organisation) -> None:
    if not (
        actor.is_active and actor.is_organisation_admin and actor.organisation_id == organisation.pk
    ):
        raise PermissionDenied(_("只有本主体管理员可以管理本主体的用户。"))


def organisation_user_invite(
    *,
    organisation: Organisation,
    actor: User,
    username: str,
    display_name: str,
    email: str = "",
    phone: str = "",
    is_organisation_admin: bool = False,
    clock: Clock | None = None,
) -> User:
    """The organisation administrator adds an account of its organisation, without a password:
    the invitee chooses one through a one-time link (see organisation_user_accept)."""
    _organisation_admin_of(actor, organisation)
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("请填写用户名。")}, code="username")
    if not (email or phone):
        raise ValidationError(
            _("请填写电子邮箱或手机号，邀请链接将发送到这里。"), code="no_address"
        )
    clock = clock or get_clock()
    with transaction.atomic():
        lock_organisation(organisation.pk)
        user = user_create(
            organisation=organisation,
            username=username,
            password=None,
            display_name=display_name.strip(),
            email=email,
            phone=phone,
            is_organisation_admin=is_organisation_admin,
        )
        ledger_append(
            scope_key=PLATFORM_SCOPE,
            scope_kind="platform",
            action="organisation.user_invited",
            actor=actor,
            obj_type="user",
            obj_id=str(user.pk),
            payload={
                "organisation": organisation.pk,
                "username": username,
                "organisation_admin": is_organisation_admin,
            },
            clock=clock,
        )
    return user


def organisation_user_accept(*, user: User, password: str, clock: Clock | None = None) -> User:
    """An invitee sets the password of its account (the link that brought it is then spent)."""
    if not user.is_active or user.has_usable_password():
        raise PermissionDenied(_("该邀请链接已失效。"))
    try:
        validate_password(password, user=user)
    except ValidationError as refused:
        raise ValidationError({"password": refused.messages}, code="password") from None
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        ledger_append(
            scope_key=PLATFORM_SCOPE,
            scope_kind="platform",
            action="organisation.user_joined",
            actor=user,
            obj_type="user",
            obj_id=str(user.pk),
            payload={"organisation": user.organisation_id},
            clock=clock,
        )
    return user


def organisation_user_remove(*, user: User, actor: User, clock: Clock | None = None) -> User:
    """The organisation administrator removes an account: it can no longer sign in or act.

    The organisation keeps at least one administrator, so the last one cannot remove itself.
    """
    organisation = user.organisation
    if organisation is None:
        raise PermissionDenied(_("只有本主体管理员可以管理本主体的用户。"))
    _organisation_admin_of(actor, organisation)
    with transaction.atomic():
        # Under the organisation's lock two administrators removing each other at once are
        # ordered: the second finds itself the last one.
        lock_organisation(organisation.pk)
        # The actor may itself have been removed while it waited for the lock.
        if not organisation.users.filter(
            pk=actor.pk, is_active=True, is_organisation_admin=True
        ).exists():
            raise PermissionDenied(_("只有本主体管理员可以管理本主体的用户。"))
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            return locked
        if locked.is_organisation_admin:
            others = organisation.users.filter(is_active=True, is_organisation_admin=True).exclude(
                pk=locked.pk
            )
            if not others.exists():
                raise ValidationError(
                    _("不能移除本主体唯一的管理员，请先邀请另一位管理员。"), code="last_admin"
                )
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        ledger_append(
            scope_key=PLATFORM_SCOPE,
            scope_kind="platform",
            action="organisation.user_removed",
            actor=actor,
            obj_type="user",
            obj_id=str(locked.pk),
            payload={"organisation": organisation.pk, "username": locked.username},
            clock=clock,
        )
    return locked
