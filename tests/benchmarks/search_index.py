"""Search index build benchmark: index N works from their display records, the way
``union reindex`` does, then time patron queries with facets on the engine directly.

    .venv/bin/python -m tests.benchmarks.search_index --works 1000000 --engine tantivy
    .venv/bin/python -m tests.benchmarks.search_index --works 200000 --engine whoosh

Works are the 250,000 LoC records of ``bench-data/BooksAll.2016.part01.utf8`` (fetched
as the ingest benchmark does) and the 2,828 LoC records of Indonesian books, each held by
one to three of a city library and 40 village branches (items "Tersedia", "Dipinjam" or
without status); past the first pass over the records, a work is a village library's
SLiMS-style variant of a real record (capitals, abbreviations, old spelling, typos: new
words, as real catalogues have). Display records are built by the clusterer's own
:func:`display_record` and kept as JSON lines in ``bench-data`` (generated once per
count). The build is timed from JSON text to a committed, merged index: parsing, search
documents, Indonesian analysis and the engine. ``--workers`` analyzes in that many
worker processes while the main process feeds the engine. Prints docs/s (wall and CPU),
index MB, and query p50/p95 in ms with all seven facets. Target for tantivy on 2 cores:
50,000 docs/s.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import random
import resource
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
import pymarc

from tests.benchmarks.ingest import DATA, ensure_books_all
from tests.benchmarks.search_engines import QUERIES, _percentile
from tests.benchmarks.variants import slims_variant
from tests.support.loc import loc_bibs
from tests.support.paths import REPO
from union.bib_record import BibRecord, Item
from union.collector import collect_rarely
from union.config import load_federation
from union.local_content import LocalMatcher
from union.normalize import bib_from_marc
from union.search.bulk import Encoded, encode_works
from union.search.engine import SearchEngine, SearchQuery, open_engine
from union.search.fields import FACETS
from union.search.tantivy_engine import TantivyEngine
from union.search.whoosh_engine import WhooshEngine
from union.works.display import Member, display_record

BRANCHES = ("KOTA", *(f"DESA{n:02d}" for n in range(1, 41)))
STATUSES = (None, None, None, "Tersedia", "Dipinjam", "available", "on_loan")
CHUNK = 2000
MATCHER = LocalMatcher(load_federation(REPO / "config" / "demo.toml", {}).local)
ENCODERS = {"tantivy": TantivyEngine.encode_document, "whoosh": WhooshEngine.encode_document}


def real_bibs() -> list[BibRecord]:
    """The Indonesian LoC records and the 250,000 of BooksAll, normalized."""
    bibs = loc_bibs()
    with ensure_books_all().open("rb") as handle:
        for record in pymarc.MARCReader(handle, to_unicode=True, force_utf8=True):
            if record is not None:
                bib = bib_from_marc(record)
                if bib.title:
                    bibs.append(bib)
    return bibs


def generate(count: int, bibs: Sequence[BibRecord], seed: int = 11) -> Iterator[bytes]:
    """``count`` display records as JSON (deterministic for a seed)."""
    rng = random.Random(seed)
    for number in range(count):
        base = bibs[number % len(bibs)]
        holders = rng.sample(BRANCHES, rng.choice((1, 1, 1, 2, 3)))
        members = []
        for n, code in enumerate(holders):
            bib = base if number < len(bibs) and n == 0 else slims_variant(base, rng, code)
            items = tuple(Item(f"{code}-{number}-{c}", status=rng.choice(STATUSES))
                          for c in range(rng.choice((1, 1, 2, 3))))
            members.append(Member(number * 4 + n, code, f"{code}-{number}",
                                  BibRecord(**{**_fields(bib), "items": items})))
        yield orjson.dumps(display_record(members, BRANCHES))


def _fields(bib: BibRecord) -> dict[str, Any]:
    return {name: getattr(bib, name) for name in bib.__slots__}  # type: ignore[attr-defined]


def displays(count: int) -> Path:
    """A JSON-lines file of at least ``count`` display records (its first ``count`` are
    the same whatever its length), generated on first use."""
    for made in sorted(DATA.glob("search-displays-*.jsonl"),
                       key=lambda p: int(p.stem.rpartition("-")[2])):
        if int(made.stem.rpartition("-")[2]) >= count:
            return made
    path = DATA / f"search-displays-{count}.jsonl"
    started = time.perf_counter()
    bibs = real_bibs()
    partial = path.with_suffix(".tmp")
    with partial.open("wb") as out:
        for line in generate(count, bibs):
            out.write(line + b"\n")
    partial.replace(path)
    print(f"generated {count:,} display records in {time.perf_counter() - started:.0f} s")
    return path


def lines(path: Path, count: int) -> Iterator[tuple[int, list[bytes]]]:
    """The file's first ``count`` lines in chunks of :data:`CHUNK`, each with the work
    id of its first line."""
    with path.open("rb") as handle:
        head = islice(handle, count)
        base = 0
        while chunk := list(islice(head, CHUNK)):
            yield base, chunk
            base += len(chunk)


def encode_chunk(job: tuple[int, list[bytes], str]) -> list[Encoded]:
    """Worker: display JSON to documents encoded for the engine, as a rebuild's workers
    do (:func:`union.search.bulk.encode_works`)."""
    base, chunk, engine_name = job
    works = ((base + n, orjson.loads(line)) for n, line in enumerate(chunk))
    return encode_works(works, MATCHER, None, ENCODERS[engine_name])


def build(engine: SearchEngine, engine_name: str, path: Path, count: int, workers: int) -> int:
    """Index ``count`` works; returns how many were added."""
    added = 0
    jobs = ((base, chunk, engine_name) for base, chunk in lines(path, count))
    with contextlib.ExitStack() as stack:
        if workers:
            pool = stack.enter_context(multiprocessing.get_context("fork").Pool(
                workers, initializer=collect_rarely))
            encoded: Iterator[list[Encoded]] = pool.imap(encode_chunk, jobs)
        else:
            encoded = map(encode_chunk, jobs)
        for docs in encoded:
            engine.add_encoded(docs, new_ids=True)
            added += len(docs)
    engine.commit()
    return added


def cpu_seconds() -> float:
    """CPU time of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_rss_mb(who: int) -> float:
    """Peak resident memory in MB of this process (RUSAGE_SELF) or of its largest
    finished child (RUSAGE_CHILDREN)."""
    return resource.getrusage(who).ru_maxrss / 1024


