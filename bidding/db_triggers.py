"""The deposit books are append-only in the database too: a posting is never changed or deleted.

A correction is a new posting; these triggers refuse an UPDATE or DELETE of `bidding_bookentry`
whatever path it takes (admin, ORM, raw SQL). Only `manage.py flush` lifts them (FlushGuard).
"""

from __future__ import annotations

from typing import Any, Final

BOOKS_ERROR: Final = "tianping-books-append-only"
TABLE: Final = "bidding_bookentry"


def books_trigger_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            statement
            for event in ("update", "delete")
            for statement in (
                f"DROP TRIGGER IF EXISTS tianping_books_{event}",
                f"CREATE TRIGGER tianping_books_{event} BEFORE {event.upper()} ON {TABLE}"
                f" BEGIN SELECT RAISE(ABORT, '{BOOKS_ERROR}: postings are never changed'); END",
            )
        ]
    if vendor == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION tianping_books() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN RAISE EXCEPTION '{BOOKS_ERROR}: postings are never changed'"
            " USING ERRCODE = 'integrity_constraint_violation'; END $$",
            f"DROP TRIGGER IF EXISTS tianping_books ON {TABLE}",
            f"CREATE TRIGGER tianping_books BEFORE UPDATE OR DELETE ON {TABLE}"
            " FOR EACH ROW EXECUTE FUNCTION tianping_books()",
        ]
    raise NotImplementedError(f"no books triggers for {vendor}")


def books_trigger_removal_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS tianping_books_{event}" for event in ("update", "delete")]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS tianping_books ON {TABLE}"]
    raise NotImplementedError(f"no books triggers for {vendor}")


def install_books_triggers(apps: Any, schema_editor: Any) -> None:
    for statement in books_trigger_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def remove_books_triggers(apps: Any, schema_editor: Any) -> None:
    for statement in books_trigger_removal_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)
