"""Search over HTTP benchmark: ``union serve`` answering ``/api/search`` over an index of
N works, measured from a client in another process.

    .venv/bin/python -m tests.benchmarks.search_http --works 1000000 --engine tantivy \
        --dir bench-data/http-1m --workers 2
    .venv/bin/python -m tests.benchmarks.search_http --works 200000 --engine whoosh

The index is built from the index benchmark's display records (real LoC records and
their village-library variants, held by a city library and 40 village branches; see
:mod:`tests.benchmarks.search_index`), unless ``--dir`` names an index already built
(``--dir`` that does not exist yet is built and kept). The node is the real
``union serve --no-harvest --workers N`` on a free port of 127.0.0.1, with an empty
store of its own.

The request mix is patrons' searches, every one different (so the two-second answer
cache of :mod:`union.api.cache` answers none of them: its hit rate is printed from the
node's metrics): words drawn from the titles, authors and subject headings of the
indexed works (so as often as the catalogue uses them: one or two title words, an
author's name, a subject word, fielded ``judul:``/``pengarang:``/``subjek:``), the
benchmark's Indonesian patron queries (phrases, AND/OR/NOT, old spelling), misspelt
title words (the typo fallback), and browsing without words; about half with a facet
filter (branch, availability, language, years, local collection, format), a fifth on
pages 2-5, some sorted by year or title; all seven facets counted. This process

1. times ``--requests`` searches one after another on one connection: p50/p95 latency in
   ms, and the server's CPU per search (every process of the node);
2. runs ``wrk`` (Debian) for ``--seconds`` with ``--connections`` connections over the
   rest of the mix (a Lua script walks it, never repeating a request): requests/s, and
   errors (socket errors and non-2xx answers), which must be zero.

Targets on 2 cores at 1,000,000 works with tantivy: p50 <= 5 ms, p95 <= 20 ms, >= 1,000
requests/s with zero errors. The client shares the cores with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import orjson

from tests.benchmarks.search_engines import QUERIES, _percentile
from tests.benchmarks.search_index import BRANCHES, build, displays

FILTERS: tuple[tuple[tuple[str, str], ...], ...] = (
    (),
    (),
    (),
    (),
    (("branch", "KOTA"),),
    (("branch", "DESA07"), ("branch", "DESA12")),
    (("available", "true"),),
    (("available", "DESA03"),),
    (("language", "ind"),),
    (("year", "1970-1999"),),
    (("year_from", "2000"),),
    (("local", "true"),),
    (("format", "book"), ("branch", "KOTA")),
)
SORTS = ("relevance",) * 6 + ("year", "title")
_WORD = re.compile(r"[^\W\d_]{4,}")
_STOP = frozenset({"dengan", "untuk", "dalam", "yang", "from", "with", "that", "their"})


def vocabulary(path: Path, works: int) -> tuple[list[list[str]], list[str], list[str]]:
    """Title words (per title), author surnames and subject words of the first
    ``works`` display records, each as often as the catalogue has them."""
    titles, authors, subjects = [], [], []
    with path.open("rb") as handle:
        for line in islice(handle, works):
            work = orjson.loads(line)
            words = [w.lower() for w in _WORD.findall(work.get("title") or "")]
            titles.append([w for w in words if w not in _STOP])
            authors.extend(agent["name"].split(",")[0].split()[-1]
                           for agent in work.get("agents") or () if agent.get("name"))
            for subject in work.get("subjects") or ():
                text = subject if isinstance(subject, str) else subject.get("heading", "")
                subjects.extend(w.lower() for w in _WORD.findall(text)[:1])
    return [t for t in titles if t], [a for a in authors if _WORD.fullmatch(a)], subjects


def patron_query(rng: random.Random, words: tuple[list[list[str]], list[str], list[str]]
                 ) -> str:
    """One patron's query text (see the module docstring for the mix)."""
    titles, authors, subjects = words
    title = rng.choice(titles)
    at = rng.randrange(len(title))
    kind = rng.random()
    if kind < 0.30:
        return title[at]
    if kind < 0.45:
        return " ".join(title[at:at + 2])
    if kind < 0.55:
        return rng.choice(authors)
    if kind < 0.60:
        return f"pengarang:{rng.choice(authors)}"
    if kind < 0.68:
        return f"subjek:{rng.choice(subjects)}" if subjects else title[at]
    if kind < 0.73:
        return f"judul:{title[at]}"
    if kind < 0.85:
        return rng.choice(QUERIES)
    if kind < 0.92 and len(title[at]) > 5:
        cut = rng.randrange(1, len(title[at]) - 1)
        return title[at][:cut] + title[at][cut + 1:]
    return ""


