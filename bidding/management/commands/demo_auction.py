from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bidding.services.demo_auction import auction_demo_lines


class Command(BaseCommand):
    help = "Print where to join the auction demonstration of make run, and as whom."

    def handle(self, *args: Any, **options: Any) -> None:
        for line in auction_demo_lines():
            self.stdout.write(line)
