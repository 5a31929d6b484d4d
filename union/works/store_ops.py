"""The clusterer's reads and writes (the edge): records, keys, evidence, memberships,
overrides, works and the change log, in batches.

Every function takes an open session and leaves committing to the caller, so one update
of the works is one transaction.
"""

from __future__ import annotations

import typing
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Column,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from union.bib_record import BibRecord
from union.dedup.evidence import Decision
from union.store.bulk_writes import chunks, fast_insert, stored
from union.store.models import (
    BibRecordRow,
    BranchRow,
    MatchEvidenceRow,
    MatchKeyRow,
    OverrideRow,
    SourceRecordRow,
    SourceRow,
    WorkMemberRow,
    WorkRow,
)
from union.store.types import UTCDateTime
from union.works.clustering import Edge, pair
from union.works.display import Member


class _as_json(FunctionElement[str]):
    """A JSON text parameter written into a JSON column as it is (PostgreSQL needs the
    cast; SQLite stores the text)."""

    type = Text()
    inherit_cache = True
    name = "as_json"


@compiles(_as_json)
def _as_json_plain(element: _as_json, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_as_json, "postgresql")
def _as_json_postgresql(element: _as_json, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS JSON)"


class _JsonText(TypeDecorator[str]):
    """Text that goes into a JSON column unchanged."""

    impl = Text
    cache_ok = True

    def bind_expression(self, bindvalue: Any) -> Any:
        return _as_json(bindvalue)


# Bulk inserts hand JSON over already serialized (workers produce it as text): the same
# tables seen with text columns, so it is not decoded and encoded again.
_RAW = MetaData()
# The key and evidence tables as Core tables, for deletes by many primary keys at once
# (executemany), which the ORM does not run.
_KEYS = typing.cast(Table, MatchKeyRow.__table__)
_EVIDENCE = typing.cast(Table, MatchEvidenceRow.__table__)

_RAW_WORKS = Table(
    "works", _RAW, Column("id", BigInteger), Column("status", String), Column("merged_into",
    BigInteger), Column("created_at", UTCDateTime()), Column("datestamp", UTCDateTime()),
    Column("display", _JsonText), Column("display_hash", String),
)


# ---------------------------------------------------------------------------- records


def _member_query() -> Any:
    # The description as its JSON text: BibRecord.from_json decodes it straight into the
    # record, instead of the column type parsing it into dicts first.
    return (
        select(SourceRecordRow.id, SourceRecordRow.source_id, BranchRow.code,
               SourceRecordRow.local_id, cast(BibRecordRow.data, Text))
        .join(BibRecordRow, BibRecordRow.source_record_id == SourceRecordRow.id)
        .join(SourceRow, SourceRow.id == SourceRecordRow.source_id)
        .join(BranchRow, BranchRow.id == SourceRow.branch_id)
        .where(SourceRecordRow.deleted.is_(False))
    )


def load_members(session: Session, ids: Iterable[int]) -> dict[int, tuple[int, Member]]:
    """Live records among ``ids`` with a description: record id -> (source id, member)."""
    found: dict[int, tuple[int, Member]] = {}
    for batch in chunks(sorted(set(ids))):
        rows = session.execute(_member_query().where(SourceRecordRow.id.in_(batch)))
        for rid, source_id, code, local_id, data in rows:
            found[rid] = (source_id, Member(rid, code, local_id, BibRecord.from_json(data)))
    return found


def all_member_rows(session: Session) -> list[tuple[int, int, str, str, str]]:
    """Every live described record as (id, source id, branch code, local id, JSON text),
    the JSON left undecoded for the workers."""
    query = _member_query().order_by(SourceRecordRow.id)
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def all_titles(session: Session) -> dict[int, str]:
    """record id -> title, for every described record."""
    rows = session.execute(select(BibRecordRow.source_record_id, BibRecordRow.title))
    return dict(rows.all())


def live_count(session: Session) -> int:
    """How many live described records the store holds."""
    return session.scalar(select(func.count()).select_from(BibRecordRow)) or 0


