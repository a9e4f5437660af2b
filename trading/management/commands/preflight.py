"""`manage.py preflight`: are the database, Redis and the channel layer usable? Exit 2 if not."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

# The checks belong to the deployment (config), not to trading: import-linter allows this one
# upward import explicitly (pyproject.toml), since commands can only live in an installed app.
from config.preflight import PreflightFailure, run_checks

EXIT_MISCONFIGURED = 2


class Command(BaseCommand):
    help = (
        "Check that the database, Redis and the channel layer answer; one line and exit 2 if not."
    )

    # Only the services: Django's system checks have their own command and multi-line output.
    requires_system_checks = ()

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checked = run_checks()
        except PreflightFailure as failure:
            self.stderr.write(f"tianping: {failure}")
            raise SystemExit(EXIT_MISCONFIGURED) from None
        if options["verbosity"] >= 1:
            self.stdout.write("preflight: " + ", ".join(checked) + ": ok")
