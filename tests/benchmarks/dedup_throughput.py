"""Clustering throughput benchmark: the 250,000 LoC records of BooksAll.2016.part01 held
by the city library plus 250,000 village-library variants of them (one each, see
``tests.benchmarks.variants``), clustered from the change log into works in a SQLite
store; then 1,000 of the records change and the works are updated incrementally.

    .venv/bin/python -m tests.benchmarks.dedup_throughput [--records N] [--keep DIR] [--described]

With ``--keep DIR`` the set-up store is also kept as ``DIR/set-up.db``, and a later run
with the same ``--keep DIR`` and ``--records`` starts from a copy of it instead of
setting up again.

Setting up (reading and normalizing the MARC file, generating the variants, writing
source records, bib records and the change log straight into the store) is not timed:
the ingest benchmark measures that. Timed: ``union.works.update_works`` for the whole
catalogue (a full rebuild on every core), and for the 1,000 changed records (the
incremental path). Targets on 2 cores: 5,000 records/s for the rebuild, under 2 s for
the incremental update.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import resource
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pymarc
from sqlalchemy import func, insert, select, update

from tests.benchmarks.ingest import ensure_books_all
from tests.benchmarks.variants import slims_variant
from union.bib_record import BibRecord, Item
from union.ingest import change_op
from union.normalize import NormalizationError
from union.normalize.marc import bib_from_marc
from union.store.engine import Store
from union.store.migrate import upgrade
from union.store.models import (
    BibRecordRow,
    BranchRow,
    ChangeRow,
    SourceRecordRow,
    SourceRow,
    WorkMemberRow,
    WorkRow,
)
from union.works import update_works

BRANCHES = ("KOTA", "DESA1", "DESA2", "DESA3", "DESA4", "DESA5")
T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def _marc_chunks(path: Path, limit: int | None, size: int = 5000) -> Iterator[list[bytes]]:
    """Raw ISO 2709 records of the file, in chunks."""
    chunk: list[bytes] = []
    count = 0
    with path.open("rb") as handle:
        while limit is None or count < limit:
            head = handle.read(5)
            if len(head) < 5:
                break
            chunk.append(head + handle.read(int(head) - 5))
            count += 1
            if len(chunk) == size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _normalize(chunk: list[bytes]) -> list[dict]:
    out = []
    for raw in chunk:
        try:
            record = pymarc.Record(data=raw, to_unicode=True, force_utf8=True)
            out.append(bib_from_marc(record).to_dict())
        except (NormalizationError, ValueError, KeyError, IndexError, UnicodeDecodeError,
                pymarc.exceptions.PymarcException):
            continue
    return out


def load_originals(limit: int | None) -> list[BibRecord]:
    """The LoC records, normalized on every core."""
    source = ensure_books_all()
    context = multiprocessing.get_context("spawn")
    with context.Pool(os.cpu_count() or 1) as pool:
        dicts = [d for batch in pool.imap(_normalize, _marc_chunks(source, limit))
                 for d in batch]
    return [BibRecord.from_dict(d) for d in dicts]


def _branch_ids(store: Store) -> dict[str, int]:
    """Register the branches and their sources; code -> source id."""
    with store.write() as session:
        ids = {}
        for code in BRANCHES:
            session.add(BranchRow(code=code, name=f"Perpustakaan {code}",
                                  kind="city" if code == "KOTA" else "village"))
            session.flush()
            branch = session.scalar(select(BranchRow.id).where(BranchRow.code == code))
            session.add(SourceRow(branch_id=branch, type="marc-file", location=code,
                                  settings={}))
            session.flush()
            ids[code] = session.scalar(select(SourceRow.id).where(SourceRow.branch_id == branch))
        return ids


def write_records(store: Store, records: list[tuple[str, str, BibRecord]]) -> None:
    """Write (branch code, local id, bib record) straight into the store, as ingest
    would leave them: source records, bib records and one change-log row each."""
    sources = _branch_ids(store)
    batch = 5000
    for start in range(0, len(records), batch):
        part = records[start:start + batch]
        with store.write() as session:
            first = (session.scalar(select(func.max(SourceRecordRow.id))) or 0) + 1
            rows, bibs, changes = [], [], []
            for offset, (code, local_id, bib) in enumerate(part):
                rid = first + offset
                data = bib.to_dict()
                digest = hashlib.sha256(json.dumps(data).encode()).hexdigest()
                rows.append({"id": rid, "source_id": sources[code], "local_id": local_id,
                             "datestamp": T0, "deleted": False, "format": "marc21",
                             "payload": b"", "content_hash": digest, "first_seen": T0,
                             "updated_at": T0})
                bibs.append({"source_record_id": rid, "title": bib.title, "year": bib.year,
                             "data": data})
                changes.append({"entity": "source_record", "entity_id": rid, "op": "upsert",
                                "at": T0})
            session.execute(insert(SourceRecordRow), rows)
            session.execute(insert(BibRecordRow), bibs)
            session.execute(insert(ChangeRow), changes)


def change_records(store: Store, count: int, rng: random.Random, now: datetime,
                   described: bool = False) -> None:
    """Change ``count`` records as a re-harvest would: a copy added at the branch (new
    holdings) for most, an edited title for some, a deletion for a few; each logged as
    the harvester's ingest logs it (:func:`union.ingest.change_op`). ``described``: no
    new copies, every live change edits the description (the title or the publisher),
    so every changed record is matched again: the update's worst case."""
    with store.write() as session:
        ids = list(session.scalars(select(BibRecordRow.source_record_id)))
        chosen = rng.sample(ids, count)
        rows = session.execute(select(BibRecordRow.source_record_id, BibRecordRow.data)
                               .where(BibRecordRow.source_record_id.in_(chosen[:30000])))
        for rid, data in rows:
            bib = stored = BibRecord.from_dict(data)
            roll = rng.random()
            if roll < 0.05:
                session.execute(update(SourceRecordRow).where(SourceRecordRow.id == rid)
                                .values(deleted=True, content_hash="deleted", updated_at=now))
                session.execute(BibRecordRow.__table__.delete()
                                .where(BibRecordRow.source_record_id == rid))
                session.execute(insert(ChangeRow).values(entity="source_record",
                                                         entity_id=rid, op="delete", at=now))
                continue
            if roll < 0.25:
                bib = replace(bib, title=bib.title + " baru")
            elif described:
                bib = replace(bib, publisher=f"{bib.publisher or ''} Press".strip())
            else:
                bib = replace(bib, items=(*bib.items, Item(barcode=f"X{rid}")))
            session.execute(update(BibRecordRow).where(BibRecordRow.source_record_id == rid)
                            .values(title=bib.title, data=bib.to_dict()))
            session.execute(update(SourceRecordRow).where(SourceRecordRow.id == rid)
                            .values(content_hash=f"changed-{rid}", updated_at=now))
            session.execute(insert(ChangeRow).values(
                entity="source_record", entity_id=rid, op=change_op(False, stored, bib), at=now))