def record_ids(session: Session, names: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(branch code, local id) -> source record id, for the names that exist."""
    found = {}
    for code, local_id in set(names):
        rid = session.scalar(
            select(SourceRecordRow.id)
            .join(SourceRow, SourceRow.id == SourceRecordRow.source_id)
            .join(BranchRow, BranchRow.id == SourceRow.branch_id)
            .where(BranchRow.code == code, SourceRecordRow.local_id == local_id)
        )
        if rid is not None:
            found[(code, local_id)] = rid
    return found


# ------------------------------------------------------------------------------- keys


def replace_keys(session: Session, ids: Iterable[int],
                 keys: Mapping[int, Iterable[str]]) -> None:
    """Make the stored keys of ``ids`` exactly ``keys`` (record id -> keys; a record
    without an entry keeps none). Only keys that changed are written: most re-harvested
    records change their holdings, not their description, and rewriting their keys
    touched a page of the key index per key."""
    held: dict[int, set[str]] = defaultdict(set)
    for batch in chunks(sorted(set(ids))):
        rows = session.execute(select(MatchKeyRow.source_record_id, MatchKeyRow.key)
                               .where(MatchKeyRow.source_record_id.in_(batch)))
        for rid, key in rows:
            held[rid].add(key)
    gone = [(rid, key) for rid, record_keys in held.items()
            for key in record_keys - set(keys.get(rid, ()))]
    if gone:
        session.execute(delete(_KEYS).where(_KEYS.c.source_record_id == bindparam("rid"),
                                            _KEYS.c.key == bindparam("k")),
                        [{"rid": rid, "k": key} for rid, key in gone])
    insert_keys(session, {rid: [key for key in record_keys if key not in held[rid]]
                          for rid, record_keys in keys.items()})


def insert_keys(session: Session, keys: Mapping[int, Iterable[str]]) -> None:
    """Store ``keys`` (record id -> keys)."""
    fast_insert(session, "match_keys", ("source_record_id", "key"),
                ((rid, k) for rid, ks in keys.items() for k in ks))


def blocks_for(session: Session, keys: Iterable[str]) -> dict[str, list[int]]:
    """key -> every record holding it, for ``keys``."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for batch in chunks(sorted(set(keys))):
        rows = session.execute(
            select(MatchKeyRow.key, MatchKeyRow.source_record_id).where(
                MatchKeyRow.key.in_(batch)
            )
        )
        for key, rid in rows:
            blocks[key].append(rid)
    return blocks


# --------------------------------------------------------------------------- evidence


def edges_touching(session: Session, ids: Iterable[int]) -> list[Edge]:
    """Stored match edges with at least one end in ``ids``."""
    edges: list[Edge] = []
    for batch in chunks(sorted(set(ids))):
        rows = session.execute(
            select(MatchEvidenceRow.record_a, MatchEvidenceRow.record_b, MatchEvidenceRow.score)
            .where(or_(MatchEvidenceRow.record_a.in_(batch),
                       MatchEvidenceRow.record_b.in_(batch)))
        )
        edges.extend(Edge(a, b, score) for a, b, score in rows)
    return list({e.ends: e for e in edges}.values())


def replace_edges(session: Session, ids: Iterable[int],
                  decisions: Mapping[tuple[int, int], Decision],
                  now: datetime) -> set[tuple[int, int]]:
    """Make the stored edges touching ``ids`` exactly the matching ``decisions``; return
    the pairs stored before. A match decided again on the same evidence keeps its row,
    and with it the time it was first decided; only new and changed decisions are
    written."""
    held: dict[tuple[int, int], tuple[float, Any]] = {}
    for batch in chunks(sorted(set(ids))):
        rows = session.execute(
            select(MatchEvidenceRow.record_a, MatchEvidenceRow.record_b,
                   MatchEvidenceRow.score, MatchEvidenceRow.decision)
            .where(or_(MatchEvidenceRow.record_a.in_(batch),
                       MatchEvidenceRow.record_b.in_(batch))))
        held.update(((a, b), (score, data)) for a, b, score, data in rows)
    # Compared as the JSON column gives them back, so tuples and lists agree.
    wanted = {ends: (d.score, orjson.loads(orjson.dumps(d.to_dict())))
              for ends, d in decisions.items() if d.same}
    stale = [{"a": a, "b": b} for (a, b), row in held.items() if wanted.get((a, b)) != row]
    if stale:
        session.execute(delete(_EVIDENCE).where(_EVIDENCE.c.record_a == bindparam("a"),
                                                _EVIDENCE.c.record_b == bindparam("b")), stale)
    fresh = [{"record_a": a, "record_b": b, "score": score, "decision": decision,
             "decided_at": now}
            for (a, b), (score, decision) in wanted.items()
            if held.get((a, b)) != (score, decision)]
    for batch in chunks(fresh, 2000):
        session.execute(insert(MatchEvidenceRow), batch)
    return set(held)


def insert_raw_edges(session: Session, edges: Iterable[tuple[int, int, float, str]],
                     now: datetime) -> None:
    """Store edges whose decisions are already JSON text: (a, b, score, decision)."""
    at = stored(session, now)
    fast_insert(session, "match_evidence",
                ("record_a", "record_b", "score", "decision", "decided_at"),
                ((a, b, score, d, at) for a, b, score, d in edges), json_columns=("decision",))


def evidence_between(session: Session, ids: Iterable[int]) -> dict[tuple[int, int], Decision]:
    """The stored decisions for pairs with both ends in ``ids``."""
    wanted = set(ids)
    found = {}
    for batch in chunks(sorted(wanted)):
        rows = session.execute(
            select(MatchEvidenceRow.record_a, MatchEvidenceRow.record_b,
                   MatchEvidenceRow.decision).where(MatchEvidenceRow.record_a.in_(batch))
        )
        for a, b, data in rows:
            if b in wanted:
                found[(a, b)] = Decision.from_dict(data)
    return found


@contextmanager
def derived_indexes_dropped(session: Session) -> Iterator[None]:
    """Without the secondary indexes of match keys and evidence while a rebuild fills the
    emptied tables: building an index once at the end is several times faster than
    keeping it up to date row by row."""
    for name in _DERIVED_INDEXES:
        session.execute(text(f"DROP INDEX {name}"))
    yield
    for name, definition in _DERIVED_INDEXES.items():
        session.execute(text(f"CREATE INDEX {name} ON {definition}"))


_DERIVED_INDEXES = {
    "ix_match_keys_key": "match_keys (key)",
    "ix_match_evidence_record_b": "match_evidence (record_b)",
}


def clear_derived(session: Session) -> None:
    """Drop every match key and edge (a rebuild writes them afresh)."""
    session.execute(delete(MatchKeyRow))
    session.execute(delete(MatchEvidenceRow))


# -------------------------------------------------------------------------- overrides


def resolved_overrides(session: Session) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Every override whose two records exist, as record id pairs: (same, never)."""
    rows = session.execute(
        select(OverrideRow.kind, OverrideRow.code_a, OverrideRow.local_a, OverrideRow.code_b,
               OverrideRow.local_b)
    ).all()
    if not rows:
        return [], []
    ids = record_ids(session, [(r[1], r[2]) for r in rows] + [(r[3], r[4]) for r in rows])
    same: list[tuple[int, int]] = []
    never: list[tuple[int, int]] = []
    for kind, code_a, local_a, code_b, local_b in rows:
        a, b = ids.get((code_a, local_a)), ids.get((code_b, local_b))
        if a is not None and b is not None and a != b:
            (same if kind == "same" else never).append(pair(a, b))
    return same, never


# ---------------------------------------------------------------------------- members


def memberships(session: Session, ids: Iterable[int]) -> dict[int, int]:
    """record id -> work id, for the records of ``ids`` that are in a work."""
    found = {}
    for batch in chunks(sorted(set(ids))):
        rows = session.execute(
            select(WorkMemberRow.source_record_id, WorkMemberRow.work_id)
            .where(WorkMemberRow.source_record_id.in_(batch))
        )
        found.update(dict(rows.all()))
    return found


def members_of_works(session: Session, work_ids: Iterable[int]) -> dict[int, int]:
    """record id -> work id, for every member of ``work_ids``."""
    found = {}
    for batch in chunks(sorted(set(work_ids))):
        rows = session.execute(
            select(WorkMemberRow.source_record_id, WorkMemberRow.work_id)
            .where(WorkMemberRow.work_id.in_(batch))
        )
        found.update(dict(rows.all()))
    return found


def all_memberships(session: Session) -> dict[int, int]:
    """record id -> work id for every member."""
    rows = session.execute(select(WorkMemberRow.source_record_id, WorkMemberRow.work_id))
    return dict(rows.all())


def rewrite_memberships(session: Session, previous: Mapping[int, int],
                        current: Mapping[int, int]) -> None:
    """Bring work_members from ``previous`` to ``current`` (record id -> work id)."""
    gone = [r for r, w in previous.items() if current.get(r) != w]
    for batch in chunks(sorted(gone)):
        session.execute(delete(WorkMemberRow).where(WorkMemberRow.source_record_id.in_(batch)))
    fast_insert(session, "work_members", ("source_record_id", "work_id"),
                ((r, w) for r, w in current.items() if previous.get(r) != w))


# ------------------------------------------------------------------------------ works


def next_work_id(session: Session) -> int:
    """The first id never given to a work."""
    return (session.scalar(select(func.max(WorkRow.id))) or 0) + 1


def display_hashes(session: Session, work_ids: Iterable[int]) -> dict[int, str | None]:
    """work id -> stored display hash."""
    found: dict[int, str | None] = {}
    for batch in chunks(sorted(set(work_ids))):
        rows = session.execute(select(WorkRow.id, WorkRow.display_hash)
                               .where(WorkRow.id.in_(batch)))
        found.update(dict(rows.all()))
    return found


def all_display_hashes(session: Session) -> dict[int, str | None]:
    """work id -> stored display hash, for every live work."""
    rows = session.execute(select(WorkRow.id, WorkRow.display_hash)
                           .where(WorkRow.status == "live"))
    return dict(rows.all())


def write_displays(session: Session, created: set[int],
                   displays: Mapping[int, tuple[str, str]], now: datetime) -> None:
    """Insert new works and update changed ones: work id -> (display JSON text, hash)."""
    at = stored(session, now)
    fast_insert(session, "works",
                ("id", "status", "merged_into", "created_at", "datestamp", "display",
                 "display_hash"),
                ((wid, "live", None, at, at, d, h) for wid, (d, h) in displays.items()
                 if wid in created), json_columns=("display",))
    changed = [{"wid": wid, "display": d, "display_hash": h, "datestamp": now}
               for wid, (d, h) in displays.items() if wid not in created]
    statement = (
        update(_RAW_WORKS)
        .where(_RAW_WORKS.c.id == bindparam("wid"))
        .values(status="live", merged_into=None, display=bindparam("display"),
                display_hash=bindparam("display_hash"), datestamp=bindparam("datestamp"))
    )
    for batch in chunks(changed, 5000):
        session.execute(statement, batch)


def retire_works(session: Session, merged: Mapping[int, int], deleted: Iterable[int],
                 now: datetime) -> None:
    """Tombstone merged works (pointing at their survivor, as do works merged into them
    before) and deleted ones."""
    for old, survivor in merged.items():
        session.execute(update(WorkRow).where(WorkRow.id == old).values(
            status="merged", merged_into=survivor, display=None, display_hash=None,
            datestamp=now))
        session.execute(update(WorkRow).where(WorkRow.merged_into == old)
                        .values(merged_into=survivor))
    for batch in chunks(sorted(set(deleted))):
        session.execute(update(WorkRow).where(WorkRow.id.in_(batch)).values(
            status="deleted", merged_into=None, display=None, display_hash=None,
            datestamp=now))
