"""Rooms: each room's gap-free event sequence, kept so a reconnecting client gets what it missed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoomHead(models.Model):
    """A room's last sequence number; appending locks this row (DESIGN.md §5)."""

    key = models.CharField(max_length=80, unique=True)  # "opening:<lot id>", "auction:<lot id>"
    seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}@{self.seq}"


class RoomEvent(models.Model):
    """One committed fact shown in a room, in the room's order; payload is what everyone may see."""

    room = models.ForeignKey(RoomHead, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    at = models.DateTimeField()

    class Meta:
        ordering = ["room", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="room_event_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.room_id}#{self.seq} {self.kind}"


class OpeningStage(models.TextChoices):
    CHECK_IN = "check_in", _("签到")
    DECRYPTING = "decrypting", _("解密")
    READ_OUT = "read_out", _("唱标")
    CLOSED = "closed", _("开标结束")


class Opening(models.Model):
    """The opening session (开标) of a sealed-bid lot, started at the bid deadline."""

    lot = models.OneToOneField(
        "trading.Lot", verbose_name=_("标段"), on_delete=models.PROTECT, related_name="opening"
    )
    stage = models.CharField(
        _("环节"), max_length=20, choices=OpeningStage.choices, default=OpeningStage.CHECK_IN
    )
    started_at = models.DateTimeField(_("开标时间"))
    bids_received = models.PositiveIntegerField(_("递交投标文件数"), default=0)
    host = models.ForeignKey(
        "trading.User",
        verbose_name=_("主持人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    window_opened_at = models.DateTimeField(_("解密开始"), null=True, blank=True)
    window_closes_at = models.DateTimeField(_("解密截止"), null=True, blank=True)
    read_out_at = models.DateTimeField(_("唱标时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("开标结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("开标")
        verbose_name_plural = _("开标")

    def __str__(self) -> str:
        return f"opening of lot {self.lot_id}"


class OpeningAttendance(models.Model):
    """A bidder in the opening room: check-in (签到), confirmation or objection."""

    opening = models.ForeignKey(Opening, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(
        "bidding.Enrolment", on_delete=models.PROTECT, related_name="opening_attendance"
    )
    checked_in_at = models.DateTimeField(_("签到时间"))
    checked_in_by = models.ForeignKey("trading.User", on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    objection = models.ForeignKey(
        "trading.Objection", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["opening", "enrolment"]
        constraints = [
            models.UniqueConstraint(fields=["opening", "enrolment"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.opening_id}:{self.enrolment_id}"