def request_paths(count: int, words: tuple[list[list[str]], list[str], list[str]],
                  seed: int = 5) -> list[str]:
    """``count`` different search request paths (deterministic for a seed)."""
    rng = random.Random(seed)
    paths: dict[str, None] = {}
    while len(paths) < count:
        params: list[tuple[str, str]] = [("q", patron_query(rng, words))]
        params.extend(rng.choice(FILTERS))
        sort = rng.choice(SORTS)
        if sort != "relevance":
            params.append(("sort", sort))
        if rng.random() < 0.2:
            params.append(("page", str(rng.randint(2, 5))))
        paths[f"/api/search?{urlencode(params)}"] = None
    return list(paths)


def federation_file(folder: Path, index: Path, engine: str) -> Path:
    """A federation of the benchmark's 41 branches with an empty store in ``folder``."""
    tables = "".join(
        f'\n[[branches]]\ncode = "{code}"\nname = "Perpustakaan {code}"\n'
        f'kind = "{"city" if code == "KOTA" else "village"}"\n'
        f'source = {{ type = "marc-file", path = "{folder / code}.mrc" }}\n'
        for code in BRANCHES
    )
    path = folder / "federation.toml"
    path.write_text(
        f'[union]\nname = "Katalog Induk (benchmark)"\n'
        f'database = "sqlite:///{folder / "union.db"}"\nindex = "{index.resolve()}"\n'
        f'search_engine = "{engine}"\nbase_url = "http://127.0.0.1:8080"\n'
        f'oai_domain = "katalog.example.go.id"\nadmin_email = "pustaka@example.org"\n'
        f"{tables}", encoding="utf-8")
    return path


