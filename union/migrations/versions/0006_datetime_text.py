"""datetime text: rows written in bulk on SQLite get the microseconds every other row has

Before this revision, works, the change log and match evidence written in bulk stored
"2026-11-22 08:00:00" where every other statement writes "2026-11-22 08:00:00.000000".
SQLite compares the text, so such a row sorted before its own time and a range query
starting at its datestamp missed it. PostgreSQL stores timestamps, not text: nothing to do.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The columns the bulk writer filled (union.store.bulk_writes.fast_insert).
_COLUMNS = (
    ("works", "created_at"),
    ("works", "datestamp"),
    ("change_log", "at"),
    ("match_evidence", "decided_at"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, column in _COLUMNS:
        op.execute(f"UPDATE {table} SET {column} = {column} || '.000000' "
                   f"WHERE typeof({column}) = 'text' AND length({column}) = 19")


def downgrade() -> None:
    """Nothing to undo: the text with microseconds reads back the same."""
