"""Server-side staff sessions: a random id in an HttpOnly cookie, a row in the store
(keyed by the id's digest), an idle and an absolute expiry, and the session's CSRF
synchronizer token."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from union.staff.accounts import StaffMember
from union.staff.tokens import digest
from union.store.staff_models import StaffAccountRow, StaffSessionRow

__all__ = ["OpenSession", "SessionPolicy", "close_session", "csrf_matches", "open_session",
           "resume_session"]


#: How stale ``last_seen_at`` may get before a request writes it again: most requests of a
#: busy desk then only read the session row.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """How long a session lives: ``idle`` since it was last used, ``lifetime`` at most."""

    idle: timedelta = timedelta(hours=2)
    lifetime: timedelta = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class OpenSession:
    """A live session: who, and the token its forms carry. ``session_id`` is the cookie's
    value (only known when the session is opened or resumed from the cookie)."""

    session_id: str
    member: StaffMember
    csrf_token: str


def open_session(session: Session, member: StaffMember, now: datetime,
                 policy: SessionPolicy) -> OpenSession:
    """Start a session for a member who has just signed in (and drop every session that
    has expired, so abandoned ones do not pile up)."""
    session.execute(delete(StaffSessionRow).where(StaffSessionRow.expires_at <= now))
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(StaffSessionRow(id_digest=digest(session_id), account_id=member.account_id,
                                csrf_token=csrf, created_at=now, last_seen_at=now,
                                expires_at=_expiry(now, now, policy)))
    return OpenSession(session_id, member, csrf)


def resume_session(session: Session, session_id: str, now: datetime,
                   policy: SessionPolicy) -> OpenSession | None:
    """The live session with this id, its idle expiry pushed on; None (and the row gone)
    when it has expired or its account was disabled."""
    found = session.execute(
        select(StaffSessionRow, StaffAccountRow)
        .join(StaffAccountRow, StaffAccountRow.id == StaffSessionRow.account_id)
        .where(StaffSessionRow.id_digest == digest(session_id))
    ).first()
    if found is None:
        return None
    row, account = found
    if row.expires_at <= now or account.disabled_at is not None:
        session.delete(row)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        row.expires_at = _expiry(row.created_at, now, policy)
    member = StaffMember(account.id, account.branch_code, account.username)
    return OpenSession(session_id, member, row.csrf_token)


def close_session(session: Session, session_id: str) -> None:
    """Sign out: the session row is deleted."""
    session.execute(delete(StaffSessionRow)
                    .where(StaffSessionRow.id_digest == digest(session_id)))


def csrf_matches(expected: str, given: str | None) -> bool:
    """True when a form carried the session's CSRF token (compared in constant time)."""
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def _expiry(created: datetime, now: datetime, policy: SessionPolicy) -> datetime:
    return min(now + policy.idle, created + policy.lifetime)
