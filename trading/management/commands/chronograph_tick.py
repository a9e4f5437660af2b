"""`manage.py chronograph_tick [--loop SECONDS]`: advance due work without Celery."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from trading.chronograph import chronograph_tick


class Command(BaseCommand):
    help = "Advance every row that is due now (deliver events, run due work); optionally loop."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop",
            type=float,
            metavar="SECONDS",
            help="tick again every SECONDS until interrupted",
        )
        parser.add_argument(
            "--budget",
            type=float,
            default=20.0,
            metavar="SECONDS",
            help="stop a tick after this long; the rest waits for the next tick (default 20)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval: float | None = options["loop"]
        budget: float = options["budget"]
        if interval is not None and interval <= 0:
            self.stderr.write("--loop needs a positive number of seconds.")
            raise SystemExit(2)
        try:
            while True:
                started = time.monotonic()
                advanced = chronograph_tick(budget_seconds=budget)
                if interval is None or advanced:
                    self.stdout.write(f"chronograph: advanced {advanced}")
                if interval is None:
                    return
                time.sleep(max(0.0, interval - (time.monotonic() - started)))
        except KeyboardInterrupt:
            # A row in flight rolled back with its transaction; the next tick redoes it.
            return
