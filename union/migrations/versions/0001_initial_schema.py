"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import union.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "branches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("district", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_branches")),
        sa.UniqueConstraint("code", name=op.f("uq_branches_code")),
    )
    op.create_table(
        "change_log",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("op", sa.String(length=16), nullable=False),
        sa.Column("at", union.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_change_log")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("watermark", union.store.types.UTCDateTime(), nullable=True),
        sa.Column("last_reconciled_at", union.store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_sources_branch_id_branches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("branch_id", name=op.f("uq_sources_branch_id")),
    )
    op.create_table(
        "harvest_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("started_at", union.store.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", union.store.types.UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_harvest_runs_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_harvest_runs")),
    )
    with op.batch_alter_table("harvest_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_harvest_runs_source_id"), ["source_id"], unique=False)

    op.create_table(
        "source_records",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("local_id", sa.String(length=512), nullable=False),
        sa.Column("datestamp", union.store.types.UTCDateTime(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_seen", union.store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", union.store.types.UTCDateTime(), nullable=False),
        sa.Column("last_seen_run", sa.Integer(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_source_records_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_records")),
        sa.UniqueConstraint("source_id", "local_id", name=op.f("uq_source_records_source_id")),
    )
    op.create_table(
        "bib_records",
        sa.Column(
            "source_record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["source_records.id"],
            name=op.f("fk_bib_records_source_record_id_source_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_record_id", name=op.f("pk_bib_records")),
    )
    op.create_table(
        "checkpoints",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.JSON(), nullable=True),
        sa.Column("complete_state", sa.JSON(), nullable=True),
        sa.Column("committed_at", union.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["harvest_runs.id"], name=op.f("fk_checkpoints_run_id_harvest_runs")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_checkpoints_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_checkpoints")),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "source_record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=True),
        sa.Column("call_number", sa.String(length=128), nullable=True),
        sa.Column("location", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("collection", sa.String(length=128), nullable=True),
        sa.Column("holding_label", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_items_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["source_records.id"],
            name=op.f("fk_items_source_record_id_source_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index("ix_items_source_record_id", ["source_record_id"], unique=False)

    op.create_table(
        "skipped_records",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Text(), nullable=False),
        sa.Column("local_id", sa.String(length=512), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["harvest_runs.id"], name=op.f("fk_skipped_records_run_id_harvest_runs")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_skipped_records_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skipped_records")),
    )
    with op.batch_alter_table("skipped_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_skipped_records_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("skipped_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skipped_records_run_id"))

    op.drop_table("skipped_records")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_source_record_id")

    op.drop_table("items")
    op.drop_table("checkpoints")
    op.drop_table("bib_records")
    op.drop_table("source_records")
    with op.batch_alter_table("harvest_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_harvest_runs_source_id"))

    op.drop_table("harvest_runs")
    op.drop_table("sources")
    op.drop_table("change_log")
    op.drop_table("branches")
