"""Search over HTTP benchmark: the real web node's application serving ``/api/search``
over an index of N works, measured from a client in another process.

    .venv/bin/python -m tests.benchmarks.search_http --works 1000000 --engine tantivy
    .venv/bin/python -m tests.benchmarks.search_http --works 200000 --engine whoosh

The index is built from the index benchmark's display records (real LoC records and
their village-library variants, held by a city library and 40 village branches; see
:mod:`tests.benchmarks.search_index`), unless ``--dir`` names an index already built
(``--dir`` that does not exist yet is built and kept).
The node (``union.server.app.build_app`` with the API) runs in a child process on a free
port of 127.0.0.1 with an empty store of its own. This process then

1. times ``--requests`` searches one after another (patron queries, each with a facet
   filter or none, sort orders and pages, every facet counted) with aiohttp's client:
   p50/p95 latency in ms;
2. runs ``wrk`` (Debian) for ``--seconds`` with ``--connections`` connections over the
   same request mix (a Lua script walks the list): requests/s, and errors (socket errors
   and non-2xx answers), which must be zero.

Both are run twice: with every request made unique (an extra ignored parameter), so that
each one runs on the engine, and as the mix is, so that repeated searches within two
seconds are answered by the API's answer cache (:mod:`union.api.cache`), as a burst of
popular searches would be.

Prints wall and CPU time of the server process. Targets on 2 cores at 1,000,000 works
with tantivy: p50 <= 5 ms, p95 <= 20 ms, >= 1,000 requests/s with zero errors.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from tests.benchmarks.search_engines import QUERIES, _percentile
from tests.benchmarks.search_index import BRANCHES, build, displays

FILTERS: tuple[tuple[tuple[str, str], ...], ...] = (
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
SORTS = ("relevance", "relevance", "relevance", "year", "title")


def request_paths(count: int, seed: int = 5) -> list[str]:
    """``count`` varied search request paths (deterministic for a seed)."""
    rng = random.Random(seed)
    paths = []
    for _ in range(count):
        params: list[tuple[str, str]] = [("q", rng.choice(QUERIES))]
        params.extend(rng.choice(FILTERS))
        sort = rng.choice(SORTS)
        if sort != "relevance":
            params.append(("sort", sort))
        if rng.random() < 0.2:
            params.append(("page", str(rng.randint(2, 5))))
        paths.append(f"/api/search?{urlencode(params)}")
    return paths


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
        f'database = "sqlite:///{folder / "union.db"}"\nindex = "{index}"\n'
        f'search_engine = "{engine}"\nbase_url = "http://127.0.0.1:8080"\n'
        f'oai_domain = "katalog.example.go.id"\nadmin_email = "pustaka@example.org"\n'
        f"{tables}", encoding="utf-8")
    return path


def serve(config: Path, ready: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """Child process: the web node's application with the API, on a free port."""
    from datetime import UTC, datetime

    from aiohttp import web

    from union import api
    from union.config import load_federation
    from union.search.engine import open_engine
    from union.server.app import PARTS, build_app
    from union.server.context import ServerContext
    from union.server.metrics import NodeMetrics
    from union.store.engine import Store
    from union.store.migrate import upgrade

    federation = load_federation(config, {})
    store = Store(federation.union.database)
    upgrade(store.engine)
    engine = open_engine(federation.union.search_engine, federation.union.index)
    context = ServerContext(federation, store, lambda: datetime.now(UTC), engine)
    parts = PARTS if any(name == "api" for name, _ in PARTS) else (*PARTS, ("api", api.setup))
    app = build_app(context, NodeMetrics.register(context.metrics), parts=parts)

    async def run() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        ready.put(runner.addresses[0][1])
        await asyncio.Event().wait()

    asyncio.run(run())


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
            folder: Path, unique: bool) -> str:
    """wrk's report over the request mix (each request made unique if told)."""
    script = folder / "paths.lua"
    quoted = ",\n".join(f'  "{path}"' for path in paths)
    tail = ' .. "&n=" .. n' if unique else ""
    script.write_text(
        f"local paths = {{\n{quoted}\n}}\nlocal i = 0\nlocal n = 0\n"
        "request = function()\n  i = i % #paths + 1\n  n = n + 1\n"
        f"  return wrk.format(\"GET\", paths[i]{tail})\nend\n", encoding="utf-8")
    return subprocess.run(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--latency",
         "-s", str(script), base],
        capture_output=True, text=True, check=True, timeout=seconds + 60).stdout


def print_wrk(report: str, label: str, cpu: float, wall: float) -> None:
    """The figures of one wrk run."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", report)
    total = re.search(r"(\d+) requests in", report)
    errors = re.search(r"Socket errors: (.*)", report)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    latency = re.search(r"Latency Distribution\n((?:.*\n){4})", report)
    print(f"  wrk, {label}: {float(rate.group(1)) if rate else 0:,.0f} requests/s "
          f"({int(total.group(1)) if total else 0:,} requests), "
          f"non-2xx {non_2xx.group(1) if non_2xx else 0}, "
          f"socket errors {errors.group(1) if errors else 'none'}; "
          f"server CPU {cpu:.1f} s in {wall:.1f} s wall")
    if latency:
        print("    latency " + ", ".join(line.strip() for line in latency.group(1).splitlines()))


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a live process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(config: Path, args: argparse.Namespace, folder: Path) -> None:
    """Serve, time, hammer, print."""
    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    server = context.Process(target=serve, args=(config, ready), daemon=True)
    server.start()
    try:
        base = f"http://127.0.0.1:{ready.get(timeout=600)}"
        paths = request_paths(args.requests)
        print(f"  load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
              "cores (shared machine)")
        unique = [f"{path}&n={n}" for n, path in enumerate(paths)]
        for label, mix in (("every search on the engine", unique),
                           ("with the answer cache", paths)):
            wall, cpu = time.perf_counter(), cpu_of(server.pid)
            timings = asyncio.run(time_requests(base, mix))
            wall, cpu = time.perf_counter() - wall, cpu_of(server.pid) - cpu
            print(f"  {len(timings):,} searches one at a time, all 7 facets, {label}: "
                  f"p50 {statistics.median(timings):.2f} ms, "
                  f"p95 {_percentile(timings, 0.95):.2f} ms, max {max(timings):.1f} ms; "
                  f"server {cpu / len(timings) * 1000:.2f} ms CPU per search "
                  f"({wall:.1f} s wall)")
        for label, fresh in (("every search on the engine", True),
                             ("with the answer cache", False)):
            wall, cpu = time.perf_counter(), cpu_of(server.pid)
            report = run_wrk(base, paths, args.seconds, args.connections, folder, fresh)
            wall, cpu = time.perf_counter() - wall, cpu_of(server.pid) - cpu
            print_wrk(report, f"{label}, {args.connections} connections, {args.seconds} s",
                      cpu, wall)
    finally:
        server.terminate()
        server.join()


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=("tantivy", "whoosh"), default="tantivy")
    parser.add_argument("--dir", type=Path,
                        help="index directory, kept: built there unless it exists")
    parser.add_argument("--workers", type=int,
                        help="analysis worker processes for the build (tantivy only; "
                             "default 1 for tantivy, 0 for whoosh)")
    parser.add_argument("--requests", type=int, default=2000)
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
            workers = args.workers if args.workers is not None else int(args.engine == "tantivy")
            added = build(engine, displays(args.works), args.works, workers)
            engine.close()
            print(f"  index built: {added:,} works in {time.perf_counter() - started:.0f} s")
        measure(federation_file(folder, index, args.engine), args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
