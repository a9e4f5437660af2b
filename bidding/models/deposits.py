"""Deposits (投标保证金/竞买保证金): the books, one sub-account per enrolment, the bank's traffic.

Balances are never stored: they are sums of `BookEntry` rows, which are only ever inserted
(the database refuses UPDATE and DELETE, bidding/db_triggers.py).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from trading.models.tenders import money_field


class DepositAccount(models.Model):
    """The enrolment's virtual sub-account (一标一户) and the number the bidder pays into."""

    enrolment = models.OneToOneField(
        "bidding.Enrolment",
        verbose_name=_("报名"),
        on_delete=models.PROTECT,
        related_name="deposit_account",
    )
    number = models.CharField(_("保证金子账号"), max_length=40, unique=True)
    opened_at = models.DateTimeField(_("开立时间"))
    # The chronograph reconciles each sub-account with the bank's statement once a day.
    reconcile_at = models.DateTimeField(_("下次对账"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("保证金子账户")
        verbose_name_plural = _("保证金子账户")

    def __str__(self) -> str:
        return self.number


class EntryKind(models.TextChoices):
    PAYMENT = "payment", _("保证金到账")
    REFUND_DECIDED = "refund_decided", _("退还保证金（待银行支付）")
    REFUND_PAID = "refund_paid", _("退还保证金（银行已支付）")
    FORFEITURE = "forfeiture", _("没收保证金")
    EARNEST = "earnest", _("保证金转为定金")
    INTEREST = "interest", _("退还银行同期存款利息")


class BookEntry(models.Model):
    """One double-entry posting: `amount` moves from `credit` to `debit`. Never changed."""

    debit = models.CharField(_("借方"), max_length=40)
    credit = models.CharField(_("贷方"), max_length=40)
    amount = money_field(_("金额（元）"))
    kind = models.CharField(_("类别"), max_length=20, choices=EntryKind.choices)
    account = models.ForeignKey(
        DepositAccount,
        verbose_name=_("保证金子账户"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    transfer = models.ForeignKey(
        "bidding.BankTransfer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund = models.ForeignKey(
        "bidding.DepositRefund", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    memo = models.CharField(_("摘要"), max_length=200, blank=True)
    posted_at = models.DateTimeField(_("记账时间"))

    class Meta:
        verbose_name = _("保证金记账分录")
        verbose_name_plural = _("保证金记账分录")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="book_entry_amount_positive"),
            models.CheckConstraint(
                condition=~Q(debit=F("credit")), name="book_entry_debit_is_not_credit"
            ),
            # A transfer is credited once, whatever path tries again (实施条例 第26条's money is
            # never counted twice).
            models.UniqueConstraint(
                fields=["transfer"],
                condition=Q(kind="payment"),
                name="book_entry_transfer_credited_once",
            ),
            models.UniqueConstraint(
                fields=["refund", "kind"],
                condition=Q(refund__isnull=False),
                name="book_entry_refund_posted_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.debit} ← {self.credit} {self.amount}"


class BankTransfer(models.Model):
    """A transfer the bank notified into a sub-account, with the account it came from."""

    transfer_id = models.CharField(_("银行流水号"), max_length=64, unique=True)
    account = models.ForeignKey(
        DepositAccount,
        verbose_name=_("保证金子账户"),
        on_delete=models.PROTECT,
        related_name="transfers",
    )
    amount = money_field(_("金额（元）"))
    payer_account = models.CharField(_("付款账号"), max_length=40, db_index=True)
    payer_name = models.CharField(_("付款户名"), max_length=200, blank=True)
    payer_bank = models.CharField(_("付款开户行"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("到账时间"))
    # 实施条例 第26条: a must-tender engineering bid's cash deposit counts only from the basic
    # account; the money is still held (and refunded), but it does not count as the deposit.
    valid = models.BooleanField(_("有效"), default=True)
    invalid_reason = models.CharField(_("无效原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("保证金到账")
        verbose_name_plural = _("保证金到账")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="bank_transfer_amount_positive")
        ]

    def __str__(self) -> str:
        return self.transfer_id


class BankNonce(models.Model):
    """A notification's nonce, kept so that the same notification is never acted on twice."""

    nonce = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.nonce


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("待银行支付")
    PAID = "paid", _("已退还")


class DepositRefund(models.Model):
    """A refund of a sub-account's money to the account it came from, paid through the bank."""

    account = models.ForeignKey(
        DepositAccount,
        verbose_name=_("保证金子账户"),
        on_delete=models.PROTECT,
        related_name="refunds",
    )
    # The bank pays each key once: a retry after a crash asks again with the same key.
    idempotency_key = models.CharField(_("幂等键"), max_length=80, unique=True)
    amount = money_field(_("金额（元）"))
    payee_account = models.CharField(_("收款账号"), max_length=40)
    reason = models.CharField(_("退还原因"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    decided_at = models.DateTimeField(_("决定时间"))
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    bank_reference = models.CharField(_("银行回单号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("保证金退还")
        verbose_name_plural = _("保证金退还")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_refund_positive")
        ]

    def __str__(self) -> str:
        return self.idempotency_key


class DepositDeadline(models.Model):
    """A deposit deadline the tender sets other than the lot's bid deadline."""

    lot = models.OneToOneField(
        "trading.Lot", verbose_name=_("标段"), on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateTimeField(_("保证金缴纳截止时间"))

    class Meta:
        verbose_name = _("保证金缴纳截止时间")
        verbose_name_plural = _("保证金缴纳截止时间")

    def __str__(self) -> str:
        return f"{self.lot_id}:{self.deadline:%Y-%m-%d %H:%M}"


class Discrepancy(models.Model):
    """A sub-account whose books and bank statement disagree on a day's reconciliation."""

    account = models.ForeignKey(
        DepositAccount,
        verbose_name=_("保证金子账户"),
        on_delete=models.PROTECT,
        related_name="discrepancies",
    )
    found_at = models.DateTimeField(_("发现时间"))
    book_balance = money_field(_("账面余额（元）"))
    bank_balance = models.DecimalField(_("银行余额（元）"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("对账差异")
        verbose_name_plural = _("对账差异")
        ordering = ["-found_at", "-id"]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.found_at:%Y-%m-%d}"


class LocalBankMovement(models.Model):
    """The local bank's own record (the demo and tests' bank): what it moved, once per key."""

    key = models.CharField(max_length=80, unique=True)
    account_number = models.CharField(max_length=40, db_index=True)
    counterparty = models.CharField(max_length=40)
    # Positive into the sub-account, negative out of it.
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    moved_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key