def counts(store: Store) -> tuple[int, int, int]:
    """(live works, works with more than one member, members)."""
    with store.read() as session:
        live = session.scalar(select(func.count()).select_from(WorkRow)
                              .where(WorkRow.status == "live")) or 0
        members = session.scalar(select(func.count()).select_from(WorkMemberRow)) or 0
        sizes = select(WorkMemberRow.work_id).group_by(WorkMemberRow.work_id).having(
            func.count() > 1).subquery()
        shared = session.scalar(select(func.count()).select_from(sizes)) or 0
    return live, shared, members


def set_up(limit: int | None, database: Path) -> None:
    """Write the catalogue into a new store at ``database``."""
    originals = load_originals(limit)
    rng = random.Random(2026)
    records: list[tuple[str, str, BibRecord]] = [
        ("KOTA", f"LOC-{i:06d}", replace(r, items=(Item(barcode=f"K{i:06d}"),)))
        for i, r in enumerate(originals)]
    for i, original in enumerate(originals):
        code = f"DESA{rng.randint(1, 5)}"
        records.append((code, f"{code}-{i:06d}", slims_variant(original, rng, code)))
    store = Store(f"sqlite:///{database}")
    upgrade(store.engine)
    write_records(store, records)
    store.dispose()
    print(f"set up {len(records)} records ({len(originals)} LoC records and as many "
          "variants)", flush=True)


