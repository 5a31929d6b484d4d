"""A FeedRepository over a real SQLite file, for the feed's tests (the store's own
implementation over de-duplicated works comes with the de-duplication issue).

Built from real Library of Congress records of Indonesian books, spread over the demo
federation's branches, with datestamps that collide (so keyset ties are exercised),
deletions and merges.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pymarc

from union.bib_record import BibRecord, Item
from union.config import LocalContent
from union.feed.datestamps import from_epoch, to_epoch
from union.feed.formats import render_all
from union.feed.records import FeedRecord, FeedSet, Holding
from union.feed.sets import federation_sets, record_sets
from union.local_content import LocalMatcher
from union.normalize import NormalizationError, bib_from_marc

LOC_FILE = Path("data/marc/loc-booksall-2016-part01/BooksAll.2016.part01.lang-ind-may-jav-sun.mrc")
# (code, name, kind): the demo federation's branches.
BRANCHES = (
    ("KOTA", "Perpustakaan Kota Lubuklinggau", "city"),
    ("DESA1", "Perpustakaan Kelurahan Tanah Periuk", "village"),
    ("DESA2", "Perpustakaan Kelurahan Air Kuti", "village"),
    ("DESA3", "Perpustakaan Kelurahan Petanang", "village"),
)
KINDS = {code: kind for code, _, kind in BRANCHES}
NAMES = {code: name for code, name, _ in BRANCHES}
REGION = "Java"
LOCAL = LocalMatcher(LocalContent(places=("Java", "Jawa")))
START = datetime(2024, 1, 1, tzinfo=UTC)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS works (
    id TEXT PRIMARY KEY,
    datestamp INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    merged_into TEXT,
    bib TEXT,
    holdings TEXT,
    rendered TEXT
);
CREATE INDEX IF NOT EXISTS works_keyset ON works (datestamp, id);
CREATE TABLE IF NOT EXISTS work_sets (
    work_id TEXT NOT NULL REFERENCES works (id),
    spec TEXT NOT NULL,
    PRIMARY KEY (work_id, spec)
);
CREATE INDEX IF NOT EXISTS work_sets_spec ON work_sets (spec, work_id);
CREATE TABLE IF NOT EXISTS sets (
    position INTEGER PRIMARY KEY,
    spec TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT
);
"""


def load_bibs(shared: Path, limit: int) -> list[BibRecord]:
    """The first ``limit`` LoC records that normalize."""
    bibs: list[BibRecord] = []
    with (shared / LOC_FILE).open("rb") as handle:
        for record in pymarc.MARCReader(handle, to_unicode=True, force_utf8=False):
            if record is None:
                continue
            try:
                bibs.append(bib_from_marc(record))
            except NormalizationError:
                continue
            if len(bibs) >= limit:
                break
    return bibs


def _holdings_json(holdings: Iterable[Holding]) -> str:
    return json.dumps([[h.branch_code, h.branch_name, [vars_item(i) for i in h.items]]
                       for h in holdings])


def vars_item(item: Item) -> dict[str, Any]:
    """An Item as a JSON-ready dict."""
    return {name: getattr(item, name) for name in Item.__slots__}


