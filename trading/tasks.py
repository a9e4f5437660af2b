"""Celery tasks of trading: they only wake the database-driven machinery (DESIGN.md inv. 2)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="trading.tasks.chronograph_tick", ignore_result=True)
def chronograph_tick() -> int:
    from trading.chronograph import chronograph_tick as tick

    return tick()


@shared_task(name="trading.tasks.ledger_checkpoint", ignore_result=True)
def ledger_checkpoint() -> int | None:
    from trading.services.ledger import ledger_checkpoint as checkpoint

    created = checkpoint()
    return created.seq if created is not None else None


@shared_task(name="trading.tasks.calendar_reminders", ignore_result=True)
def calendar_reminders() -> int:
    """Daily: remind the center's administrators of a year's holiday schedule still missing."""
    from trading.services.calendar import calendar_reminders_send

    return calendar_reminders_send()