def time_queries(engine: SearchEngine, repeat: int) -> list[float]:
    """Milliseconds per patron query with every facet, after one warm-up pass."""
    for text in QUERIES:
        engine.search(SearchQuery(text, facets=FACETS))
    timings = []
    for _ in range(repeat):
        for text in QUERIES:
            started = time.perf_counter()
            engine.search(SearchQuery(text, facets=FACETS))
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def run(works: int, engine_name: str, workers: int, repeat: int) -> None:
    path = displays(works)
    folder = Path(tempfile.mkdtemp(prefix="search-index-"))
    try:
        engine = open_engine(engine_name, folder / "index")
        wall, cpu = time.perf_counter(), cpu_seconds()
        added = build(engine, engine_name, path, works, workers)
        if hasattr(engine, "wait_merging_threads"):
            engine.wait_merging_threads()
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        size = sum(p.stat().st_size for p in (folder / "index").rglob("*") if p.is_file())
        print(f"{engine_name}, {added:,} works, {workers} analysis workers: "
              f"{added / wall:,.0f} docs/s wall ({wall:.1f} s), {cpu:.1f} s CPU "
              f"({added / cpu:,.0f} docs per CPU-second), index {size / 1e6:,.0f} MB")
        print(f"  peak RSS: main process {peak_rss_mb(resource.RUSAGE_SELF):,.0f} MB, "
              f"largest worker {peak_rss_mb(resource.RUSAGE_CHILDREN):,.0f} MB; "
              f"load average now {os.getloadavg()[0]:.1f}")
        timings = time_queries(engine, repeat)
        print(f"  {len(QUERIES)} patron queries x {repeat}, all {len(FACETS)} facets: "
              f"p50 {_percentile(timings, 0.5):.1f} ms, p95 {_percentile(timings, 0.95):.1f} ms")
        engine.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--engine", default="tantivy")
    parser.add_argument("--workers", type=int, default=0,
                        help="analysis worker processes (0: analyze in the main process)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} (shared machine)")
    run(args.works, args.engine, args.workers, args.repeat)


if __name__ == "__main__":
    main()
