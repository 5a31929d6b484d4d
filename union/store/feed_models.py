"""The union catalogue's OAI-PMH feed: what it keeps besides the works (migration 0003)."""

from __future__ import annotations
