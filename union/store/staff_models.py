"""Staff accounts, sessions and API tokens per branch (migration 0005).

Secrets are never stored: passwords as argon2 hashes, session ids and API tokens as
SHA-256 digests (both are 256-bit random values, so a fast digest is as strong as a slow
one and keeps every request cheap).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from union.store.models import Base


class StaffAccountRow(Base):
    """A staff member of one branch; ``disabled_at`` is set when the account is revoked."""

    __tablename__ = "staff_accounts"
    __table_args__ = (UniqueConstraint("branch_code", "username"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    branch_code: Mapped[str] = mapped_column(String(32), ForeignKey("branches.code"))
    username: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class StaffSessionRow(Base):
    """A signed-in browser: ``id_digest`` is the SHA-256 of the cookie's session id;
    ``csrf_token`` is the synchronizer token every form of the session must carry."""

    __tablename__ = "staff_sessions"
    __table_args__ = (Index("ix_staff_sessions_account_id", "account_id"),)
    id_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class ApiTokenRow(Base):
    """A branch's API token for scripts: ``digest`` is the SHA-256 of the token, ``prefix``
    its first characters (shown in listings, used to revoke it)."""

    __tablename__ = "staff_api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    branch_code: Mapped[str] = mapped_column(String(32), ForeignKey("branches.code"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class LoginFailureRow(Base):
    """One failed sign-in, keyed by branch, username and client address: what login rate
    limiting counts (kept in the store so every web node counts the same failures)."""

    __tablename__ = "staff_login_failures"
    __table_args__ = (Index("ix_staff_login_failures_key", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime]
