from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from notices.demo import demo_notices_seed


class Command(BaseCommand):
    help = "Draft and approve the demo tenders' notices (demo mode only; renders run in Celery)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError(
                "refusing to seed demo notices: demo mode is off (set TIANPING_DEMO=true)."
            )
        counts = demo_notices_seed()
        self.stdout.write(", ".join(f"{key} {value}" for key, value in counts.items()))
