"""API tokens per branch, for scripts: shown once, stored as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from union.staff.accounts import AccountError
from union.store.models import BranchRow
from union.store.staff_models import ApiTokenRow

__all__ = ["IssuedToken", "TokenHolder", "digest", "issue_token", "revoke_token",
           "token_holder"]

PREFIX = "ukt_"
#: How stale ``last_used_at`` may get before a request writes it again.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: ``secret`` is printed once and never stored."""

    branch: str
    name: str
    prefix: str
    secret: str


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """A script acting for a branch through one of its tokens."""

    token_id: int
    branch: str
    name: str


def digest(secret: str) -> str:
    """The SHA-256 hex digest kept in place of a random secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(session: Session, branch: str, name: str, now: datetime) -> IssuedToken:
    """A new API token for ``branch``."""
    if session.scalar(select(BranchRow.id).where(BranchRow.code == branch)) is None:
        raise AccountError(f"cabang tidak dikenal / unknown branch {branch!r}")
    secret = PREFIX + secrets.token_urlsafe(32)
    prefix = secret[: len(PREFIX) + 8]
    session.add(ApiTokenRow(branch_code=branch, name=name, prefix=prefix,
                            digest=digest(secret), created_at=now))
    session.flush()
    return IssuedToken(branch, name, prefix, secret)


def token_holder(session: Session, secret: str, now: datetime) -> TokenHolder | None:
    """Whose token this is, or None for an unknown or revoked token."""
    row = session.scalars(select(ApiTokenRow).where(ApiTokenRow.digest == digest(secret))).first()
    if row is None or row.revoked_at is not None:
        return None
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        row.last_used_at = now
    return TokenHolder(row.id, row.branch_code, row.name)


def revoke_token(session: Session, branch: str, prefix: str, now: datetime) -> None:
    """Revoke the branch's token that starts with ``prefix``."""
    row = session.scalars(select(ApiTokenRow).where(
        ApiTokenRow.branch_code == branch, ApiTokenRow.prefix == prefix)).first()
    if row is None:
        raise AccountError(f"tidak ada token / no token {prefix!r} of {branch}")
    row.revoked_at = now
