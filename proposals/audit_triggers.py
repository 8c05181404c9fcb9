"""Database triggers that make the audit tables append-only: the event log and the
signed checkpoints.

PostgreSQL refuses UPDATE, DELETE and TRUNCATE; SQLite refuses UPDATE and DELETE. They
are installed by migrations for whichever database is in use. The hash chain, the seals
and the checkpoints are the evidence; the triggers stop accidents and casual edits
through the application's own database account.
"""

from __future__ import annotations

from collections.abc import Iterable

TABLE = "proposals_event"
CHECKPOINT_TABLE = "proposals_checkpoint"
TABLES = (TABLE, CHECKPOINT_TABLE)
MESSAGE = "proposals_event is append-only: record a new event instead of changing one"
_MESSAGES = {
    TABLE: MESSAGE,
    CHECKPOINT_TABLE: "proposals_checkpoint is append-only: sign a new checkpoint instead",
}


def _postgres_install(table: str) -> list[str]:
    # Idempotent, like SQLite's IF NOT EXISTS: puts back whichever trigger is missing.
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"""
        CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '{_MESSAGES[table]} (% refused)', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$ LANGUAGE plpgsql
        """,
        f"""
        CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {table}_refuse()
        """,
        f"""
        CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse()
        """,
    ]


def _postgres_uninstall(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_refuse()",
    ]


def _sqlite_install(table: str) -> list[str]:
    return [
        f"""
        CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table}
        BEGIN SELECT RAISE(ABORT, '{_MESSAGES[table]} ({op} refused)'); END
        """
        for op in ("UPDATE", "DELETE")
    ]


def _sqlite_uninstall(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete")]


def _run(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection, tables: Iterable[str] = TABLES) -> None:
    for table in tables:
        if connection.vendor == "postgresql":
            _run(connection, _postgres_install(table))
        elif connection.vendor == "sqlite":
            _run(connection, _sqlite_install(table))


def uninstall(connection, tables: Iterable[str] = TABLES) -> None:
    for table in tables:
        if connection.vendor == "postgresql":
            _run(connection, _postgres_uninstall(table))
        elif connection.vendor == "sqlite":
            _run(connection, _sqlite_uninstall(table))