class Node:
    """``union serve --no-harvest --workers N`` on a free port, and its processes."""

    def __init__(self, config: Path, workers: int) -> None:
        union = str(Path(sys.executable).parent / "union")
        self.process = subprocess.Popen(
            [union, "--config", str(config), "serve", "--port", "0", "--no-harvest",
             "--workers", str(workers)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        if "http://" not in first:
            self.process.kill()
            raise RuntimeError(f"union serve did not start: {first!r}")
        self.url = first[first.index("http://"):].split()[0].rstrip("/")

    def pids(self) -> list[int]:
        """The node's processes: the owner, its readers (and multiprocessing's resource
        tracker)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [self.process.pid, *map(int, children.read_text().split())]

    def cpu(self) -> float:
        """CPU seconds (user + system) the node's processes have used."""
        total = 0.0
        for pid in self.pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(60)


async def cache_counts(base: str, processes: int) -> tuple[float, float]:
    """The answer cache's hits and misses, summed over the node's ``processes`` (each
    answers ``/metrics`` for itself, and the counts stand still once the load is over:
    fresh connections until as many different counts have been seen)."""
    seen: set[tuple[float, float]] = set()
    async with aiohttp.ClientSession(base) as session:
        for _ in range(200):
            async with session.get("/metrics", headers={"Connection": "close"}) as response:
                text = await response.text()
            hits = re.search(r"^union_api_search_cache_hits_total (\S+)", text, re.M)
            misses = re.search(r"^union_api_search_cache_misses_total (\S+)", text, re.M)
            seen.add((float(hits.group(1)) if hits else 0.0,
                      float(misses.group(1)) if misses else 0.0))
            if len(seen) == processes:
                break
    return sum(h for h, _ in seen), sum(m for _, m in seen)


async def time_requests(base: str, paths: list[str]) -> list[float]:
    """Milliseconds per request, one after another on one connection (after a warm-up
    pass over the first 50, made different so that it fills no cache for them)."""
    timings = []
    async with aiohttp.ClientSession(base) as session:
        for path in paths[:50]:
            async with session.get(f"{path}&warm=1") as response:
                await response.read()
        for path in paths:
            started = time.perf_counter()
            async with session.get(path) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"{path}: HTTP {response.status}")
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def run_wrk(base: str, paths: list[str], seconds: int, connections: int,
            folder: Path) -> str:
    """wrk's report over ``paths``, each sent at most once."""
    script = folder / "paths.lua"
    quoted = ",\n".join(f'  "{path}"' for path in paths)
    script.write_text(
        f"local paths = {{\n{quoted}\n}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        "  return wrk.format(\"GET\", paths[i])\nend\n", encoding="utf-8")
    return subprocess.run(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--latency",
         "-s", str(script), base],
        capture_output=True, text=True, check=True, timeout=seconds + 60).stdout


def print_wrk(report: str, label: str, cpu: float, wall: float, sent: int) -> None:
    """The figures of one wrk run."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", report)
    total = int(m.group(1)) if (m := re.search(r"(\d+) requests in", report)) else 0
    errors = re.search(r"Socket errors: (.*)", report)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    latency = re.search(r"Latency Distribution\n((?:.*\n){4})", report)
    repeated = " (the mix ran out: requests were repeated)" if total > sent else ""
    print(f"  wrk, {label}: {float(rate.group(1)) if rate else 0:,.0f} requests/s "
          f"({total:,} requests{repeated}), "
          f"non-2xx {non_2xx.group(1) if non_2xx else 0}, "
          f"socket errors {errors.group(1) if errors else 'none'}; "
          f"server CPU {cpu:.1f} s in {wall:.1f} s wall "
          f"({cpu / max(total, 1) * 1000:.2f} ms per request)")
    if latency:
        print("    latency " + ", ".join(line.strip() for line in latency.group(1).splitlines()))


def measure(config: Path, args: argparse.Namespace, folder: Path,
            words: tuple[list[list[str]], list[str], list[str]]) -> None:
    """Serve, time, hammer, print."""
    paths = request_paths(args.requests + args.wrk_requests, words)
    node = Node(config, args.workers)
    try:
        base = node.url
        print(f"  union serve --workers {args.workers}: processes {node.pids()}; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
              "(shared machine)")
        wall, cpu = time.perf_counter(), node.cpu()
        timings = asyncio.run(time_requests(base, paths[:args.requests]))
        wall, cpu = time.perf_counter() - wall, node.cpu() - cpu
        print(f"  {len(timings):,} different searches one at a time, all 7 facets: "
              f"p50 {statistics.median(timings):.2f} ms, "
              f"p95 {_percentile(timings, 0.95):.2f} ms, max {max(timings):.1f} ms; "
              f"server {cpu / len(timings) * 1000:.2f} ms CPU per search "
              f"({wall:.1f} s wall)")
        rest = paths[args.requests:]
        wall, cpu = time.perf_counter(), node.cpu()
        report = run_wrk(base, rest, args.seconds, args.connections, folder)
        wall, cpu = time.perf_counter() - wall, node.cpu() - cpu
        print_wrk(report, f"{args.connections} connections, {args.seconds} s", cpu, wall,
                  len(rest))
        hits, misses = asyncio.run(cache_counts(base, args.workers))
        print(f"  answer cache: {hits:,.0f} hits, {misses:,.0f} misses "
              f"({hits / max(hits + misses, 1):.1%} hit rate); "
              f"load average after {os.getloadavg()[0]:.1f}")
    finally:
        node.stop()


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=("tantivy", "whoosh"), default="tantivy")
    parser.add_argument("--dir", type=Path,
                        help="index directory, kept: built there unless it exists")
    parser.add_argument("--build-workers", type=int,
                        help="analysis worker processes for the build (tantivy only; "
                             "default 1 for tantivy, 0 for whoosh)")
    parser.add_argument("--workers", type=int, default=2,
                        help="processes of union serve answering on the port")
    parser.add_argument("--requests", type=int, default=2000,
                        help="searches timed one at a time")
    parser.add_argument("--wrk-requests", type=int, default=40000,
                        help="different searches for wrk (more than it can send)")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="search-http-"))
    try:
        index = args.dir or folder / "index"
        print(f"{args.engine}, {args.works:,} works; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores (shared machine)")
        if not index.exists():
            from union.search.engine import open_engine

            engine = open_engine(args.engine, index)
            started = time.perf_counter()
            workers = (args.build_workers if args.build_workers is not None
                       else int(args.engine == "tantivy"))
            added = build(engine, args.engine, displays(args.works), args.works, workers)
            engine.close()
            print(f"  index built: {added:,} works in {time.perf_counter() - started:.0f} s")
        words = vocabulary(displays(args.works), min(args.works, 200_000))
        measure(federation_file(folder, index, args.engine), args, folder, words)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
