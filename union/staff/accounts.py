"""Staff accounts per branch, with argon2 password hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from union.store.models import BranchRow
from union.store.staff_models import StaffAccountRow, StaffSessionRow

__all__ = ["AccountError", "StaffMember", "add_account", "authenticate", "disable_account"]

MIN_PASSWORD = 10


class AccountError(ValueError):
    """A staff account cannot be made or changed as asked (the message says why)."""


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A signed-in staff member: the account and the one branch it acts for."""

    account_id: int
    branch: str
    username: str


def add_account(session: Session, hasher: PasswordHasher, branch: str, username: str,
                password: str, now: datetime) -> StaffMember:
    """Create a staff account of ``branch``; AccountError if the branch is unknown, the
    name is taken or the password too short."""
    if session.scalar(select(BranchRow.id).where(BranchRow.code == branch)) is None:
        raise AccountError(f"cabang tidak dikenal / unknown branch {branch!r}")
    if not username or len(username) > 64 or not username.isprintable() or " " in username:
        raise AccountError("nama pengguna 1-64 karakter tanpa spasi / "
                           "username: 1-64 characters, no spaces")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"kata sandi minimal {MIN_PASSWORD} karakter / "
                           f"password needs at least {MIN_PASSWORD} characters")
    if _account(session, branch, username) is not None:
        raise AccountError(f"{branch}/{username} sudah ada / already exists")
    row = StaffAccountRow(branch_code=branch, username=username,
                          password_hash=hasher.hash(password), created_at=now)
    session.add(row)
    session.flush()
    return StaffMember(row.id, branch, username)


def authenticate(session: Session, hasher: PasswordHasher, branch: str, username: str,
                 password: str) -> StaffMember | None:
    """The staff member if the password is right and the account active, else None. A hash
    made with older argon2 parameters is replaced by one with the current parameters."""
    row = _account(session, branch, username)
    if row is None or row.disabled_at is not None:
        # Spend the same time as a real check, so timing does not tell names apart.
        hasher.hash(password)
        return None
    try:
        hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if hasher.check_needs_rehash(row.password_hash):
        row.password_hash = hasher.hash(password)
    return StaffMember(row.id, row.branch_code, row.username)


def disable_account(session: Session, branch: str, username: str, now: datetime) -> None:
    """Revoke an account: it can no longer sign in and its sessions end now."""
    row = _account(session, branch, username)
    if row is None:
        raise AccountError(f"tidak ada akun / no account {branch}/{username}")
    row.disabled_at = now
    session.execute(update(StaffSessionRow).where(StaffSessionRow.account_id == row.id)
                    .values(expires_at=now))


def _account(session: Session, branch: str, username: str) -> StaffAccountRow | None:
    return session.scalars(select(StaffAccountRow).where(
        StaffAccountRow.branch_code == branch, StaffAccountRow.username == username)).first()
