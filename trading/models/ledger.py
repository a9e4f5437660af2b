"""The tamper-evident ledger (DESIGN.md invariant 6): per-scope hash chains, signed checkpoints."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from trading.domain.ledger import GENESIS, HASH_ALG, MERKLE_ALG


class ScopeKind(models.TextChoices):
    PLATFORM = "platform", _("平台")
    TENDER = "tender", _("项目")
    SEALED_LOT = "sealed_lot", _("标段（开标前密封）")


class LedgerScope(models.Model):
    """The head row of one chain; appending locks it, last in the lock order."""

    key = models.CharField(_("范围"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=ScopeKind.choices)
    # A sealed scope (enrolments, deposits and bid commits of one lot) is shown to no one before
    # the opening (招标投标法 第22条).
    sealed = models.BooleanField(_("密封"), default=False)
    head_seq = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default=GENESIS)
    checkpointed_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["key"]
        verbose_name = _("日志范围")
        verbose_name_plural = _("日志范围")
        constraints = [
            models.CheckConstraint(
                condition=Q(checkpointed_seq__lte=F("head_seq")), name="scope_checkpoint_not_ahead"
            ),
        ]

    def __str__(self) -> str:
        return self.key


class LedgerEntry(models.Model):
    scope = models.ForeignKey(LedgerScope, on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    hash_alg = models.CharField(max_length=20, default=HASH_ALG)
    recorded_at = models.DateTimeField(_("时间"))
    # Plain values, not a foreign key: an entry must read the same after the user is gone.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(_("操作人"), max_length=200, blank=True)
    action = models.CharField(_("操作"), max_length=100)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["scope_id", "seq"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        constraints = [
            models.UniqueConstraint(fields=["scope", "seq"], name="ledger_seq_unique_per_scope"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="ledger_seq_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.scope_id}#{self.seq} {self.action}"


class LedgerCheckpoint(models.Model):
    """A signed Merkle root over the heads that changed, chained to the previous checkpoint."""

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    root = models.CharField(max_length=64)
    merkle_alg = models.CharField(max_length=40, default=MERKLE_ALG)
    hash = models.CharField(max_length=64)
    hash_alg = models.CharField(max_length=20, default=HASH_ALG)
    # [[scope key, seq, hash], ...], kept to recompute the root; only the root is published.
    heads = models.JSONField(default=list)
    signature = models.CharField(max_length=200)
    signature_alg = models.CharField(max_length=20, default="ed25519")
    key_id = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("日志检查点")
        verbose_name_plural = _("日志检查点")

    def __str__(self) -> str:
        return f"checkpoint {self.seq}"
