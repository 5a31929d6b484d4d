"""The whole schema: every module that declares tables, imported so that one metadata
holds them all (what migrations are compared with)."""

from __future__ import annotations

from union.store import feed_models, staff_models, sync_models
from union.store.models import Base

__all__ = ["feed_models", "metadata", "staff_models", "sync_models"]

metadata = Base.metadata
