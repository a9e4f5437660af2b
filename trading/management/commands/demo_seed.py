from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trading.services.demo import demo_seed


class Command(BaseCommand):
    help = "Load reference data and the demo organisations and accounts (idempotent; demo mode)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError(
                "refusing to seed demo accounts: demo mode is off (set TIANPING_DEMO=true; "
                "`make run` does)."
            )
        counts = demo_seed()
        summary = ", ".join(f"{key} {value}" for key, value in counts.items())
        self.stdout.write(f"demo data ready: {summary}")