def _cpu_seconds() -> tuple[float, float]:
    """User and system CPU time of this process, and of its finished worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, workers.ru_utime + workers.ru_stime


def run(limit: int | None, keep: Path | None, changed: int, described: bool) -> None:
    """Set up (or copy a kept set-up), then time the rebuild and the incremental update."""
    started = time.perf_counter()
    folder = keep or Path(tempfile.mkdtemp(prefix="union-dedup-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "union.db"
    pristine = folder / "set-up.db"
    marker = folder / "set-up.records"
    wanted = str(limit)
    if database.exists():
        database.unlink()
    if keep and pristine.exists() and marker.exists() and marker.read_text() == wanted:
        shutil.copyfile(pristine, database)
        print(f"set-up copied from {pristine}", flush=True)
    else:
        set_up(limit, database)
        if keep:
            shutil.copyfile(database, pristine)
            marker.write_text(wanted)
    print(f"set-up took {time.perf_counter() - started:.0f} s", flush=True)
    store = Store(f"sqlite:///{database}")

    clock, cpu_before = time.perf_counter(), _cpu_seconds()
    report = update_works(store, lambda: T0, priority=BRANCHES, progress=lambda m: print(
        f"  {time.perf_counter() - clock:6.1f} s  (main process CPU "
        f"{_cpu_seconds()[0] - cpu_before[0]:5.1f} s)  {m}", flush=True))
    for worker in multiprocessing.active_children():
        worker.join()  # counted in the CPU time only once it has ended
    main, workers = (after - before
                     for after, before in zip(_cpu_seconds(), cpu_before, strict=True))
    live, shared, members = counts(store)
    print(f"rebuild: {report.records} records in {report.seconds:.1f} s = "
          f"{report.records / report.seconds:,.0f} records/s (target 5,000), "
          f"CPU {main + workers:.1f} s (main process {main:.1f}, workers {workers:.1f}); "
          f"{live} works, {shared} with several members, {members} members", flush=True)

    later = T0 + timedelta(days=1)
    change_records(store, changed, random.Random(2027), later, described)
    before = sum(_cpu_seconds())
    report = update_works(store, lambda: later, priority=BRANCHES)
    cpu = sum(_cpu_seconds()) - before
    print(f"incremental: {report.records} changed records"
          f"{' (all described anew)' if described else ''} in {report.seconds:.2f} s "
          f"(target 2 s), CPU {cpu:.2f} s; {report.created} works created, "
          f"{report.changed} changed, {report.merged} merged, {report.deleted} deleted", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of this process {peak:.0f} MB, of the largest worker {largest:.0f} MB; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, "
          f"store {database.stat().st_size / 2**20:.0f} MB")
    store.dispose()


def main() -> None:
    """Command line of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, help="only the first N LoC records")
    parser.add_argument("--changed", type=int, default=1000, help="records changed (1,000)")
    parser.add_argument("--keep", type=Path,
                        help="keep the store (and the set-up, for the next run) in this folder")
    parser.add_argument("--described", action="store_true",
                        help="every change edits a description (none only adds a copy)")
    args = parser.parse_args()
    run(args.records, args.keep, args.changed, args.described)


if __name__ == "__main__":
    main()
