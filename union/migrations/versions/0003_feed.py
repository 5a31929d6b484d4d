"""feed: tables of union/store/feed_models.py (published records, their sets, state)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import union.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_records",
        sa.Column("work_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("datestamp", union.store.types.UTCDateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("sets", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("oai_dc", sa.Text(), nullable=True),
        sa.Column("marc21", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("work_id", name=op.f("pk_feed_records")),
    )
    op.create_index("ix_feed_records_datestamp", "feed_records", ["datestamp", "work_id"],
                    unique=False)
    op.create_table(
        "feed_record_sets",
        sa.Column("work_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("spec", sa.String(length=160), nullable=False),
        sa.PrimaryKeyConstraint("work_id", "spec", name=op.f("pk_feed_record_sets")),
    )
    op.create_table(
        "feed_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_feed_state")),
    )


def downgrade() -> None:
    op.drop_table("feed_state")
    op.drop_table("feed_record_sets")
    op.drop_index("ix_feed_records_datestamp", table_name="feed_records")
    op.drop_table("feed_records")
