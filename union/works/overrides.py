"""Staff overrides: "these are one work" and "never merge these".

An override names its two records by (branch code, local identifier), the names a
branch's catalogue gives them, so it survives every re-harvest, deletion and
re-appearance of the records. A later override of the same two records replaces the
earlier one. The clusterer applies "same" as a match stronger than any score and
"never" as a constraint no chain of matches can break.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from union.store.engine import Store
from union.store.models import OverrideRow
from union.works.store_ops import record_ids
from union.works.updater import UpdateReport, update_works

__all__ = ["KINDS", "OverrideError", "RecordName", "add_override", "list_overrides",
           "parse_record_name", "record_override", "remove_override"]

KINDS = ("same", "never")


class OverrideError(ValueError):
    """An override that cannot be made; the message says why, in both languages."""


@dataclass(frozen=True, slots=True, order=True)
class RecordName:
    """A record as its branch names it: "KOTA:KOTA-00001"."""

    code: str
    local_id: str

    def __str__(self) -> str:
        return f"{self.code}:{self.local_id}"


def parse_record_name(text: str) -> RecordName:
    """Read "CODE:LOCAL-ID"; the local identifier may itself hold colons."""
    code, sep, local_id = text.partition(":")
    if not sep or not code or not local_id:
        raise OverrideError(f"{text!r}: tulis KODE:ID-LOKAL / write CODE:LOCAL-ID")
    return RecordName(code, local_id)


def _ordered(a: RecordName, b: RecordName) -> tuple[RecordName, RecordName]:
    return (a, b) if a <= b else (b, a)


def _pair_filter(a: RecordName, b: RecordName) -> list[ColumnElement[bool]]:
    first, second = _ordered(a, b)
    return [OverrideRow.code_a == first.code, OverrideRow.local_a == first.local_id,
            OverrideRow.code_b == second.code, OverrideRow.local_b == second.local_id]


def add_override(session: Session, kind: str, a: RecordName, b: RecordName, now: datetime,
                 note: str | None = None) -> list[int]:
    """Record a staff decision about ``a`` and ``b``; return their record ids (to
    re-cluster). Both records must exist."""
    if kind not in KINDS:
        raise OverrideError(f"{kind!r}: pilih / choose one of {', '.join(KINDS)}")
    if a == b:
        raise OverrideError(f"{a}: dua rekaman yang berbeda / two different records needed")
    ids = record_ids(session, [(a.code, a.local_id), (b.code, b.local_id)])
    for name in (a, b):
        if (name.code, name.local_id) not in ids:
            raise OverrideError(f"{name}: rekaman tidak dikenal / no such record")
    session.execute(delete(OverrideRow).where(*_pair_filter(a, b)))
    first, second = _ordered(a, b)
    session.add(OverrideRow(kind=kind, code_a=first.code, local_a=first.local_id,
                            code_b=second.code, local_b=second.local_id, note=note,
                            created_at=now))
    session.flush()
    return sorted(ids.values())


def remove_override(session: Session, a: RecordName, b: RecordName) -> list[int]:
    """Forget the staff decision about ``a`` and ``b``; return their record ids."""
    session.execute(delete(OverrideRow).where(*_pair_filter(a, b)))
    ids = record_ids(session, [(a.code, a.local_id), (b.code, b.local_id)])
    return sorted(ids.values())


def list_overrides(session: Session) -> list[tuple[str, RecordName, RecordName]]:
    """Every override as (kind, first record, second record)."""
    rows = session.scalars(select(OverrideRow).order_by(OverrideRow.id))
    return [(r.kind, RecordName(r.code_a, r.local_a), RecordName(r.code_b, r.local_b))
            for r in rows]


def record_override(store: Store, clock: Callable[[], datetime], kind: str, a: RecordName,
                    b: RecordName, *, priority: Sequence[str] = (),
                    note: str | None = None) -> UpdateReport:
    """Record a staff decision (``kind`` "same" or "never") and re-cluster the two
    records at once; returns what the update did."""
    with store.write() as session:
        ids = add_override(session, kind, a, b, clock(), note)
    return update_works(store, clock, priority=priority, also=ids)
