"""sync: tables of union/store/sync_models.py (hub streams and keys; branch nodes' state,
outbox, acknowledgements, audit chain, custody; harvest conflicts)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import union.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sync_audit",
        sa.Column("branch", sa.String(length=32), nullable=False),
        sa.Column("index", sa.BigInteger(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("branch", "index", name=op.f("pk_sync_audit")),
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("item_id", sa.String(length=128), nullable=False),
        sa.Column("listed_by", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.Column("detected_at", union.store.types.UTCDateTime(), nullable=False),
        sa.Column("resolution", sa.String(length=32), nullable=True),
        sa.Column("resolved_at", union.store.types.UTCDateTime(), nullable=True),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflicts")),
    )
    op.create_index(op.f("ix_sync_conflicts_item_id"), "sync_conflicts", ["item_id"], unique=False)
    op.create_table(
        "sync_custody",
        sa.Column("item_id", sa.String(length=128), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("hold_kind", sa.String(length=16), nullable=True),
        sa.Column("hold_id", sa.String(length=128), nullable=True),
        sa.Column("hold_branch", sa.String(length=32), nullable=True),
        sa.Column("updated_at", union.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_sync_custody")),
    )
    op.create_index(op.f("ix_sync_custody_owner"), "sync_custody", ["owner"], unique=False)
    op.create_table(
        "sync_heard",
        sa.Column("branch", sa.String(length=32), nullable=False),
        sa.Column("at", union.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("branch", name=op.f("pk_sync_heard")),
    )
    op.create_table(
        "sync_held",
        sa.Column("branch", sa.String(length=32), nullable=False),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("held", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("branch", "origin", name=op.f("pk_sync_held")),
    )
    op.create_table(
        "sync_keys",
        sa.Column("branch", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("enrolled_at", union.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("branch", name=op.f("pk_sync_keys")),
    )
    op.create_table(
        "sync_nodes",
        sa.Column("branch", sa.String(length=32), nullable=False),
        sa.Column("next_seq", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", union.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("branch", name=op.f("pk_sync_nodes")),
    )
    op.create_table(
        "sync_outbox",
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("acked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "seq", name=op.f("pk_sync_outbox")),
    )
    op.create_table(
        "sync_refusals",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("at", union.store.types.UTCDateTime(), nullable=False),
        sa.Column("receiver", sa.String(length=32), nullable=False),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_refusals")),
    )
    op.create_table(
        "sync_stream",
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("admitted", sa.BigInteger(), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("refusal", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("received_at", union.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "seq", name=op.f("pk_sync_stream")),
        sa.UniqueConstraint("admitted", name=op.f("uq_sync_stream_admitted")),
    )
    op.create_index(op.f("ix_sync_stream_recipient"), "sync_stream", ["recipient"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sync_stream_recipient"), table_name="sync_stream")
    op.drop_table("sync_stream")
    op.drop_table("sync_refusals")
    op.drop_table("sync_outbox")
    op.drop_table("sync_nodes")
    op.drop_table("sync_keys")
    op.drop_table("sync_held")
    op.drop_table("sync_heard")
    op.drop_index(op.f("ix_sync_custody_owner"), table_name="sync_custody")
    op.drop_table("sync_custody")
    op.drop_index(op.f("ix_sync_conflicts_item_id"), table_name="sync_conflicts")
    op.drop_table("sync_conflicts")
    op.drop_table("sync_audit")
