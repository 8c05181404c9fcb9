"""Imports running at the same time take turns, file by file."""

from __future__ import annotations

from django.db import connection

# Arbitrary constant naming "a notes import is writing" among PostgreSQL advisory locks.
_IMPORT_LOCK_KEY = 7_245_113_902


def one_file_at_a_time() -> None:
    """Imports running at the same time (a chair's upload while the command runs) take
    turns file by file, so that each file sees the projects and proposals the one before
    it created instead of creating them again. SQLite's IMMEDIATE transactions take
    turns already; PostgreSQL takes a lock held until the file's transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK_KEY])
