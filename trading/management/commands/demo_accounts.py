from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from trading.services.demo import demo_accounts


class Command(BaseCommand):
    help = "Print the demo accounts and their password."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = demo_accounts()
        width = max(len(username) for _, username, _, _ in rows)
        self.stdout.write(f"Demo accounts (password for all: {rows[0][2]}):")
        for role, username, _password, who in rows:
            self.stdout.write(f"  {username.ljust(width)}  {role} — {who}")
