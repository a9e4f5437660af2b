"""What a bidder registers once and never types again: its legal representative, its basic
bank account (基本存款账户) and its contacts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationProfile(models.Model):
    """A bidding organisation's standing particulars, reused in every enrolment and bid."""

    organisation = models.OneToOneField(
        "trading.Organisation",
        verbose_name=_("主体"),
        on_delete=models.PROTECT,
        related_name="bidding_profile",
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    # A must-tender engineering bid's cash deposit counts only from this account
    # (招标投标法实施条例 第26条).
    basic_account_bank = models.CharField(_("基本存款账户开户行"), max_length=200, blank=True)
    basic_account_name = models.CharField(_("基本存款账户户名"), max_length=200, blank=True)
    basic_account_number = models.CharField(_("基本存款账户账号"), max_length=40, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("投标主体信息")
        verbose_name_plural = _("投标主体信息")

    def __str__(self) -> str:
        return str(self.organisation_id)
