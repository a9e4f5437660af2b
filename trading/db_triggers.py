"""The trading app's database triggers: 管办分离 by employer, and the append-only ledger.

管办分离 (DESIGN.md invariant 5): the granting service refuses bad grants with a translated message;
these triggers refuse the same grants when they arrive any other way (admin, ORM, bulk_create, raw
SQL). The conditions are generated from `trading.domain.employer` so the service and the database
cannot disagree. Every refusal message starts with EMPLOYER_ERROR so callers can recognise it.

The ledger (invariant 6): entries and checkpoints are only ever inserted; the database refuses to
update or delete them (and, on PostgreSQL, to truncate them), whatever path tries. Messages start
with LEDGER_ERROR. Only `manage.py flush`, which empties the whole database, lifts them (see
trading/management/commands/flush.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trading.domain.employer import GRANT_HOLDER, GRANT_TARGET, Grant

EMPLOYER_ERROR = "tianping-employer"
GRANT_CODENAMES = tuple(grant.value for grant in GRANT_HOLDER)
_CODES = ", ".join(f"'{code}'" for code in GRANT_CODENAMES)


def _perm_codename(perm: str) -> str:
    return f"(SELECT codename FROM auth_permission WHERE id = {perm})"


def _user_kind(user: str) -> str:
    return (
        "(SELECT o.kind FROM trading_user u JOIN trading_organisation o ON o.id = u.organisation_id"
        f" WHERE u.id = {user})"
    )


def _object_grant_violation() -> str:
    """True when NEW (a guardian user-object permission) is a grant its holder may not have."""
    clauses = []
    for grant, holder in GRANT_HOLDER.items():
        app_label, model = GRANT_TARGET[grant].split(".")
        fits = [
            "NEW.content_type_id = (SELECT id FROM django_content_type"
            f" WHERE app_label = '{app_label}' AND model = '{model}')",
            f"COALESCE({_user_kind('NEW.user_id')}, '') = '{holder.value}'",
        ]
        if model == "jurisdiction":
            # A regulator supervises only the jurisdictions it is the regulator of.
            fits.append(
                "(SELECT regulator_id FROM trading_jurisdiction"
                " WHERE id = CAST(NEW.object_pk AS BIGINT))"
                " = (SELECT organisation_id FROM trading_user WHERE id = NEW.user_id)"
            )
        clauses.append(
            f"({_perm_codename('NEW.permission_id')} = '{grant.value}'"
            f" AND NOT ({' AND '.join(fits)}))"
        )
    return " OR ".join(clauses)


def _supervised(jurisdiction: str) -> str:
    app_label, model = GRANT_TARGET[Grant.SUPERVISE_JURISDICTION].split(".")
    return (
        "EXISTS (SELECT 1 FROM guardian_userobjectpermission g"
        " JOIN auth_permission p ON p.id = g.permission_id"
        f" WHERE p.codename = '{Grant.SUPERVISE_JURISDICTION.value}'"
        " AND g.content_type_id = (SELECT id FROM django_content_type"
        f" WHERE app_label = '{app_label}' AND model = '{model}')"
        f" AND g.object_pk = CAST({jurisdiction} AS VARCHAR(255)))"
    )


def _holds_grant(user: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM guardian_userobjectpermission g"
        " JOIN auth_permission p ON p.id = g.permission_id"
        f" WHERE g.user_id = {user} AND p.codename IN ({_CODES}))"
    )


# (name, table, events, violation condition, message)
RULES: list[tuple[str, str, tuple[str, ...], str, str]] = [
    (
        "object_grant",
        "guardian_userobjectpermission",
        ("INSERT", "UPDATE"),
        _object_grant_violation(),
        "grant does not fit the employer of its holder",
    ),
    (
        "group_object_grant",
        "guardian_groupobjectpermission",
        ("INSERT", "UPDATE"),
        f"{_perm_codename('NEW.permission_id')} IN ({_CODES})",
        "operating and supervising grants are personal, never given to groups",
    ),
    (
        "user_global_grant",
        "trading_user_user_permissions",
        ("INSERT", "UPDATE"),
        f"{_perm_codename('NEW.permission_id')} IN ({_CODES})",
        "operating and supervising grants are held on one desk or jurisdiction, never globally",
    ),
    (
        "group_global_grant",
        "auth_group_permissions",
        ("INSERT", "UPDATE"),
        f"{_perm_codename('NEW.permission_id')} IN ({_CODES})",
        "operating and supervising grants are never given to groups",
    ),
    (
        "user_changes_employer",
        "trading_user",
        ("UPDATE",),
        "COALESCE(NEW.organisation_id, -1) <> COALESCE(OLD.organisation_id, -1)"
        f" AND {_holds_grant('NEW.id')}",
        "a user holding grants cannot change organisation",
    ),
    (
        "organisation_changes_kind",
        "trading_organisation",
        ("UPDATE",),
        "NEW.kind <> OLD.kind AND EXISTS (SELECT 1 FROM trading_user u"
        f" WHERE u.organisation_id = NEW.id AND {_holds_grant('u.id')})",
        "an organisation whose users hold grants cannot change kind",
    ),
    (
        # Its supervisors would watch another regulator's jurisdiction.
        "jurisdiction_changes_regulator",
        "trading_jurisdiction",
        ("UPDATE",),
        f"NEW.regulator_id <> OLD.regulator_id AND {_supervised('NEW.id')}",
        "a jurisdiction with supervising grants cannot change regulator",
    ),
]


def _sqlite_statements() -> list[str]:
    statements = []
    for name, table, events, condition, message in RULES:
        for event in events:
            trigger = f"tianping_{name}_{event.lower()}"
            statements.append(f"DROP TRIGGER IF EXISTS {trigger}")
            statements.append(
                f"CREATE TRIGGER {trigger} BEFORE {event} ON {table} FOR EACH ROW"
                f" WHEN {condition}"
                f" BEGIN SELECT RAISE(ABORT, '{EMPLOYER_ERROR}: {message}'); END"
            )
    return statements


def _postgresql_statements() -> list[str]:
    statements = []
    for name, table, events, condition, message in RULES:
        function = f"tianping_{name}"
        statements.append(
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN IF {condition} THEN RAISE EXCEPTION '{EMPLOYER_ERROR}: {message}'"
            " USING ERRCODE = 'integrity_constraint_violation'; END IF; RETURN NEW; END $$"
        )
        statements.append(f"DROP TRIGGER IF EXISTS {function} ON {table}")
        statements.append(
            f"CREATE TRIGGER {function} BEFORE {' OR '.join(events)} ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
    return statements


def employer_trigger_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return _sqlite_statements()
    if vendor == "postgresql":
        return _postgresql_statements()
    raise NotImplementedError(f"no employer triggers for {vendor}")


def install_employer_triggers(apps: Any, schema_editor: Any) -> None:
    for statement in employer_trigger_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def remove_employer_triggers(apps: Any, schema_editor: Any) -> None:
    for name, table, events, _condition, _message in RULES:
        if schema_editor.connection.vendor == "sqlite":
            for event in events:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS tianping_{name}_{event.lower()}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS tianping_{name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS tianping_{name}()")


def around_sqlite_table_rebuild(
    operations: list[Any],
) -> list[Any]:
    """`operations` with the employer triggers lifted around them on SQLite.

    SQLite cannot alter a table in place: Django rebuilds it (create, copy, drop, rename). The drop
    takes the table's own triggers with it, and the rename fails while another table's trigger
    names the dropped one, so a migration that rebuilds trading_user or trading_organisation
    removes the triggers first and installs them again after. PostgreSQL alters in place.
    """
    from django.db import migrations

    def on_sqlite(function: Any) -> Any:
        def run(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor == "sqlite":
                function(apps, schema_editor)

        return run

    return [
        migrations.RunPython(
            on_sqlite(remove_employer_triggers), on_sqlite(install_employer_triggers)
        ),
        *operations,
        migrations.RunPython(
            on_sqlite(install_employer_triggers), on_sqlite(remove_employer_triggers)
        ),
    ]


# --- the append-only ledger ---------------------------------------------------------------------

LEDGER_ERROR = "tianping-ledger-append-only"
APPEND_ONLY_TABLES = ("trading_ledgerentry", "trading_ledgercheckpoint")


def _ledger_sqlite_statements() -> list[str]:
    statements = []
    for table in APPEND_ONLY_TABLES:
        for event in ("UPDATE", "DELETE"):
            trigger = f"tianping_append_only_{table}_{event.lower()}"
            statements.append(f"DROP TRIGGER IF EXISTS {trigger}")
            statements.append(
                f"CREATE TRIGGER {trigger} BEFORE {event} ON {table} FOR EACH ROW"
                f" BEGIN SELECT RAISE(ABORT, '{LEDGER_ERROR}: {table} refuses {event}'); END"
            )
    return statements


def _ledger_postgresql_statements() -> list[str]:
    function = "tianping_append_only"
    statements = [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN RAISE EXCEPTION USING MESSAGE = '{LEDGER_ERROR}: ' || TG_TABLE_NAME"
        " || ' refuses ' || TG_OP, ERRCODE = 'integrity_constraint_violation'; END $$"
    ]
    for table in APPEND_ONLY_TABLES:
        # TRUNCATE skips row triggers: it gets a statement trigger of its own.
        statements += [
            f"DROP TRIGGER IF EXISTS {function} ON {table}",
            f"CREATE TRIGGER {function} BEFORE UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"DROP TRIGGER IF EXISTS {function}_truncate ON {table}",
            f"CREATE TRIGGER {function}_truncate BEFORE TRUNCATE ON {table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    return statements


def ledger_trigger_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return _ledger_sqlite_statements()
    if vendor == "postgresql":
        return _ledger_postgresql_statements()
    raise NotImplementedError(f"no ledger triggers for {vendor}")


def ledger_trigger_removal_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS tianping_append_only_{table}_{event}"
            for table in APPEND_ONLY_TABLES
            for event in ("update", "delete")
        ]
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS tianping_append_only{suffix} ON {table}"
            for table in APPEND_ONLY_TABLES
            for suffix in ("", "_truncate")
        ]
    raise NotImplementedError(f"no ledger triggers for {vendor}")


def install_ledger_triggers(apps: Any, schema_editor: Any) -> None:
    for statement in ledger_trigger_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def remove_ledger_triggers(apps: Any, schema_editor: Any) -> None:
    statements = ledger_trigger_removal_statements(schema_editor.connection.vendor)
    if schema_editor.connection.vendor == "postgresql":
        statements.append("DROP FUNCTION IF EXISTS tianping_append_only()")
    for statement in statements:
        schema_editor.execute(statement)


# --- guards that only `manage.py flush` lifts ----------------------------------------------------


@dataclass(frozen=True)
class FlushGuard:
    """Triggers that keep history unchangeable, and how to lift and reinstall them for a flush.

    Apps register theirs (`AppConfig.ready`): trading cannot import notices, yet its flush must
    lift the notices' guard as well as the ledger's.
    """

    name: str
    install: Callable[[str], list[str]]
    remove: Callable[[str], list[str]]


_flush_guards: dict[str, FlushGuard] = {}


def register_flush_guard(guard: FlushGuard) -> None:
    _flush_guards[guard.name] = guard


def flush_guards() -> list[FlushGuard]:
    return list(_flush_guards.values())


register_flush_guard(
    FlushGuard("trading.ledger", ledger_trigger_statements, ledger_trigger_removal_statements)
)
