"""Organisations (主体) and their users."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BooleanField, Func, Q
from django.utils.translation import gettext_lazy as _

from trading.domain import uscc
from trading.domain.employer import OrganisationKind

USCC_ERRORS = {
    "length": _("统一社会信用代码应为18位。"),
    "character": _("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）。"),
    "region": _("统一社会信用代码第3–8位应为行政区划代码数字。"),
    "check": _("统一社会信用代码校验位不正确，请核对后重新输入。"),
}


def validate_uscc(value: str) -> None:
    """GB 32100-2015: length, character set, region digits and the check character."""
    try:
        uscc.validate(value)
    except uscc.InvalidUSCC as exc:
        raise ValidationError(USCC_ERRORS[exc.reason], code=f"uscc_{exc.reason}") from None


class USCCFormField(forms.CharField):
    """Hands the code on in its normal form, however it was typed (lower case, full width)."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return uscc.normalise(value) if isinstance(value, str) else value


class USCCField(models.CharField):
    """A 统一社会信用代码 column that only ever sees the normal form.

    Forms and full_clean() clean through to_python, and so does every value the ORM writes or
    looks up (CharField.get_prep_value); what bypasses the ORM meets the CHECK constraint.
    """

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return uscc.normalise(value) if isinstance(value, str) else value

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": USCCFormField, **kwargs})


class IsNormalUSCC(Func):
    """True when the column holds 18 GB 32100 code characters and nothing else: the normal form.

    The same test on both engines, written in each one's own pattern language: SQLite has GLOB
    but no regular expressions, PostgreSQL the reverse. Both are case-sensitive.
    """

    arity = 1
    output_field = BooleanField()
    _one = f"[{uscc.ALPHABET}]"
    template = f"%(expressions)s ~ '^{_one}{{{uscc.LENGTH}}}$'"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template=f"%(expressions)s GLOB '{self._one * uscc.LENGTH}'"
        )


class OrganisationKindChoices(models.TextChoices):
    CENTER = OrganisationKind.CENTER.value, _("交易中心")
    REGULATOR = OrganisationKind.REGULATOR.value, _("行政监督部门")
    OWNER = OrganisationKind.OWNER.value, _("招标人/采购人/出让人")
    AGENCY = OrganisationKind.AGENCY.value, _("代理机构")
    BIDDER = OrganisationKind.BIDDER.value, _("投标人/供应商/竞买人")
    EXPERT_POOL = OrganisationKind.EXPERT_POOL.value, _("评标专家库")


class VerificationMethod(models.TextChoices):
    STAFF = "staff", _("交易中心人工核验")
    BUSINESS_LICENCE = "e_licence", _("电子营业执照")
    CA = "ca", _("CA 数字证书")


class ReviewDecision(models.TextChoices):
    """The center's last answer to a registration that it did not verify."""

    RETURNED = "returned", _("退回补正")
    REFUSED = "refused", _("不予核验")


class Organisation(models.Model):
    """A legal entity; it can act on the platform once center staff (or a CA) verified it."""

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("主体类型"), max_length=20, choices=OrganisationKindChoices.choices)
    # Stored normalised (uscc.normalise), so the same organisation cannot register twice.
    uscc = USCCField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    region = models.ForeignKey(
        "trading.Region",
        verbose_name=_("所在市县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    registered_at = models.DateTimeField(_("登记时间"))
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        "trading.User",
        verbose_name=_("核验人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verification_method = models.CharField(
        _("核验方式"), max_length=20, choices=VerificationMethod.choices, blank=True
    )
    # The business licence (营业执照) as uploaded at registration or resubmission, a PDF.
    licence = models.FileField(_("营业执照"), upload_to="business-licences/%Y/%m/", blank=True)
    # The center's last answer short of verification, shown to the applicant until it resubmits.
    decision = models.CharField(
        _("核验结论"), max_length=10, choices=ReviewDecision.choices, blank=True
    )
    decision_reason = models.TextField(_("理由"), blank=True)
    decided_at = models.DateTimeField(_("作出时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "trading.User",
        verbose_name=_("作出人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("主体")
        verbose_name_plural = _("主体")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKindChoices.values), name="organisation_kind_known"
            ),
            models.CheckConstraint(condition=Q(uscc__length=18), name="organisation_uscc_length"),
            models.CheckConstraint(
                condition=IsNormalUSCC("uscc"), name="organisation_uscc_normalised"
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | ~Q(verification_method=""),
                name="organisation_verified_has_method",
            ),
            models.CheckConstraint(
                condition=Q(decision="")
                | (Q(decision__in=ReviewDecision.values) & ~Q(decision_reason="")),
                name="organisation_decision_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(decision="") | Q(verified_at__isnull=True),
                name="organisation_decision_unverified",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_returned(self) -> bool:
        return self.decision == ReviewDecision.RETURNED

    @property
    def is_refused(self) -> bool:
        return self.decision == ReviewDecision.REFUSED


class User(AbstractUser):
    """A person acting for exactly one organisation; platform administrators may have none."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    # Manages the organisation's own accounts; grants no power over transactions.
    is_organisation_admin = models.BooleanField(_("主体管理员"), default=False)
    # The language e-mail and SMS reach this person in; blank: the platform's (LANGUAGE_CODE).
    language = models.CharField(_("语言"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(is_superuser=True),
                name="user_belongs_to_organisation",
            ),
        ]

    @property
    def organisation_kind(self) -> str | None:
        return self.organisation.kind if self.organisation_id else None  # type: ignore[union-attr]
