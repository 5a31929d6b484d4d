"""Staff accounts, sessions and API tokens per branch (migration 0005)."""

from __future__ import annotations