class SqliteFeedRepository:
    """FeedRepository over one SQLite file; one connection per thread (the HTTP edge
    calls it from worker threads), WAL so readers never wait for the test's writes."""

    def __init__(self, path: Path, prerender: bool = False) -> None:
        self.path = path
        self.prerender = prerender  # keep every work's metadata rendered, as a store may
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.calls: list[str] = []  # which repository methods the provider used
        with self._connection() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            # check_same_thread off only so close() can close them all from the test thread.
            db = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the main file (before copying it)."""
        self._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()

    # -- writing (the test's side) -----------------------------------------------------

    def put(self, record: FeedRecord) -> None:
        """Insert or replace a work and its set memberships."""
        self.put_many([record])

    def put_many(self, records: Iterable[FeedRecord]) -> None:
        """Insert or replace works, in one transaction."""
        db = self._connection()
        with db:
            for record in records:
                db.execute(
                    "INSERT OR REPLACE INTO works "
                    "(id, datestamp, deleted, bib, holdings, rendered) VALUES (?, ?, ?, ?, ?, ?)",
                    (record.work_id, to_epoch(record.datestamp), int(record.deleted),
                     json.dumps(record.bib.to_dict()) if record.bib else None,
                     _holdings_json(record.holdings),
                     json.dumps(render_all(record))
                     if self.prerender and not record.deleted else None),
                )
                db.execute("DELETE FROM work_sets WHERE work_id = ?", (record.work_id,))
                db.executemany("INSERT INTO work_sets (work_id, spec) VALUES (?, ?)",
                               [(record.work_id, spec) for spec in record.sets])

    def delete(self, work_id: str, at: datetime, merged_into: str | None = None) -> None:
        """Tombstone a work: deleted for ever, its sets kept, its datestamp the deletion."""
        db = self._connection()
        with db:
            db.execute(
                "UPDATE works SET deleted = 1, datestamp = ?, merged_into = ?, bib = NULL, "
                "holdings = '[]', rendered = NULL WHERE id = ?",
                (to_epoch(at), merged_into, work_id),
            )

    def touch(self, work_id: str, at: datetime) -> None:
        """Record a change to a work at ``at``."""
        record = self.get(work_id)
        assert record is not None
        self.put(replace(record, datestamp=at, rendered=None))

    def set_sets(self, sets: Sequence[FeedSet]) -> None:
        """Replace the announced sets."""
        db = self._connection()
        with db:
            db.execute("DELETE FROM sets")
            db.executemany("INSERT INTO sets (position, spec, name, description) "
                           "VALUES (?, ?, ?, ?)",
                           [(i, s.spec, s.name, s.description) for i, s in enumerate(sets)])

    # -- FeedRepository ----------------------------------------------------------------

    def earliest_datestamp(self) -> datetime | None:
        """The oldest datestamp, deleted works included."""
        self.calls.append("earliest_datestamp")
        (value,) = self._connection().execute("SELECT MIN(datestamp) FROM works").fetchone()
        return None if value is None else from_epoch(value)

    def list_sets(self) -> Sequence[FeedSet]:
        """Every announced set, in order."""
        self.calls.append("list_sets")
        rows = self._connection().execute(
            "SELECT spec, name, description FROM sets ORDER BY position").fetchall()
        return [FeedSet(*row) for row in rows]

    def get(self, work_id: str) -> FeedRecord | None:
        """One work, deleted or not."""
        self.calls.append("get")
        rows = self._select("WHERE w.id = ?", [work_id], "", "all")
        return rows[0] if rows else None

    def page(self, *, after: tuple[datetime, str] | None, from_: datetime | None,
             until: datetime | None, set_spec: str | None, limit: int,
             metadata_prefix: str | None) -> Sequence[FeedRecord]:
        """Keyset page in (datestamp, id) order."""
        self.calls.append("page")
        where, params = _selection(from_, until, set_spec)
        if after is not None:
            where.append("(w.datestamp, w.id) > (?, ?)")
            params += [to_epoch(after[0]), after[1]]
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        return self._select(clause, params, f"ORDER BY w.datestamp, w.id LIMIT {int(limit)}",
                            metadata_prefix)

    def count(self, *, from_: datetime | None, until: datetime | None,
              set_spec: str | None) -> int:
        """Size of the selection."""
        self.calls.append("count")
        where, params = _selection(from_, until, set_spec)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        (value,) = self._connection().execute(
            f"SELECT COUNT(*) FROM works w {clause}", params).fetchone()
        return int(value)

    def _select(self, clause: str, params: list[Any], tail: str,
                metadata: str | None) -> list[FeedRecord]:
        """Works with their sets; ``metadata`` None loads headers only, a prefix loads
        that rendering when kept (else the bib), "all" loads everything."""
        if metadata is None:
            columns = "NULL, NULL, NULL"
        elif metadata != "all" and self.prerender:
            columns = "NULL, NULL, w.rendered"
        else:
            columns = "w.bib, w.holdings, w.rendered"
        sql = (f"SELECT w.id, w.datestamp, w.deleted, {columns}, "
               "(SELECT group_concat(spec, ' ') FROM (SELECT spec FROM work_sets "
               " WHERE work_id = w.id ORDER BY spec)) "
               f"FROM works w {clause} {tail}")
        out = []
        for work_id, stamp, deleted, bib, holdings, rendered, specs in (
                self._connection().execute(sql, params)):
            out.append(FeedRecord(
                work_id=work_id,
                datestamp=from_epoch(stamp),
                deleted=bool(deleted),
                sets=tuple(specs.split(" ")) if specs else (),
                bib=BibRecord.from_dict(json.loads(bib)) if bib else None,
                holdings=tuple(
                    Holding(code, name, tuple(Item(**i) for i in items))
                    for code, name, items in json.loads(holdings)
                ) if holdings else (),
                rendered=json.loads(rendered) if rendered else None,
            ))
        return out


def _selection(from_: datetime | None, until: datetime | None,
               set_spec: str | None) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if from_ is not None:
        where.append("w.datestamp >= ?")
        params.append(to_epoch(from_))
    if until is not None:
        where.append("w.datestamp <= ?")
        params.append(to_epoch(until))
    if set_spec is not None:
        # The set itself, or any set below it: "branch" takes "branch:KOTA" (":" < ";").
        where.append("EXISTS (SELECT 1 FROM work_sets s WHERE s.work_id = w.id AND "
                     "(s.spec = ? OR (s.spec > ? AND s.spec < ?)))")
        params += [set_spec, set_spec + ":", set_spec + ";"]
    return where, params


# -- the test catalogue ------------------------------------------------------------------

def holdings_for(index: int, bib: BibRecord) -> tuple[Holding, ...]:
    """Spread works over the branches: KOTA holds the even ones, DESA1 every third,
    DESA2 every fifth, DESA3 whatever no one else holds; one or two copies each."""
    codes = [code for code, step in (("KOTA", 2), ("DESA1", 3), ("DESA2", 5))
             if index % step == 0] or ["DESA3"]
    call_number = next((c.partition(":")[2] for c in bib.classifications), None)
    call_number = call_number or f"899.221 {bib.title[:3].upper()}"
    return tuple(
        Holding(code, NAMES[code], tuple(
            Item(barcode=f"{code}-{index:05d}-{copy}", branch=code, call_number=call_number,
                 location="Umum", status="available")
            for copy in range(1 + index % 2)))
        for code in codes
    )


def feed_record(index: int, bib: BibRecord, datestamp: datetime) -> FeedRecord:
    """The live work built from the ``index``-th bib record."""
    holdings = holdings_for(index, bib)
    sets = record_sets(bib.format, [(h.branch_code, KINDS[h.branch_code]) for h in holdings],
                       LOCAL.is_local({"subjects": bib.subjects}))
    return FeedRecord(work_id=f"w{index:05d}", datestamp=datestamp, sets=sets, bib=bib,
                      holdings=holdings)


def stamp_for(index: int) -> datetime:
    """Three works share each datestamp, 90 minutes apart: keyset ties on every page."""
    return START + timedelta(minutes=90 * (index // 3))


def build_catalogue(path: Path, bibs: Sequence[BibRecord], deleted_every: int = 25,
                    prerender: bool = False) -> tuple[SqliteFeedRepository, list[FeedRecord]]:
    """A repository holding one work per bib record; every ``deleted_every``-th is
    deleted and the one after it merged into the next, a day after the last work.
    Returns the repository and the records as published."""
    repository = SqliteFeedRepository(path, prerender)
    records = [feed_record(i, bib, stamp_for(i)) for i, bib in enumerate(bibs)]
    repository.put_many(records)
    gone_at = stamp_for(len(bibs)) + timedelta(days=1)
    published = list(records)
    for i in range(deleted_every - 1, len(records) - 2, deleted_every):
        # Work i is withdrawn; work i+1 is merged into work i+2, which changes with it.
        published[i] = _tombstone(records[i], gone_at)
        repository.delete(records[i].work_id, gone_at)
        merged_at = gone_at + timedelta(seconds=1)
        published[i + 1] = _tombstone(records[i + 1], merged_at)
        repository.delete(records[i + 1].work_id, merged_at, merged_into=records[i + 2].work_id)
        published[i + 2] = replace(records[i + 2], datestamp=merged_at)
        repository.touch(records[i + 2].work_id, merged_at)
    formats = {bib.format for bib in bibs}
    repository.set_sets(federation_sets(BRANCHES, formats, REGION))
    return repository, published


def _tombstone(record: FeedRecord, at: datetime) -> FeedRecord:
    return replace(record, deleted=True, datestamp=at, bib=None, holdings=())
