"""works: de-duplicated union records, their members, match keys and evidence, staff
overrides and the clusterer's change-log cursor

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import union.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "cluster_cursor",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", union.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cluster_cursor")),
    )
    op.create_table(
        "match_evidence",
        sa.Column("record_a", BIG_ID, nullable=False),
        sa.Column("record_b", BIG_ID, nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.Column("decided_at", union.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("record_a", "record_b", name=op.f("pk_match_evidence")),
    )
    with op.batch_alter_table("match_evidence", schema=None) as batch_op:
        batch_op.create_index("ix_match_evidence_record_b", ["record_b"], unique=False)

    op.create_table(
        "match_keys",
        sa.Column("source_record_id", BIG_ID, nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("source_record_id", "key", name=op.f("pk_match_keys")),
    )
    with op.batch_alter_table("match_keys", schema=None) as batch_op:
        batch_op.create_index("ix_match_keys_key", ["key"], unique=False)

    op.create_table(
        "overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("code_a", sa.String(length=32), nullable=False),
        sa.Column("local_a", sa.String(length=512), nullable=False),
        sa.Column("code_b", sa.String(length=32), nullable=False),
        sa.Column("local_b", sa.String(length=512), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", union.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overrides")),
        sa.UniqueConstraint(
            "code_a", "local_a", "code_b", "local_b", name=op.f("uq_overrides_code_a")
        ),
    )
    op.create_table(
        "works",
        sa.Column("id", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into", sa.BigInteger(), nullable=True),
        sa.Column("created_at", union.store.types.UTCDateTime(), nullable=False),
        sa.Column("datestamp", union.store.types.UTCDateTime(), nullable=False),
        sa.Column("display", sa.JSON(), nullable=True),
        sa.Column("display_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_works")),
    )
    with op.batch_alter_table("works", schema=None) as batch_op:
        batch_op.create_index("ix_works_merged_into", ["merged_into"], unique=False)

    op.create_table(
        "work_members",
        sa.Column("source_record_id", BIG_ID, nullable=False),
        sa.Column("work_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["source_records.id"],
            name=op.f("fk_work_members_source_record_id_source_records"),
        ),
        sa.ForeignKeyConstraint(
            ["work_id"], ["works.id"], name=op.f("fk_work_members_work_id_works")
        ),
        sa.PrimaryKeyConstraint("source_record_id", name=op.f("pk_work_members")),
    )
    with op.batch_alter_table("work_members", schema=None) as batch_op:
        batch_op.create_index("ix_work_members_work_id", ["work_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_members", schema=None) as batch_op:
        batch_op.drop_index("ix_work_members_work_id")
    op.drop_table("work_members")
    with op.batch_alter_table("works", schema=None) as batch_op:
        batch_op.drop_index("ix_works_merged_into")
    op.drop_table("works")
    op.drop_table("overrides")
    with op.batch_alter_table("match_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_match_keys_key")
    op.drop_table("match_keys")
    with op.batch_alter_table("match_evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_match_evidence_record_b")
    op.drop_table("match_evidence")
    op.drop_table("cluster_cursor")
