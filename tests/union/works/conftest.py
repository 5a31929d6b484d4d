"""Helpers for the works tests: a catalogue of the demo federation's branches in a real
store (SQLite file and PostgreSQL, through the ``store`` fixture), fed with real Library
of Congress records of Indonesian books as the branches' harvesters would hand them over.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pymarc
import pytest
from sqlalchemy import select

from harvesters.records import ISO2709, HarvestedRecord, Page
from union.config import load_federation
from union.harvest_runs import begin_run, register_federation
from union.ingest import commit_page, prepare_page
from union.store.engine import Store
from union.store.models import ChangeRow, WorkRow
from union.works import UpdateReport, live_works, update_works
from union.works.store_ops import record_ids

REPO = Path(__file__).resolve().parents[3]
CATALOGUES = REPO / "config" / "catalogues"
T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
PRIORITY = ("KOTA", "DESA1", "DESA2", "DESA3")


@cache
def _pool() -> tuple[pymarc.Record, ...]:
    with (CATALOGUES / "kota.mrc").open("rb") as handle:
        return tuple(pymarc.MARCReader(handle, to_unicode=True, force_utf8=True))


def loc_record(n: int) -> pymarc.Record:
    """The n-th real LoC record of the city library's demo catalogue (a fresh copy)."""
    return copy.deepcopy(_pool()[n])


def branch_copy(record: pymarc.Record, code: str, local_id: str, *, copies: int = 1,
                title: str | None = None, isbns: Iterable[str] | None = None,
                keep_lccn: bool = True, pages: str | None = None) -> pymarc.Record:
    """``record`` as branch ``code`` catalogues it: its own 001 and 852 holdings, and
    optionally another title, other ISBNs, no LC control number, or another extent."""
    out = pymarc.Record(leader=str(record.leader), force_utf8=True)
    for field in record.get_fields():
        if field.tag in ("001", "003", "852") or (field.tag == "010" and not keep_lccn):
            continue
        if field.tag == "020" and isbns is not None:
            continue
        out.add_field(copy.deepcopy(field))
    out.add_ordered_field(pymarc.Field(tag="001", data=local_id))
    for isbn in isbns or ():
        out.add_ordered_field(pymarc.Field(tag="020", indicators=[" ", " "],
                                           subfields=[pymarc.Subfield("a", isbn)]))
    if pages is not None:
        out["300"]["a"] = pages
    if title is not None:
        out["245"]["a"] = title
        for code_ in ("b", "n", "p"):
            out["245"].delete_subfield(code_)
    for n in range(1, copies + 1):
        out.add_field(pymarc.Field(
            tag="852", indicators=[" ", " "],
            subfields=[pymarc.Subfield("a", code), pymarc.Subfield("h", f"{code} {local_id}"),
                       pymarc.Subfield("p", f"{local_id}-{n}")]))
    return out


class Catalogue:
    """The demo federation's branches in a real store, harvested by hand."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.now = T0
        with store.write() as session:
            register_federation(session, load_federation(REPO / "config" / "demo.toml", {}))

    def tick(self, hours: int = 1) -> datetime:
        """Move the clock on; returns the new time."""
        self.now += timedelta(hours=hours)
        return self.now

    def ingest(self, code: str, *records: pymarc.Record) -> None:
        """Commit ``records`` as one harvested page of branch ``code``."""
        harvested = [HarvestedRecord(r["001"].data, ISO2709, r.as_marc(), marc=r)
                     for r in records]
        self._commit(code, harvested)

    def delete(self, code: str, *local_ids: str) -> None:
        """Commit deletions of ``local_ids`` as branch ``code`` reports them."""
        self._commit(code, [HarvestedRecord(i, ISO2709, b"", deleted=True) for i in local_ids])

    def _commit(self, code: str, records: list[HarvestedRecord]) -> None:
        with self.store.write() as session:
            ctx = begin_run(session, code, full=False, now=self.now).context
            page = Page(records=records, skipped=[], checkpoint={"n": 1}, complete=True,
                        full_listing=False, response_date=self.now)
            commit_page(session, ctx, prepare_page(page), self.now)

    def update(self, **options: object) -> UpdateReport:
        """Run the clusterer at the current time."""
        return update_works(self.store, lambda: self.now, priority=PRIORITY,
                            **options)  # type: ignore[arg-type]

    def works(self) -> dict[int, list[str]]:
        """Live work id -> members as "CODE:local-id"."""
        with self.store.read() as session:
            return {wid: [f"{c}:{i}" for c, i in members]
                    for wid, members in live_works(session)}

    def work_of(self, name: str) -> int | None:
        """The live work holding record "CODE:local-id"."""
        for wid, members in self.works().items():
            if name in members:
                return wid
        return None

    def row(self, work_id: int) -> WorkRow:
        """The stored row of a work."""
        with self.store.read() as session:
            row = session.get(WorkRow, work_id)
            assert row is not None
            return row

    def work_changes(self) -> list[tuple[int, str]]:
        """(work id, op) of every work change logged, in order."""
        with self.store.read() as session:
            rows = session.execute(select(ChangeRow.entity_id, ChangeRow.op)
                                   .where(ChangeRow.entity == "work").order_by(ChangeRow.seq))
            return [(wid, op) for wid, op in rows]

    def record_id(self, name: str) -> int:
        """The source record id of "CODE:local-id"."""
        code, _, local = name.partition(":")
        with self.store.read() as session:
            return record_ids(session, [(code, local)])[(code, local)]


@pytest.fixture
def catalogue(store: Store) -> Catalogue:
    """An empty catalogue of the demo federation's four branches."""
    return Catalogue(store)
