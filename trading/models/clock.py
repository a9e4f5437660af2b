from __future__ import annotations

from django.db import models
from django.db.models import Q


class ClockSetting(models.Model):
    """The controllable clock of tests and training: one row; absent in production use."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    frozen_at = models.DateTimeField(null=True, blank=True)
    offset_seconds = models.FloatField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="clock_single_row")]

    def __str__(self) -> str:
        return f"frozen at {self.frozen_at}" if self.frozen_at else f"offset {self.offset_seconds}s"
