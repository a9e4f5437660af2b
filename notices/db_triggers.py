"""A published notice is immutable in the database too (DESIGN.md invariant 7).

The services never change a published notice (a correction is a new one); these triggers refuse it
whatever path the change takes (admin, ORM, raw SQL): an UPDATE of what the notice says or where it
is numbered, a status that leaves published/withdrawn, and a DELETE. Withdrawing stays possible.
PostgreSQL's TRUNCATE (a test database flush) does not fire row triggers.
"""

from __future__ import annotations

from typing import Any, Final

IMMUTABLE_ERROR: Final = "tianping-notice-immutable"
TABLE: Final = "notices_notice"
FINAL_STATUSES: Final = ("published", "withdrawn")
FROZEN_COLUMNS: Final = (
    "kind",
    "tender_id",
    "lot_id",
    "title",
    "body",
    "data",
    "issuer",
    "addressee_id",
    "corrects_id",
    "verification_code",
    "pdf",
    "pdf_sha256",
    "hash_alg",
    "template_version",
    "document_html",
    "published_at",
    "publication_seq",
)
_FINAL = ", ".join(f"'{status}'" for status in FINAL_STATUSES)


def _update_violation(distinct: str, columns: tuple[str, ...]) -> str:
    changed = " OR ".join(f"NEW.{column} {distinct} OLD.{column}" for column in columns)
    return f"OLD.status IN ({_FINAL}) AND (NEW.status NOT IN ({_FINAL}) OR {changed})"


def _sqlite_statements(columns: tuple[str, ...]) -> list[str]:
    update = "tianping_notice_immutable_update"
    delete = "tianping_notice_immutable_delete"
    return [
        f"DROP TRIGGER IF EXISTS {update}",
        f"CREATE TRIGGER {update} BEFORE UPDATE ON {TABLE} FOR EACH ROW"
        f" WHEN {_update_violation('IS NOT', columns)}"
        f" BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_ERROR}: a published notice cannot change'); END",
        f"DROP TRIGGER IF EXISTS {delete}",
        f"CREATE TRIGGER {delete} BEFORE DELETE ON {TABLE} FOR EACH ROW"
        f" WHEN OLD.status IN ({_FINAL})"
        f" BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_ERROR}: a published notice cannot be deleted');"
        " END",
    ]


def _postgresql_statements(columns: tuple[str, ...]) -> list[str]:
    function = "tianping_notice_immutable"
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN"
        f" IF TG_OP = 'DELETE' AND OLD.status IN ({_FINAL}) THEN"
        f" RAISE EXCEPTION '{IMMUTABLE_ERROR}: a published notice cannot be deleted'"
        " USING ERRCODE = 'integrity_constraint_violation'; END IF;"
        f" IF TG_OP = 'UPDATE' AND {_update_violation('IS DISTINCT FROM', columns)} THEN"
        f" RAISE EXCEPTION '{IMMUTABLE_ERROR}: a published notice cannot change'"
        " USING ERRCODE = 'integrity_constraint_violation'; END IF;"
        " IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
        f"DROP TRIGGER IF EXISTS {function} ON {TABLE}",
        f"CREATE TRIGGER {function} BEFORE UPDATE OR DELETE ON {TABLE}"
        f" FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


def notice_trigger_statements(vendor: str, columns: tuple[str, ...] = FROZEN_COLUMNS) -> list[str]:
    if vendor == "sqlite":
        return _sqlite_statements(columns)
    if vendor == "postgresql":
        return _postgresql_statements(columns)
    raise NotImplementedError(f"no notice triggers for {vendor}")


def install_notice_triggers(apps: Any, schema_editor: Any) -> None:
    """(Re)install the triggers over the frozen columns the table has at this migration.

    An earlier migration installs them before a later one adds a column: that one installs again.
    """
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        existing = {c.name for c in connection.introspection.get_table_description(cursor, TABLE)}
    columns = tuple(column for column in FROZEN_COLUMNS if column in existing)
    for statement in notice_trigger_statements(connection.vendor, columns):
        schema_editor.execute(statement)


def notice_trigger_removal_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            "DROP TRIGGER IF EXISTS tianping_notice_immutable_update",
            "DROP TRIGGER IF EXISTS tianping_notice_immutable_delete",
        ]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS tianping_notice_immutable ON {TABLE}"]
    raise NotImplementedError(f"no notice triggers for {vendor}")


def remove_notice_triggers(apps: Any, schema_editor: Any) -> None:
    statements = notice_trigger_removal_statements(schema_editor.connection.vendor)
    if schema_editor.connection.vendor == "postgresql":
        statements.append("DROP FUNCTION IF EXISTS tianping_notice_immutable()")
    for statement in statements:
        schema_editor.execute(statement)
