"""What the staff interfaces are configured with, kept on their applications."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web
from argon2 import PasswordHasher

from union.staff.sessions import SessionPolicy
from union.staff.throttle import LoginThrottle

__all__ = ["SETTINGS", "StaffSettings"]


@dataclass(frozen=True, slots=True)
class StaffSettings:
    """Password hashing parameters, session lifetimes and sign-in throttling."""

    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    sessions: SessionPolicy = field(default_factory=SessionPolicy)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)


#: Where the staff applications keep their :class:`StaffSettings`.
SETTINGS = web.AppKey("staff_settings", StaffSettings)
