"""Complaints (投诉) to the regulator of a lot, beside the objections they follow.

实施条例 第60、61条; 政府采购法 第55、56条, 财政部令第94号. The status is written only by
`trading.services.complaints` through the table in `trading.domain.complaints`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trading.models.tenders import Hold, Lot, Objection


class ComplaintStatus(models.TextChoices):
    FILED = "filed", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    REFUSED = "refused", _("不予受理")
    STATEMENTS_REQUESTED = "statements_requested", _("待书面说明")
    DISMISSED = "dismissed", _("驳回投诉")
    UPHELD = "upheld", _("投诉成立")
    WITHDRAWN = "withdrawn", _("已撤回")


class ComplaintOrder(models.TextChoices):
    REEVALUATE = "reevaluate", _("重新评标")
    RETENDER = "retender", _("重新招标")
    CORRECT_DOCUMENTS = "correct_documents", _("修改招标文件")


class Complaint(models.Model):
    """A bidder's complaint about a lot, after its objection (实施条例 第60条)."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="complaints")
    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="complaints")
    complainant = models.ForeignKey(
        "trading.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    filed_by = models.ForeignKey("trading.User", on_delete=models.PROTECT, related_name="+")
    grounds = models.TextField(_("投诉事项与理由"))
    status = models.CharField(
        _("状态"), max_length=24, choices=ComplaintStatus.choices, default=ComplaintStatus.FILED
    )
    filed_at = models.DateTimeField(_("投诉时间"))
    # The end of the filing period it was filed within (实施条例 第60条; 政府采购法 第55条).
    filing_due = models.DateTimeField(_("投诉期限"))
    acceptance_due = models.DateTimeField(_("受理期限"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    # Set at the acceptance (engineering) or the filing (procurement); moved by extensions.
    decision_due = models.DateTimeField(_("处理期限"), null=True, blank=True)
    handled_by = models.ForeignKey(
        "trading.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The refusal's or the decision's reasons, as written by the regulator.
    reasons = models.TextField(_("理由"), blank=True)
    order = models.CharField(
        _("处理决定"), max_length=24, choices=ComplaintOrder.choices, blank=True
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    # Decided after `decision_due`: still valid, shown red and flagged in the ledger.
    decided_late = models.BooleanField(_("逾期处理"), default=False)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    hold = models.OneToOneField(
        Hold, null=True, blank=True, on_delete=models.PROTECT, related_name="complaint"
    )

    class Meta:
        ordering = ["filed_at", "id"]
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="upheld") | ~Q(order=""), name="complaint_upheld_has_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} {self.status}"


class ComplaintAttachment(models.Model):
    """A PDF the complainant files with the complaint (财政部令第94号 第18条)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("附件"), upload_to="complaints/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("投诉附件")
        verbose_name_plural = _("投诉附件")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.pk}"


class ComplaintStatement(models.Model):
    """A party's written statement, asked for by the regulator with a due date (第94号令 第26条)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="statements")
    party = models.ForeignKey("trading.Organisation", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("要求时间"))
    due = models.DateTimeField(_("说明期限"))
    text = models.TextField(_("书面说明"), blank=True)
    submitted_by = models.ForeignKey(
        "trading.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("书面说明")
        verbose_name_plural = _("书面说明")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.pk}"


class ComplaintExtension(models.Model):
    """The regulator extends its decision period, with a reason (实施条例 第61条: 检验、检测、
    鉴定、专家评审 do not count)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="extensions")
    reason = models.TextField(_("延期理由"))
    previous_due = models.DateTimeField(_("原期限"))
    new_due = models.DateTimeField(_("新期限"))
    extended_by = models.ForeignKey("trading.User", on_delete=models.PROTECT, related_name="+")
    extended_at = models.DateTimeField(_("延期时间"))

    class Meta:
        ordering = ["extended_at", "id"]
        verbose_name = _("处理期限延长")
        verbose_name_plural = _("处理期限延长")
        constraints = [
            models.CheckConstraint(
                condition=Q(new_due__gt=models.F("previous_due")), name="complaint_extension_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.pk}"
