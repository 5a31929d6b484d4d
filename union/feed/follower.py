"""Keeping the feed's published records in step with the works (the edge).

The clusterer appends ``entity='work'`` rows to the change log whenever a work's output
changes; :func:`refresh_feed` follows them from its own cursor, re-renders each changed
work once and stamps it with the store's clock. A work whose rendered content is
unchanged keeps its datestamp. When the federation's branches or region change (a
branch renamed, a village library becoming a city one), every work is looked at again
and only those whose sets or holdings changed get a new datestamp. Deleted and merged
works become deleted records for ever, keeping the sets they last had.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from union.feed.datestamps import utc_second
from union.feed.formats import render_all
from union.feed.records import FeedRecord
from union.feed.work_records import Branches, work_content
from union.store.bulk_writes import chunks
from union.store.change_log import high_water, lock_cursor
from union.store.engine import Store
from union.store.feed_models import FeedRecordRow, FeedRecordSetRow, FeedStateRow
from union.store.models import ChangeRow, WorkRow

__all__ = ["CURSOR", "FeedRefresh", "refresh_feed"]

CURSOR = "feed"
_CONFIG = "config"
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class FeedRefresh:
    """What one refresh did: works looked at, records (re)published, deleted."""

    examined: int
    published: int
    deleted: int


def refresh_feed(store: Store, branches: Branches, clock: Clock, *,
                 batch: int = 1000) -> FeedRefresh:
    """Bring the published records up to date with the works; one transaction."""
    upto = high_water(store)
    now = utc_second(clock())
    examined = published = deleted = 0
    with store.write() as session:
        cursor = lock_cursor(session, now, CURSOR)
        config = session.get(FeedStateRow, _CONFIG)
        # First run, or the branches or region changed: every work is looked at again.
        full = config is None or config.value != branches.digest
        if not full and cursor.seq >= upto:
            return FeedRefresh(0, 0, 0)
        ids = _all_works(session, batch) if full else _changed_works(session, cursor.seq, upto)
        for part in chunks(ids, batch):
            counts = _refresh(session, part, branches, now)
            examined += len(part)
            published += counts[0]
            deleted += counts[1]
        cursor.seq = max(cursor.seq, upto)
        cursor.updated_at = now
        if config is None:
            session.add(FeedStateRow(name=_CONFIG, value=branches.digest))
        else:
            config.value = branches.digest
    return FeedRefresh(examined, published, deleted)


def _all_works(session: Session, batch: int) -> Iterator[int]:
    """Every work id, in id order, read a batch at a time."""
    last = 0
    while True:
        ids = list(session.scalars(select(WorkRow.id).where(WorkRow.id > last)
                                   .order_by(WorkRow.id).limit(batch)))
        yield from ids
        if len(ids) < batch:
            return
        last = ids[-1]


def _changed_works(session: Session, after: int, upto: int) -> list[int]:
    """Works named by the change log in (after, upto]."""
    return sorted(set(session.scalars(
        select(ChangeRow.entity_id).where(ChangeRow.entity == "work", ChangeRow.seq > after,
                                          ChangeRow.seq <= upto))))


def _refresh(session: Session, ids: list[int], branches: Branches,
             now: datetime) -> tuple[int, int]:
    """Re-publish the works among ``ids`` whose output changed; (published, deleted)."""
    published: dict[int, tuple[FeedRecord | None, str | None, tuple[str, ...]]] = {}
    existing = {row.work_id: row for row in session.execute(
        select(FeedRecordRow.work_id, FeedRecordRow.deleted, FeedRecordRow.sets,
               FeedRecordRow.content_hash).where(FeedRecordRow.work_id.in_(ids)))}
    works = session.execute(select(WorkRow.id, WorkRow.status, WorkRow.display,
                                   WorkRow.display_hash).where(WorkRow.id.in_(ids)))
    for work_id, status, display, display_hash in works:
        before = existing.get(work_id)
        if status == "live" and display is not None:
            content = work_content(display, display_hash, branches)
            if before is not None and not before.deleted and before.content_hash == content.digest:
                continue
            record = FeedRecord(work_id=str(work_id), datestamp=now, sets=content.sets,
                                bib=content.bib, holdings=content.holdings)
            published[work_id] = (record, content.digest, content.sets)
        elif before is None or not before.deleted:
            # Gone: a deleted header for ever, in the sets it last had.
            sets = tuple(before.sets.split()) if before is not None else ()
            published[work_id] = (None, None, sets)
    if not published:
        return 0, 0
    changed = sorted(published)
    session.execute(delete(FeedRecordRow).where(FeedRecordRow.work_id.in_(changed)))
    session.execute(delete(FeedRecordSetRow).where(FeedRecordSetRow.work_id.in_(changed)))
    session.execute(insert(FeedRecordRow), list(_rows(published.items(), now)))
    memberships = [{"work_id": wid, "spec": spec}
                   for wid, (_, _, sets) in published.items() for spec in sets]
    if memberships:
        session.execute(insert(FeedRecordSetRow), memberships)
    gone = sum(1 for record, _, _ in published.values() if record is None)
    return len(published) - gone, gone


def _rows(published: Iterable[tuple[int, tuple[FeedRecord | None, str | None,
                                               tuple[str, ...]]]],
          now: datetime) -> Iterator[dict[str, Any]]:
    for work_id, (record, digest, sets) in published:
        rendered = render_all(record) if record is not None else {}
        yield {"work_id": work_id, "datestamp": now, "deleted": record is None,
               "sets": " ".join(sets), "content_hash": digest,
               "oai_dc": rendered.get("oai_dc"), "marc21": rendered.get("marc21")}
