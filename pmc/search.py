"""What the full-text search reads of each model, said once: the models' GIN indexes
(PostgreSQL) and the search's queries are built from the same expressions, so the
planner can use the index and the two cannot drift apart.

Each document is a weighted `tsvector`: A for what names the row (a title, a team),
B for who or what else it names, C for long text. The indexes are expression indexes,
not stored columns: nothing to keep in step on write, and SQLite's tables stay as they
are (it searches with `icontains` instead, see `proposals.search`). Changing a document
changes its index: in the migration `makemigrations` writes, use AddIndexOnPostgreSQL and
RemoveIndexOnPostgreSQL instead of the plain operations.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# The text search configuration: English stemming ("moving" finds "move").
CONFIG = "english"

# {model label: ((field, weight), ...)}: the fields each document reads.
DOCUMENTS = {
    "proposals.Proposal": (("title", "A"), ("body", "B")),
    "pmc.Meeting": (("title", "A"), ("notes", "B")),
    "pmc.TeamReport": (("team", "A"), ("lead", "B"), ("body", "C")),
    "pmc.Project": (("name", "A"), ("former_names", "A"), ("lead", "B")),
}


def document(label: str) -> SearchVector:
    """The weighted tsvector of a row of the model `label` ("pmc.Meeting")."""
    vectors = [
        SearchVector(field, weight=weight, config=CONFIG) for field, weight in DOCUMENTS[label]
    ]
    combined = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined


def document_index(label: str, name: str) -> GinIndex:
    """The GIN index on the document of `label`: what `@@` reads on PostgreSQL."""
    return GinIndex(document(label), name=name)


class _OnPostgreSQL:
    """An index operation that changes the database on PostgreSQL only: SQLite has no GIN
    indexes nor text search functions, and searches without them. The index is in the
    migration state on every database, so `makemigrations` sees nothing missing."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AddIndexOnPostgreSQL(_OnPostgreSQL, migrations.AddIndex):
    """AddIndex, on PostgreSQL only."""


class RemoveIndexOnPostgreSQL(_OnPostgreSQL, migrations.RemoveIndex):
    """RemoveIndex, on PostgreSQL only."""
