"""Rows that only tests use, to drive the chronograph and the outbox as real apps will."""

from __future__ import annotations

from django.db import models


class Ticker(models.Model):
    """A row with a `next_check`, as lots will have: each advance counts once and moves it on."""

    name = models.CharField(max_length=50, unique=True)
    next_check = models.DateTimeField(null=True, blank=True)
    advances = models.PositiveIntegerField(default=0)
    last_advanced_at = models.DateTimeField(null=True, blank=True)


class Received(models.Model):
    """What a test receiver got; unique so a repeated delivery would show as an error."""

    event_id = models.BigIntegerField()
    receiver = models.CharField(max_length=50)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_id", "receiver"], name="received_once")
        ]
