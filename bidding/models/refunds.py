"""When each enrolment's deposit is refunded (due work on the chronograph), or why it is kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The reference of a refund for which the sub-account held nothing to pay back.
NIL_PREFIX = "NIL-"


class RefundKind(models.TextChoices):
    WITHDRAWN = "withdrawn", _("撤回投标")
    LOSER = "loser", _("未中标")
    WINNER = "winner", _("中标")
    ENDED = "ended", _("流标或终止")
    INVALID = "invalid", _("无效缴款")


class RefundDue(models.Model):
    """One enrolment's deposit refund: payable from, due by, paid when and under which rule.

    A deposit is refunded once: one refund per enrolment, besides one per invalid payment (paid
    from an account the law does not accept, 实施条例 第26条, returned at once); and
    `idempotency_key` is what the payer hands the bank, so a retried refund never pays twice.
    """

    enrolment = models.ForeignKey(
        "bidding.Enrolment",
        verbose_name=_("报名"),
        on_delete=models.PROTECT,
        related_name="refunds_due",
    )
    # Set on the refund of one invalid payment: only that transfer goes back.
    transfer = models.OneToOneField(
        "bidding.BankTransfer",
        verbose_name=_("无效缴款"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refund_due",
    )
    kind = models.CharField(_("退还情形"), max_length=20, choices=RefundKind.choices)
    payable_at = models.DateTimeField(_("可退还时间"))
    # The latest lawful moment under the rule row (None where no rule counts one).
    due_at = models.DateTimeField(_("最迟退还时间"), null=True, blank=True)
    reason = models.CharField(_("依据"), max_length=300, blank=True)
    article = models.CharField(_("条款"), max_length=200, blank=True)
    with_interest = models.BooleanField(_("退还银行同期存款利息"), default=False)
    late_fee_applies = models.BooleanField(_("逾期支付超期资金占用费"), default=False)
    idempotency_key = models.CharField(_("幂等键"), max_length=80, unique=True)
    scheduled_at = models.DateTimeField(_("排定时间"))
    paid_at = models.DateTimeField(_("退还时间"), null=True, blank=True)
    payment_reference = models.CharField(_("支付凭证号"), max_length=100, blank=True)
    late_fee = models.DecimalField(
        _("超期资金占用费（元）"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    # The bank interest paid with it (实施条例 第57条), from the platform's interest account.
    interest = models.DecimalField(
        _("银行同期存款利息（元）"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    # Set when the deposit was a guarantee: released instead of paid.
    guarantee_released = models.BooleanField(_("以解除保函方式退还"), default=False)

    class Meta:
        verbose_name = _("保证金退还")
        verbose_name_plural = _("保证金退还")
        indexes = [
            models.Index(
                fields=["payable_at"], condition=Q(paid_at__isnull=True), name="refund_unpaid_due"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(paid_at__isnull=True) | ~Q(payment_reference=""),
                name="refund_paid_has_reference",
            ),
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(transfer__isnull=True),
                name="refund_due_once_per_enrolment",
            ),
        ]

    def __str__(self) -> str:
        return self.idempotency_key

    @property
    def nothing_held(self) -> bool:
        """Paid with no money moved: the sub-account held none (a guarantee, or never paid)."""
        return self.payment_reference.startswith(NIL_PREFIX)


class Forfeiture(models.Model):
    """A deposit kept: the winner who declined or did not sign (实施条例 第74条), or a bid
    revoked after the deadline (实施条例 第35条; 电子招标投标办法 第31条)."""

    enrolment = models.OneToOneField(
        "bidding.Enrolment",
        verbose_name=_("报名"),
        on_delete=models.PROTECT,
        related_name="forfeiture",
    )
    reason = models.TextField(_("原因"))
    article = models.CharField(_("条款"), max_length=200)
    recorded_at = models.DateTimeField(_("记录时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The outbox event it came from, so a redelivery records nothing twice.
    source_event = models.CharField(_("来源事件"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("保证金不予退还")
        verbose_name_plural = _("保证金不予退还")

    def __str__(self) -> str:
        return f"{self.enrolment_id}:{self.article}"
