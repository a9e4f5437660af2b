"""Live auctions (issue 13): one Auction row per lot, the bids it accepted, the declarations.

The Auction row is the lot's auction lock: every bid, declaration, close and suspension locks it
(after the lot) and re-checks the rules in `bidding.domain.auction` with the server's clock.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuctionKind(models.TextChoices):
    LISTING = "listing", _("挂牌（期满限时竞价）")
    AUCTION = "auction", _("拍卖（网上竞价）")
    REVERSE = "reverse", _("反向竞价")


class AuctionPhase(models.TextChoices):
    LISTING = "listing", _("挂牌中")
    TIMED = "timed", _("限时竞价中")
    SUSPENDED = "suspended", _("中止")
    CLOSED = "closed", _("已结束")


class Auction(models.Model):
    """A lot's live auction: its settings (fixed at set-up) and where it stands."""

    lot = models.OneToOneField(
        "trading.Lot", verbose_name=_("标段"), on_delete=models.PROTECT, related_name="auction"
    )
    kind = models.CharField(_("方式"), max_length=10, choices=AuctionKind.choices)
    direction = models.CharField(_("方向"), max_length=4, default="up")  # domain.Direction
    start_price = models.DecimalField(_("起始价"), max_digits=16, decimal_places=2)
    step = models.DecimalField(_("增价幅度"), max_digits=16, decimal_places=2)
    whole_multiples = models.BooleanField(_("须为增价幅度的整数倍"), default=False)
    floor = models.DecimalField(
        _("最低限价"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    countdown_seconds = models.PositiveIntegerField(_("倒计时（秒）"), default=240)
    declaration_window_seconds = models.PositiveIntegerField(_("要求报价时段（秒）"), default=0)
    phase = models.CharField(_("状态"), max_length=10, choices=AuctionPhase.choices)
    suspended_from = models.CharField(max_length=10, blank=True)
    suspended_reason = models.CharField(_("中止原因"), max_length=200, blank=True)
    opens_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("截止时间"))
    price = models.DecimalField(_("当前价"), max_digits=16, decimal_places=2, null=True, blank=True)
    leader = models.ForeignKey(
        "bidding.Enrolment",
        verbose_name=_("领先者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    seq = models.PositiveIntegerField(_("报价序号"), default=0)  # the last accepted bid's
    # Timed bidding after a listing is open to its declarants (enrolment ids); null: everyone.
    bidders = models.JSONField(null=True, blank=True)
    # 底价: sealed (AES-GCM under the platform's sealing secret, lot id bound) until the close.
    reserve_sealed = models.BinaryField(null=True, blank=True, editable=False)
    reserve_set_by = models.ForeignKey(
        "trading.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reserve_confirmed_by = models.ForeignKey(
        "trading.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reserve = models.DecimalField(  # revealed at the close
        _("底价"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    sold = models.BooleanField(_("成交"), null=True, blank=True)

    class Meta:
        verbose_name = _("网上竞价")
        verbose_name_plural = _("网上竞价")

    def __str__(self) -> str:
        return f"auction lot {self.lot_id} {self.phase} @{self.seq}"


class AuctionBid(models.Model):
    """An accepted bid: gap-free `seq` per auction; a retried request finds it by its key."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="bids")
    seq = models.PositiveIntegerField(_("报价序号"))
    enrolment = models.ForeignKey(
        "bidding.Enrolment", verbose_name=_("竞买人"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("报价"), max_digits=16, decimal_places=2)
    phase = models.CharField(max_length=10, choices=AuctionPhase.choices)
    idempotency_key = models.CharField(max_length=64)
    placed_at = models.DateTimeField(_("报价时间"))
    placed_by = models.ForeignKey("trading.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["auction", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["auction", "seq"], name="auction_bid_seq"),
            models.UniqueConstraint(
                fields=["enrolment", "idempotency_key"], name="auction_bid_idempotency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.auction_id}#{self.seq} {self.amount}"


class AuctionDeclaration(models.Model):
    """要求报价: a bidder still wants to bid at the listing close (39号令 第20条)."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="declarations")
    enrolment = models.ForeignKey("bidding.Enrolment", on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["auction", "enrolment"], name="auction_declaration"),
        ]

    def __str__(self) -> str:
        return f"{self.auction_id} declared by {self.enrolment_id}"


class PlatformHeartbeat(models.Model):
    """The last time a server process could take bids; a gap above the setting is an outage."""

    key = models.CharField(max_length=80, unique=True)  # "web" (any process beats it)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} {self.beat_at}"


class PlatformOutage(models.Model):
    """A stretch in which no server beat: auctions whose countdown it overlapped are suspended."""

    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"outage {self.started_at}–{self.ended_at}"
