"""Sealed bids (投标文件) and the lot keys that seal them (DESIGN.md inv. 3, SEALING.md).

The platform stores ciphertext, commitments and signed receipts; nothing here can be read before
the opening without the share the bidder's own client kept.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class LotKey(models.Model):
    """The lot's ECDH P-256 key pair: public for bidders, private wrapped under the sealing secret.

    Created at publication; `bidding.services.lot_keys.lot_key_unwrap` is the only reader of the
    private half and refuses before the bid deadline by the server clock.
    """

    lot = models.OneToOneField(
        "trading.Lot", verbose_name=_("标段"), on_delete=models.PROTECT, related_name="sealing_key"
    )
    algorithm = models.CharField(_("算法"), max_length=40, default="ecdh-p256")
    # The uncompressed point (65 bytes: 0x04 || X || Y), what WebCrypto imports as "raw".
    public_key = models.BinaryField(_("公钥"))
    wrap_algorithm = models.CharField(max_length=60, default="aes-256-gcm+hkdf-sha256")
    wrap_nonce = models.BinaryField()
    wrapped_private_key = models.BinaryField()
    created_at = models.DateTimeField(_("生成时间"))
    # The first time the private half was released (at the opening); every release is in the ledger.
    released_at = models.DateTimeField(_("启用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("标段密钥")
        verbose_name_plural = _("标段密钥")

    def __str__(self) -> str:
        return f"key of lot {self.lot_id}"


class BidStatus(models.TextChoices):
    UPLOADING = "uploading", _("上传中")
    COMMITTED = "committed", _("已递交")
    SUPERSEDED = "superseded", _("已被新版本替换")
    WITHDRAWN = "withdrawn", _("已撤回")


class BidOutcome(models.TextChoices):
    """What the opening made of a committed bid (电子招标投标办法 第31条)."""

    PENDING = "", _("未解密")
    OPENED = "opened", _("已解密")
    # The platform's fault: stored bytes do not match the receipt, or the lot key is lost (撤回).
    PLATFORM_FAULT = "platform_fault", _("平台原因无法解密（视为撤回）")
    # The bidder's fault: its share does not match its commitment, or its content fails
    # authentication under matching shares; or it never unlocked in the window (撤销).
    BIDDER_FAULT = "bidder_fault", _("投标人原因无法解密（视为撤销）")


class SealedBid(models.Model):
    """One version of one enrolment's bid: ciphertext, commitments and the signed receipt."""

    lot = models.ForeignKey(
        "trading.Lot", verbose_name=_("标段"), on_delete=models.PROTECT, related_name="sealed_bids"
    )
    enrolment = models.ForeignKey(
        "bidding.Enrolment",
        verbose_name=_("报名"),
        on_delete=models.PROTECT,
        related_name="sealed_bids",
    )
    version = models.PositiveIntegerField(_("版本"))
    # What URLs name a version by: random, since a row number would count the platform's bids.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=BidStatus.choices, default=BidStatus.UPLOADING
    )
    suite = models.CharField(_("密码套件"), max_length=120)
    started_at = models.DateTimeField(_("开始上传"))
    committed_at = models.DateTimeField(_("递交时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    # What the client sends at the commit (bidding/SEALING.md §4): all public, none reveals content.
    salt = models.BinaryField(null=True, blank=True)
    platform_share = models.JSONField(_("平台密钥份额（密文）"), null=True, blank=True)
    platform_share_commitment = models.CharField(max_length=64, blank=True)
    bidder_share_commitment = models.CharField(max_length=64, blank=True)
    content_commitment = models.CharField(max_length=64, blank=True)
    receipt = models.JSONField(_("回执"), null=True, blank=True)
    receipt_signature = models.CharField(max_length=120, blank=True)
    # The opening (filled only after the lot key is released).
    outcome = models.CharField(
        _("开标结果"), max_length=20, choices=BidOutcome.choices, default="", blank=True
    )
    fault_evidence = models.JSONField(_("归责依据"), null=True, blank=True)
    opened_at = models.DateTimeField(_("解密时间"), null=True, blank=True)
    offer = models.JSONField(_("投标报价等"), null=True, blank=True)
    features = models.JSONField(_("文件特征"), null=True, blank=True)

    class Meta:
        ordering = ["lot", "enrolment", "version"]
        verbose_name = _("投标文件")
        verbose_name_plural = _("投标文件")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "version"], name="sealed_bid_version"),
            # At most one standing bid per enrolment: a new commit supersedes the last.
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(status="committed"),
                name="sealed_bid_one_committed",
            ),
        ]

    def __str__(self) -> str:
        return f"bid {self.enrolment_id} v{self.version}"


class BidFile(models.Model):
    """One encrypted file of a bid version: file 0 is the offer, the others its PDF documents."""

    bid = models.ForeignKey(SealedBid, on_delete=models.CASCADE, related_name="files")
    index = models.PositiveIntegerField()
    chunk_count = models.PositiveIntegerField()
    ciphertext_size = models.PositiveBigIntegerField()
    # SHA-256 over the stored chunks in order, computed by the server at the commit.
    ciphertext_sha256 = models.CharField(max_length=64, blank=True)
    # After the opening: where the decrypted document is kept for the evaluation.
    opened_document = models.FileField(upload_to="opened/%Y/%m/", blank=True)

    class Meta:
        ordering = ["bid", "index"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "index"], name="bid_file_index"),
        ]

    def __str__(self) -> str:
        return f"{self.bid_id}/{self.index}"


class BidChunk(models.Model):
    """One AES-GCM chunk of a file as uploaded (bidding/SEALING.md §3)."""

    file = models.ForeignKey(BidFile, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["file", "index"]
        constraints = [
            models.UniqueConstraint(fields=["file", "index"], name="bid_chunk_index"),
        ]

    def __str__(self) -> str:
        return f"{self.file_id}#{self.index}"
