"""Search engine benchmark: build an index of N synthetic-but-realistic documents, then
time patron queries with and without facets.

    .venv/bin/python -m tests.benchmarks.search_engines --docs 200000 --engine tantivy
    .venv/bin/python -m tests.benchmarks.search_engines --docs 50000 --engine whoosh

Documents recombine the titles, subtitles, authors, subjects, publishers and languages
of the 2,828 real LoC records of Indonesian, Malay, Javanese and Sundanese books (a title
is the head of one real title and the tail of another, sometimes with a volume or report
number), held by a city library and 40 village branches. Prints build docs/s (analysis
included), index MB, and query p50/p95 in ms over the patron queries, each run
``--repeat`` times, without facets and with all seven facets. Targets for tantivy on 2
cores: at least 50,000 docs/s, and p50 <= 5 ms, p95 <= 20 ms with facets.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pymarc

from union.bib_record import BibRecord
from union.normalize import bib_from_marc
from union.search.analysis import analyze
from union.search.documents import SearchDocument
from union.search.engine import SearchEngine, SearchQuery, open_engine
from union.search.fields import FACETS, prepare

REPO = Path(__file__).resolve().parents[2]
LOC = (
    REPO.parent
    / "shared/data/marc/loc-booksall-2016-part01/BooksAll.2016.part01.lang-ind-may-jav-sun.mrc"
)
BRANCHES = ("KOTA", *(f"DESA{n:02d}" for n in range(1, 41)))
FORMATS = ("book",) * 18 + ("serial", "ebook")

#: Patron queries: common and rare words, fields in both languages, phrases, boolean
#: operators, a year range, old spelling, a typo (exercises the correction fallback),
#: and a blank browse (facets over the whole catalogue).
QUERIES: tuple[str, ...] = (
    "sejarah",
    "pendidikan",
    "hukum islam",
    "undang-undang",
    "laporan penelitian",
    "membaca",
    "perpustakaan",
    "kebudayaan jawa",
    "ekonomi indonesia",
    "otonomi daerah",
    "kesejahteraan sosial",
    "pemberdayaan perempuan",
    "reformasi politik",
    '"hak asasi manusia"',
    "judul:sejarah",
    "title:pembangunan",
    "pengarang:soekarno",
    "author:mantra",
    "subjek:politics",
    "penerbit:gramedia",
    "sejarah NOT jawa",
    "pendidikan OR pengajaran",
    "sejarah jawa OR sunda",
    "tahun:1990-2000 ekonomi",
    "Djakarta",
    "perpustakan",
    "kupu-kupu",
    "cerita rakyat bugis",
    "",
)


def loc_bibs() -> list[BibRecord]:
    """The real LoC records, normalized."""
    with LOC.open("rb") as handle:
        return [bib_from_marc(record) for record in pymarc.MARCReader(handle) if record]


def _isbn13(body12: str) -> str:
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def synthetic_documents(
    count: int, bibs: Sequence[BibRecord], seed: int = 7
) -> Iterator[SearchDocument]:
    """``count`` documents recombined from ``bibs`` (deterministic for a seed)."""
    rng = random.Random(seed)
    titles = [bib.title.split() for bib in bibs]
    subtitles = [bib.subtitle for bib in bibs if bib.subtitle]
    authors = sorted({agent.name for bib in bibs for agent in bib.agents})
    subjects = sorted({subject for bib in bibs for subject in bib.subjects})
    publishers = sorted({bib.publisher for bib in bibs if bib.publisher})
    languages = [bib.languages for bib in bibs if bib.languages]
    years = [bib.year for bib in bibs if bib.year]
    for number in range(count):
        head, tail = rng.choice(titles), rng.choice(titles)
        words = head[: rng.randint(1, len(head))] + tail[len(tail) // 2 :][:6]
        roll = rng.random()
        if roll < 0.15:
            words += ["jilid", str(rng.randint(1, 12))]
        elif roll < 0.30:
            words += ["no.", str(rng.randint(1, 9999))]
        holders = {"KOTA"} if rng.random() < 0.6 else set()
        holders.update(rng.sample(BRANCHES[1:], rng.choice((1, 1, 1, 2, 3))))
        on_shelf = [code for code in sorted(holders) if rng.random() < 0.7]
        year = rng.choice(years) + rng.choice((-60, -30, -15, 0, 0, 0, 0, 10, 15, 20))
        yield SearchDocument(
            id=f"w{number:08d}",
            title=" ".join(words),
            subtitle=rng.choice(subtitles) if rng.random() < 0.4 else None,
            authors=rng.sample(authors, rng.choice((0, 1, 1, 1, 2))),
            subjects=rng.sample(subjects, rng.choice((0, 1, 1, 2, 3))),
            publisher=rng.choice(publishers) if rng.random() < 0.9 else None,
            year=min(max(year, 1900), 2024) if rng.random() < 0.97 else None,
            languages=rng.choice(languages),
            format=rng.choice(FORMATS),
            isbns=(_isbn13(f"978602{number:06d}"),) if rng.random() < 0.6 else (),
            branches=sorted(holders),
            available_branches=on_shelf,
            local=rng.random() < 0.2,
        )


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_queries(
    engine: SearchEngine, queries: Sequence[str], repeat: int, facets: tuple[str, ...]
) -> list[float]:
    """Milliseconds per search, every query ``repeat`` times (after one warm-up pass)."""
    for text in queries:
        engine.search(SearchQuery(text, facets=facets))
    timings = []
    for _ in range(repeat):
        for text in queries:
            started = time.perf_counter()
            engine.search(SearchQuery(text, facets=facets))
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def build(engine: SearchEngine, docs: Sequence[SearchDocument], batch: int) -> None:
    """Index ``docs`` with a commit every ``batch`` documents, and print the figures."""
    print(f"  load average before the build: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    started, cpu_started = time.perf_counter(), time.process_time()
    for at in range(0, len(docs), batch):
        engine.add(docs[at : at + batch])
        engine.commit()
    built, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    settle = getattr(engine, "wait_merging_threads", None)
    if settle is not None:
        settle()
    print(
        f"  build: {built:.1f} s wall, {len(docs) / built:,.0f} docs/s (analysis included); "
        f"{cpu:.1f} s CPU in all threads, {cpu / len(docs) * 1e6:.0f} us CPU per document"
    )
    sample = docs[:50_000]
    started = time.process_time()
    for doc in sample:
        prepare(doc)
    spent = (time.process_time() - started) / len(sample) * 1e6
    print(f"  of which analysis (prepare, warm caches): {spent:.1f} us CPU per document")


def measure_queries(engine: SearchEngine, repeat: int) -> None:
    """Time the patron queries and print p50/p95."""
    print(f"  load average before the queries: {os.getloadavg()[0]:.2f}")
    started = time.perf_counter()
    engine.search(SearchQuery("", facets=FACETS, limit=0))
    print(
        f"  whole-catalogue facets, computed once per index generation: "
        f"{(time.perf_counter() - started) * 1000:.1f} ms"
    )
    for label, facets in (
        ("no facets", ()),
        ("branch+language+year", ("branch", "language", "year")),
        ("all 7 facets", FACETS),
    ):
        timings = time_queries(engine, QUERIES, repeat, facets)
        print(
            f"  query, {label}: p50 {statistics.median(timings):.2f} ms, "
            f"p95 {_percentile(timings, 0.95):.2f} ms, max {max(timings):.1f} ms "
            f"({len(timings)} searches)"
        )
    slowest = []
    for text in QUERIES:
        started = time.perf_counter()
        results = engine.search(SearchQuery(text, facets=FACETS))
        slowest.append(((time.perf_counter() - started) * 1000, text, results.total))
    for ms, text, total in sorted(slowest, reverse=True)[:5]:
        print(f"    slowest with all facets: {text!r}: {ms:.1f} ms, {total:,} hits")


def run(
    count: int, engine_name: str, repeat: int, batch: int, directory: Path, skip_build: bool
) -> None:
    """Build (unless told not to), measure and print."""
    print(f"{engine_name}: {count:,} documents")
    engine = open_engine(engine_name, directory)
    try:
        if not skip_build:
            bibs = loc_bibs()
            docs = list(synthetic_documents(count, bibs))
            vocabulary = {term for doc in docs for term in analyze(doc.title)}
            print(f"  {len(vocabulary):,} distinct title terms")
            build(engine, docs, batch)
        size = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / 1e6
        print(f"  index {size:.1f} MB")
        measure_queries(engine, repeat)
    finally:
        engine.close()


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--engine", choices=("tantivy", "whoosh"), default="tantivy")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the query set")
    parser.add_argument("--batch", type=int, default=100_000, help="documents per commit")
    parser.add_argument("--dir", type=Path, help="index directory (default: a temporary one)")
    parser.add_argument(
        "--skip-build", action="store_true", help="only time queries on the index in --dir"
    )
    args = parser.parse_args()
    directory = args.dir or Path(tempfile.mkdtemp(prefix=f"search-{args.engine}-"))
    try:
        run(args.docs, args.engine, args.repeat, args.batch, directory, args.skip_build)
    finally:
        if args.dir is None:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
