"""A lot's most urgent light, kept for the regulators' colour filter (derived data, never a fact).

Computing every lot's lights on each filtered request took seconds at 10,000 lots; the colour is
stored with the instant it next changes, so the filter is one indexed query and only lots whose
colour is stale are recomputed (`trading.selectors.lights`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from trading.models.tenders import Lot


class LotLight(models.Model):
    """The cached colour of a lot's most urgent light, valid from `computed_at` to `valid_until`."""

    lot = models.OneToOneField(
        Lot, on_delete=models.CASCADE, primary_key=True, related_name="cached_light"
    )
    # red, yellow, green, done, or "" for a lot without a lit date.
    colour = models.CharField(max_length=8, blank=True)
    computed_at = models.DateTimeField(null=True)
    # The colour holds while computed_at <= now < valid_until; NULL: stale, to be recomputed.
    valid_until = models.DateTimeField(null=True)
    # Bumped by every change to what the lights read: a colour computed from the rows as they
    # were before the change does not land (the refresh writes only where it is unchanged).
    generation = models.PositiveBigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["colour", "valid_until"], name="lotlight_colour")]
        verbose_name = _("标段灯色缓存")
        verbose_name_plural = _("标段灯色缓存")

    def __str__(self) -> str:
        return f"{self.lot_id} {self.colour}"
