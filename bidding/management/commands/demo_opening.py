from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bidding.services.demo_opening import opening_demo_lines


class Command(BaseCommand):
    help = "Print where to join the opening demonstration of make run, and the demo key files."

    def handle(self, *args: Any, **options: Any) -> None:
        for line in opening_demo_lines():
            self.stdout.write(line)
