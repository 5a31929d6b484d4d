"""The union catalogue's OAI-PMH feed: what it keeps besides the works (migration 0003).

``feed_records`` is derived and rebuildable: one row per work the feed has published,
with the datestamp of its last change as the feed shows it, its leaf sets (kept after a
deletion, so selective harvesters learn of it), a digest of everything its output is made
of, and its metadata rendered in both formats, so a harvest reads pages without rendering.
``feed_state`` keeps the feed's settings that must outlive a process (the generated token
secret, the digest of the configuration the sets were computed with).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from union.store.models import Base


class FeedRecordRow(Base):
    """One work as the feed publishes it; ``sets`` are its leaf setSpecs joined by spaces."""

    __tablename__ = "feed_records"
    __table_args__ = (Index("ix_feed_records_datestamp", "datestamp", "work_id"),)
    work_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    datestamp: Mapped[datetime]
    deleted: Mapped[bool] = mapped_column(Boolean)
    sets: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    oai_dc: Mapped[str | None] = mapped_column(Text)
    marc21: Mapped[str | None] = mapped_column(Text)


class FeedRecordSetRow(Base):
    """A work's membership of a leaf set: what selective harvests filter on."""

    __tablename__ = "feed_record_sets"
    work_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    spec: Mapped[str] = mapped_column(String(160), primary_key=True)


class FeedStateRow(Base):
    """A named value the feed keeps in the store (``token_secret``, ``config``)."""

    __tablename__ = "feed_state"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
