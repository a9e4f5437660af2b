"""`manage.py flush`: Django's, able to empty the append-only tables too (the ledger, notices).

The ledger's entries and checkpoints refuse UPDATE, DELETE and TRUNCATE (trading.db_triggers,
DESIGN.md invariant 6), and flush empties every table, with DELETE on SQLite and TRUNCATE on
PostgreSQL. Emptying the whole database is not an edit of its history, and the test harness does it
after every transactional and live-server test, so this command lifts every registered guard
(`trading.db_triggers.register_flush_guard`) inside its own transaction and installs them again
before that transaction commits: no other connection
ever sees the tables without them, and a flush that fails leaves them in place. This is the only
code that lifts them; anything else that wants to delete ledger rows must drop the triggers itself,
as only the database's owner can.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections, transaction

from trading.db_triggers import flush_guards


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        vendor = connection.vendor
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                for guard in flush_guards():
                    for statement in guard.remove(vendor):
                        cursor.execute(statement)
            super().handle(**options)
            with connection.cursor() as cursor:
                for guard in flush_guards():
                    for statement in guard.install(vendor):
                        cursor.execute(statement)
