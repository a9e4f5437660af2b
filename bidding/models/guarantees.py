"""Deposit guarantees (电子保函, 保证保险) given for an enrolment instead of cash."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bidding.domain.guarantees import GuaranteeKind, GuaranteeState


class GuaranteeKindChoice(models.TextChoices):
    BANK = GuaranteeKind.BANK.value, _("电子保函")
    INSURANCE = GuaranteeKind.INSURANCE.value, _("保证保险")


class GuaranteeStateChoice(models.TextChoices):
    APPLIED = GuaranteeState.APPLIED.value, _("已申请")
    ISSUED = GuaranteeState.ISSUED.value, _("已出具")
    VERIFIED = GuaranteeState.VERIFIED.value, _("已核验")
    REFUSED = GuaranteeState.REFUSED.value, _("未通过")
    CLAIMED = GuaranteeState.CLAIMED.value, _("已索赔")
    RELEASED = GuaranteeState.RELEASED.value, _("已解除")
    EXPIRED = GuaranteeState.EXPIRED.value, _("已失效")


class Guarantee(models.Model):
    """One guarantee applied for an enrolment; the issuer's number identifies it once issued."""

    enrolment = models.ForeignKey(
        "bidding.Enrolment",
        verbose_name=_("报名"),
        on_delete=models.PROTECT,
        related_name="guarantees",
    )
    kind = models.CharField(_("保函类型"), max_length=20, choices=GuaranteeKindChoice.choices)
    state = models.CharField(
        _("状态"),
        max_length=20,
        choices=GuaranteeStateChoice.choices,
        default=GuaranteeStateChoice.APPLIED,
    )
    # The issuer adapter that handles it (settings name the default one).
    issuer_code = models.CharField(_("出具机构代码"), max_length=40)
    issuer_name = models.CharField(_("出具机构"), max_length=200, blank=True)
    number = models.CharField(_("保函编号"), max_length=128, blank=True)
    amount = models.DecimalField(_("担保金额（元）"), max_digits=16, decimal_places=2)
    beneficiary_name = models.CharField(_("受益人"), max_length=200)
    beneficiary_uscc = models.CharField(_("受益人统一社会信用代码"), max_length=18)
    valid_until = models.DateTimeField(_("有效期至"), null=True, blank=True)
    applied_at = models.DateTimeField(_("申请时间"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("出具时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    refused_reason = models.TextField(_("未通过原因"), blank=True)
    closed_at = models.DateTimeField(_("索赔、解除或失效时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("保函")
        verbose_name_plural = _("保函")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_code", "number"],
                condition=~Q(number=""),
                name="guarantee_number_per_issuer",
            ),
            # One guarantee at a time stands for an enrolment's deposit.
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(state__in=["applied", "issued", "verified"]),
                name="guarantee_one_open_per_enrolment",
            ),
            models.CheckConstraint(
                condition=Q(state="applied") | Q(state="refused") | ~Q(number=""),
                name="guarantee_issued_has_number",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="guarantee_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}:{self.number or self.pk}"
