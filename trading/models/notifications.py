"""Notifications: an inbox on the platform, plus e-mail and SMS through the gateway adapter."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trading.translatable import Message


class Notification(models.Model):
    recipient = models.ForeignKey(
        "trading.User", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类别"), max_length=60)
    # `title` and `body` hold the text in the platform's language (what e-mail archives and rows
    # written before messages had keys show); a keyed message is rendered for each reader.
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    title_key = models.TextField(_("标题原文"), blank=True)
    body_key = models.TextField(_("内容原文"), blank=True)
    # {"title": {...}, "body": {...}}: each message's parameters, translatable ones as markers.
    params = models.JSONField(_("参数"), default=dict, blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title

    def _message(self, part: str, key: str) -> Message | None:
        if not key:
            return None
        return Message.from_json({"key": key, "params": (self.params or {}).get(part) or {}})

    def _shown(self, part: str, key: str, stored: str) -> str:
        try:
            message = self._message(part, key)
            return stored if message is None else message.render()
        except (KeyError, ValueError, TypeError):
            # A translation that lost a placeholder must not hide the news: show the stored text.
            return stored

    @property
    def shown_title(self) -> str:
        """The title in the reader's active language."""
        return self._shown("title", self.title_key, self.title)

    @property
    def shown_body(self) -> str:
        """The body in the reader's active language."""
        return self._shown("body", self.body_key, self.body)


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class OutboundMessage(models.Model):
    """An e-mail or SMS to send, at least once, deduplicated by the gateway through its key."""

    # The idempotency key: a gateway that sees it twice delivers once.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    to = models.CharField(_("收件人"), max_length=254)
    subject = models.CharField(_("主题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    gateway_ref = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("外发消息")
        verbose_name_plural = _("外发消息")
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="message_channel_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="message_sent_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.to}"
