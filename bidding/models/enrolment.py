"""Enrolment (报名): who takes part in a lot, alone or as a consortium (联合体).

Who enrolled is sealed until the opening (招标投标法 第22条): these rows are read only through
bidding's chokepoints, and their ledger entries go to the lot's sealed scope.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Enrolment(models.Model):
    """One bidder's (or one consortium's) place in one lot, known by an anonymous number."""

    lot = models.ForeignKey(
        "trading.Lot", verbose_name=_("标段"), on_delete=models.PROTECT, related_name="enrolments"
    )
    # The bidder, or the consortium's lead member (牵头人), who acts for the enrolment.
    lead = models.ForeignKey(
        "trading.Organisation",
        verbose_name=_("投标人（联合体牵头人）"),
        on_delete=models.PROTECT,
        related_name="enrolments_led",
    )
    # Anonymous within the lot: what staff and rooms show before the opening instead of a name.
    bidder_number = models.CharField(_("投标人编号"), max_length=12)
    is_consortium = models.BooleanField(_("联合体投标"), default=False)
    agreement = models.FileField(
        _("联合体协议书"), upload_to="consortium-agreements/%Y/%m/", blank=True
    )
    enrolled_at = models.DateTimeField(_("报名时间"))
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报名人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "bidder_number"], name="enrolment_number_per_lot"
            ),
            # 招标投标法 第31条: a consortium bids on its members' joint agreement.
            models.CheckConstraint(
                condition=Q(is_consortium=False) | ~Q(agreement=""),
                name="enrolment_consortium_has_agreement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id}:{self.bidder_number}"


class EnrolmentMember(models.Model):
    """An organisation in an enrolment: the bidder itself, or each member of a consortium."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("报名"), on_delete=models.CASCADE, related_name="members"
    )
    # The lot again, so that the database itself keeps an organisation in one bid per lot
    # (招标投标法实施条例 第37条: a member may not also bid alone or in another consortium).
    lot = models.ForeignKey(
        "trading.Lot", verbose_name=_("标段"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "trading.Organisation",
        verbose_name=_("成员"),
        on_delete=models.PROTECT,
        related_name="enrolment_memberships",
    )
    is_lead = models.BooleanField(_("牵头人"), default=False)

    class Meta:
        verbose_name = _("报名成员")
        verbose_name_plural = _("报名成员")
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "organisation"], name="enrolment_member_once_per_lot"
            ),
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(is_lead=True), name="enrolment_one_lead"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}:{self.organisation_id}"
