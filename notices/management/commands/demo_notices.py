from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from notices.demo import demo_notices_seed


class Command(BaseCommand):
    help = "Draft and approve the demo tenders' notices (DEBUG only; renders run in Celery)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("refusing to seed demo notices: DEBUG is off (production settings).")
        counts = demo_notices_seed()
        self.stdout.write(", ".join(f"{key} {value}" for key, value in counts.items()))
