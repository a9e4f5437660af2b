"""The record of a negotiated procedure (谈判/协商记录): the parties, the agreement, the price."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trading.models.tenders import Lot, money_field


class NegotiationRecord(models.Model):
    """Single source, 协议出让, 挂网, 谈判: this record replaces the opening and the evaluation.

    The parties are copied as they were (name, USCC) when recorded; a re-negotiation supersedes
    the record, which stays as history.
    """

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="negotiations")
    # [{"organisation": pk, "name": ..., "uscc": ...}] of every party that took part.
    parties = models.JSONField(_("参与谈判（协商）的各方"), default=list)
    agreed = models.BooleanField(_("达成一致"))
    winner = models.ForeignKey(
        "trading.Organisation",
        verbose_name=_("成交方"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    price = money_field(_("成交价（元）"), null=True, blank=True)
    minutes = models.TextField(_("谈判（协商）纪要"))
    recorded_by = models.ForeignKey("trading.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"))
    superseded_at = models.DateTimeField(_("被重新谈判取代"), null=True, blank=True)

    class Meta:
        ordering = ["lot_id", "recorded_at", "id"]
        verbose_name = _("谈判（协商）记录")
        verbose_name_plural = _("谈判（协商）记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(agreed=False) | (Q(winner__isnull=False) & Q(price__isnull=False)),
                name="negotiation_agreed_names_winner_and_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} {'agreed' if self.agreed else 'no agreement'}"
