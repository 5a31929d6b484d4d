"""staff: tables of union/store/staff_models.py

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import union.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_code", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", union.store.types.UTCDateTime(), nullable=False),
        sa.Column("disabled_at", union.store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["branch_code"], ["branches.code"],
                                name=op.f("fk_staff_accounts_branch_code_branches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_accounts")),
        sa.UniqueConstraint("branch_code", "username", name=op.f("uq_staff_accounts_branch_code")),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id_digest", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", union.store.types.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", union.store.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", union.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["staff_accounts.id"], ondelete="CASCADE",
                                name=op.f("fk_staff_sessions_account_id_staff_accounts")),
        sa.PrimaryKeyConstraint("id_digest", name=op.f("pk_staff_sessions")),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_staff_sessions_account_id", ["account_id"], unique=False)

    op.create_table(
        "staff_api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", union.store.types.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", union.store.types.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", union.store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["branch_code"], ["branches.code"],
                                name=op.f("fk_staff_api_tokens_branch_code_branches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_api_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_staff_api_tokens_digest")),
        sa.UniqueConstraint("prefix", name=op.f("uq_staff_api_tokens_prefix")),
    )
    op.create_table(
        "staff_login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("at", union.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_login_failures")),
    )
    with op.batch_alter_table("staff_login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_staff_login_failures_key", ["key"], unique=False)


def downgrade() -> None:
    op.drop_table("staff_login_failures")
    op.drop_table("staff_api_tokens")
    op.drop_table("staff_sessions")
    op.drop_table("staff_accounts")
