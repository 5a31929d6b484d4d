"""Sign-in rate limiting: after too many failures for one branch, username and client
address within a window, further attempts are refused until the window has passed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from union.store.staff_models import LoginFailureRow

__all__ = ["LoginThrottle", "throttle_key"]


def throttle_key(branch: str, username: str, address: str) -> str:
    """What failures are counted by: the branch, the (case-folded) name and the address."""
    return f"{branch}/{username.casefold()[:64]}@{address[:64]}"


@dataclass(frozen=True, slots=True)
class LoginThrottle:
    """At most ``limit`` failed sign-ins per key within ``window``."""

    limit: int = 5
    window: timedelta = timedelta(minutes=15)

    def blocked(self, session: Session, key: str, now: datetime) -> bool:
        """True when the key has used up its failures for now."""
        failures = session.scalar(select(func.count()).select_from(LoginFailureRow).where(
            LoginFailureRow.key == key, LoginFailureRow.at > now - self.window))
        return (failures or 0) >= self.limit

    def failed(self, session: Session, key: str, now: datetime) -> None:
        """Count one failure, and forget failures older than the window."""
        session.execute(delete(LoginFailureRow).where(LoginFailureRow.at <= now - self.window))
        session.add(LoginFailureRow(key=key, at=now))

    def succeeded(self, session: Session, key: str) -> None:
        """A right password clears the key's failures."""
        session.execute(delete(LoginFailureRow).where(LoginFailureRow.key == key))
