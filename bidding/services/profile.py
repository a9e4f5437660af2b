"""The bidder's profile: its legal representative, basic account and contacts, kept by its
administrator and read in every enrolment."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bidding.domain.vault import (
    InvalidAccountNumber,
    account_name_matches,
    account_number_normalise,
)
from bidding.models import OrganisationProfile
from trading.clock import Clock, get_clock
from trading.lock_objects import lock_organisation
from trading.models import Organisation, User
from trading.services.ledger import ledger_append
from trading.services.organisations import PLATFORM_SCOPE

ACCOUNT_ERRORS = {
    "missing": gettext_lazy("请填写基本存款账户账号。"),
    "characters": gettext_lazy("账号只能由数字组成（可用空格分组）。"),
    "length": gettext_lazy("账号应为9至30位数字，请核对开户许可证或基本存款账户信息。"),
}


def _required(value: str, field: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationError({field: message}, code=f"{field}_missing")
    return value


def organisation_profile_update(
    *,
    organisation: Organisation,
    actor: User,
    legal_representative: str,
    basic_account_bank: str,
    basic_account_name: str,
    basic_account_number: str,
    contact_name: str,
    contact_phone: str,
    contact_email: str = "",
    clock: Clock | None = None,
) -> OrganisationProfile:
    """The organisation administrator records the profile; the basic account is checked first
    (招标投标法实施条例 第26条: a cash deposit counts only from this account)."""
    if not (
        actor.is_active and actor.is_organisation_admin and actor.organisation_id == organisation.pk
    ):
        raise PermissionDenied(_("只有本主体管理员可以修改主体信息。"))
    values = {
        "legal_representative": _required(
            legal_representative, "legal_representative", _("请填写法定代表人。")
        ),
        "basic_account_bank": _required(
            basic_account_bank, "basic_account_bank", _("请填写基本存款账户开户行。")
        ),
        "basic_account_name": _required(
            basic_account_name, "basic_account_name", _("请填写基本存款账户户名。")
        ),
        "contact_name": _required(contact_name, "contact_name", _("请填写联系人。")),
        "contact_phone": _required(contact_phone, "contact_phone", _("请填写联系电话。")),
        "contact_email": contact_email.strip(),
    }
    try:
        values["basic_account_number"] = account_number_normalise(basic_account_number)
    except InvalidAccountNumber as exc:
        raise ValidationError(
            {"basic_account_number": ACCOUNT_ERRORS[exc.reason]}, code=f"account_{exc.reason}"
        ) from None
    if values["contact_email"]:
        try:
            validate_email(values["contact_email"])
        except ValidationError:
            raise ValidationError(
                {"contact_email": _("请输入有效的电子邮箱。")}, code="email"
            ) from None
    clock = clock or get_clock()
    with transaction.atomic():
        organisation = lock_organisation(organisation.pk)
        # Checked under the lock: a resubmitted registration may have renamed the organisation.
        if not account_name_matches(values["basic_account_name"], organisation.name):
            raise ValidationError(
                {
                    "basic_account_name": _("基本存款账户户名必须与主体名称“%(name)s”一致。")
                    % {"name": organisation.name}
                },
                code="account_name",
            )
        profile, _created = OrganisationProfile.objects.select_for_update().get_or_create(
            organisation=organisation
        )
        before = {field: getattr(profile, field) for field in values}
        for field, value in values.items():
            setattr(profile, field, value)
        now = clock()
        profile.updated_at = now
        profile.save()
        ledger_append(
            scope_key=PLATFORM_SCOPE,
            scope_kind="platform",
            action="organisation.profile_updated",
            actor=actor,
            obj_type="organisation",
            obj_id=str(organisation.pk),
            payload={
                "changed": sorted(f for f, v in values.items() if before[f] != v),
                "basic_account_number": values["basic_account_number"],
            },
            clock=lambda: now,
        )
    return profile
