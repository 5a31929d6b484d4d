"""The change log's followers: how far the log can be read safely, each follower's
cursor, which source records changed, and logging work changes.

The clusterer, the OAI-PMH feed and every search index follow the log by ``seq``, each
with a cursor of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from union.store.bulk_writes import fast_insert, stored
from union.store.engine import Store
from union.store.models import ChangeRow, ClusterCursorRow

__all__ = ["changed_records", "high_water", "lock_cursor", "log_work_changes"]


def high_water(store: Store) -> int:
    """The last change-log seq below which no change can still appear.

    On PostgreSQL a transaction may take seq 100 and commit after another took 101; a
    follower that read up to 101 would skip 100 forever. A SHARE lock waits for every
    transaction writing the log to commit, and seqs taken after it are higher.
    """
    with store.write() as session:
        if not store.is_sqlite:
            session.execute(text("LOCK TABLE change_log IN SHARE MODE"))
        return session.scalar(select(func.coalesce(func.max(ChangeRow.seq), 0))) or 0


def lock_cursor(session: Session, now: datetime, name: str) -> ClusterCursorRow:
    """The cursor row of change-log follower ``name``, locked for this transaction: one
    follower of a name at a time."""
    cursor = session.scalars(
        select(ClusterCursorRow).where(ClusterCursorRow.name == name).with_for_update()
    ).first()
    if cursor is None:
        cursor = ClusterCursorRow(name=name, seq=0, updated_at=now)
        session.add(cursor)
        session.flush()
    return cursor


def changed_records(session: Session, after: int, upto: int) -> tuple[set[int], set[int]]:
    """Source records changed in (after, upto] of the change log: (every one, those whose
    every change there touched only their items)."""
    ops: dict[int, set[str]] = defaultdict(set)
    rows = session.execute(select(ChangeRow.entity_id, ChangeRow.op).where(
        ChangeRow.entity == "source_record", ChangeRow.seq > after, ChangeRow.seq <= upto))
    for rid, op in rows:
        ops[rid].add(op)
    return set(ops), {rid for rid, seen in ops.items() if seen == {"holdings"}}


def log_work_changes(session: Session, changes: Sequence[tuple[int, str]], now: datetime) -> None:
    """Append (work id, "upsert" | "delete") rows to the change log."""
    at = stored(session, now)
    fast_insert(session, "change_log", ("entity", "entity_id", "op", "at"),
                (("work", wid, op, at) for wid, op in changes))
