"""Database triggers that make the event table append-only.

PostgreSQL refuses UPDATE, DELETE and TRUNCATE; SQLite refuses UPDATE and DELETE. They
are installed by a migration for whichever database is in use. The hash chain is the
evidence; the triggers stop accidents and casual edits through the application's own
database account.
"""

from __future__ import annotations

TABLE = "proposals_event"
MESSAGE = "proposals_event is append-only: record a new event instead of changing one"

_POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION proposals_event_refuse() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE} (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE TRIGGER proposals_event_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION proposals_event_refuse()
    """,
    f"""
    CREATE TRIGGER proposals_event_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION proposals_event_refuse()
    """,
]
_POSTGRES_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS proposals_event_no_update_delete ON {TABLE}",
    f"DROP TRIGGER IF EXISTS proposals_event_no_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS proposals_event_refuse()",
]
_SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS proposals_event_no_{op.lower()} BEFORE {op} ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} ({op} refused)'); END
    """
    for op in ("UPDATE", "DELETE")
]
_SQLITE_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS proposals_event_no_{op}" for op in ("update", "delete")
]


def _run(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection) -> None:
    if connection.vendor == "postgresql":
        _run(connection, _POSTGRES_INSTALL)
    elif connection.vendor == "sqlite":
        _run(connection, _SQLITE_INSTALL)


def uninstall(connection) -> None:
    if connection.vendor == "postgresql":
        _run(connection, _POSTGRES_UNINSTALL)
    elif connection.vendor == "sqlite":
        _run(connection, _SQLITE_UNINSTALL)
