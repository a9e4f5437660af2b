"""The outbox: domain events written with the change, delivered at least once to receivers."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    kind = models.CharField(_("事件"), max_length=100, db_index=True)
    subject = models.CharField(_("对象"), max_length=100, blank=True)
    payload = models.JSONField(_("内容"), default=dict)
    occurred_at = models.DateTimeField(_("发生时间"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("事件")
        verbose_name_plural = _("事件")

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} #{self.pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待投递")
    DONE = "done", _("已投递")
    FAILED = "failed", _("投递失败")


class EventDelivery(models.Model):
    """One event for one receiver; the chronograph claims due rows and marks them done."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.PROTECT, related_name="deliveries")
    receiver = models.CharField(_("接收方"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    next_attempt_at = models.DateTimeField(_("下次投递时间"))
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    delivered_at = models.DateTimeField(_("投递时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        ordering = ["event_id", "receiver"]
        verbose_name = _("事件投递")
        verbose_name_plural = _("事件投递")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "receiver"], name="delivery_once_per_receiver"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="delivery_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(delivered_at__isnull=False),
                name="delivery_done_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_pending_due",
                condition=Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.receiver} ← event {self.event_id} ({self.status})"
