"""A stored opening record is immutable in the database too (DESIGN.md invariant 7).

Once its PDF is stored, nothing changes what the record says, where its file is or when it was
made and published, whatever path the change takes, and it cannot be deleted. The same triggers
as the complaint documents' (notices.complaint_triggers), on the opening records' table.
"""

from __future__ import annotations

from typing import Any, Final

IMMUTABLE_ERROR: Final = "tianping-opening-record-immutable"
TABLE: Final = "notices_openingrecord"
FROZEN_COLUMNS: Final = (
    "lot_id",
    "source_event_id",
    "issuer",
    "verification_code",
    "data",
    "created_at",
    "pdf",
    "pdf_sha256",
    "hash_alg",
    "template_version",
    "document_html",
    "stored_at",
    "published_at",
)
_NAME: Final = "tianping_opening_record_immutable"


def _changed(distinct: str) -> str:
    return " OR ".join(f"NEW.{column} {distinct} OLD.{column}" for column in FROZEN_COLUMNS)


def opening_record_trigger_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {_NAME}_update",
            f"CREATE TRIGGER {_NAME}_update BEFORE UPDATE ON {TABLE} FOR EACH ROW"
            f" WHEN OLD.stored_at IS NOT NULL AND ({_changed('IS NOT')})"
            f" BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_ERROR}: a stored record cannot change');"
            " END",
            f"DROP TRIGGER IF EXISTS {_NAME}_delete",
            f"CREATE TRIGGER {_NAME}_delete BEFORE DELETE ON {TABLE} FOR EACH ROW"
            " WHEN OLD.stored_at IS NOT NULL"
            f" BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_ERROR}: a stored record cannot be"
            " deleted'); END",
        ]
    if vendor == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {_NAME}() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN"
            " IF TG_OP = 'DELETE' AND OLD.stored_at IS NOT NULL THEN"
            f" RAISE EXCEPTION '{IMMUTABLE_ERROR}: a stored record cannot be deleted'"
            " USING ERRCODE = 'integrity_constraint_violation'; END IF;"
            " IF TG_OP = 'UPDATE' AND OLD.stored_at IS NOT NULL"
            f" AND ({_changed('IS DISTINCT FROM')}) THEN"
            f" RAISE EXCEPTION '{IMMUTABLE_ERROR}: a stored record cannot change'"
            " USING ERRCODE = 'integrity_constraint_violation'; END IF;"
            " IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
            f"DROP TRIGGER IF EXISTS {_NAME} ON {TABLE}",
            f"CREATE TRIGGER {_NAME} BEFORE UPDATE OR DELETE ON {TABLE}"
            f" FOR EACH ROW EXECUTE FUNCTION {_NAME}()",
        ]
    raise NotImplementedError(f"no opening record triggers for {vendor}")


def opening_record_trigger_removal_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {_NAME}_update", f"DROP TRIGGER IF EXISTS {_NAME}_delete"]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {_NAME} ON {TABLE}"]
    raise NotImplementedError(f"no opening record triggers for {vendor}")


def install_opening_record_triggers(apps: Any, schema_editor: Any) -> None:
    for statement in opening_record_trigger_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def remove_opening_record_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = opening_record_trigger_removal_statements(vendor)
    if vendor == "postgresql":
        statements.append(f"DROP FUNCTION IF EXISTS {_NAME}()")
    for statement in statements:
        schema_editor.execute(statement)
