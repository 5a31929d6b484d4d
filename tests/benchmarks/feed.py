"""Feed benchmark: a full ListRecords harvest over HTTP of a store of many works.

    .venv/bin/python -m tests.benchmarks.feed [--works N] [--database URL]

1. Builds a store of N works by bulk insert (display records made from real LoC records,
   cycled, each work held by one to three of the demo's four branches with one or two
   copies each; the clusterer is not run), then brings the feed up to date (renders
   every work once, in both formats, into ``feed_records``).
2. Serves it with ``union.feed.setup`` in a child process (as ``union serve`` would) and
   harvests every record over HTTP on 127.0.0.1 in ``marc21`` and then ``oai_dc``,
   following resumption tokens, with the default page size.

Prints records/s (wall), the server's CPU seconds, and the server's RSS sampled during
each harvest and at its peak: a harvest's memory must not grow with the catalogue.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp.test_utils import unused_port

from tests.support.federation import demo_catalogue_federation
from tests.support.paths import SHARED
from tests.union.feed.sqlite_repository import load_bibs
from union.bib_record import Item
from union.config import load_federation
from union.feed.follower import refresh_feed
from union.feed.work_records import Branches
from union.store.bulk_writes import fast_insert, stored
from union.store.engine import Store
from union.store.migrate import upgrade
from union.works.display import Member, display_record, display_text

TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]*)</resumptionToken>")
BRANCHES = ("KOTA", "DESA1", "DESA2", "DESA3")
BATCH = 20_000


def _members(index: int, bibs: list) -> list[Member]:
    bib = bibs[index % len(bibs)]
    codes = [code for step, code in zip((1, 3, 5, 7), BRANCHES, strict=True)
             if index % step == 0][: 1 + index % 3]
    return [Member(index * 4 + k, code, f"{code}-{index}",
                   replace(bib, items=tuple(Item(barcode=f"{code}{index:07d}{c}",
                                                 call_number=f"899.221 {index % 997}",
                                                 location="Umum", status="available")
                                            for c in range(1 + index % 2))))
            for k, code in enumerate(codes)]


def build(url: str, works: int) -> None:
    """N live works bulk-inserted into the store at ``url``."""
    bibs = load_bibs(SHARED, 20_000)
    store = Store(url)
    upgrade(store.engine)
    now = datetime.now(UTC)
    began = time.perf_counter()
    for start in range(1, works + 1, BATCH):
        with store.write() as session:
            at = stored(session, now)
            rows = []
            for wid in range(start, min(start + BATCH, works + 1)):
                text, digest = display_text(display_record(_members(wid, bibs)))
                rows.append((wid, "live", None, at, at, text, digest))
            fast_insert(session, "works", ("id", "status", "merged_into", "created_at",
                                           "datestamp", "display", "display_hash"),
                        rows, json_columns=("display",))
    print(f"built {works:,} works in {time.perf_counter() - began:.0f} s", flush=True)
    store.dispose()


def serve(config: Path, port: int) -> None:
    """The child process: the feed as ``union serve`` mounts it."""
    from aiohttp import web

    from union.feed.setup import setup
    from union.search.engine import open_engine
    from union.server.context import ServerContext

    federation = load_federation(config, {})
    store = Store(federation.union.database)
    engine = open_engine(federation.union.search_engine, config.parent / "index")
    app = web.Application()
    setup(app, ServerContext(federation, store, lambda: datetime.now(UTC), engine))
    web.run_app(app, host="127.0.0.1", port=port, print=None)


def _proc(pid: int) -> tuple[int, int, float]:
    """(RSS kB, peak RSS kB, CPU seconds) of a process."""
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines())
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(stat[11]) + int(stat[12])
    return (int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0]), ticks / 100)


async def harvest(url: str, prefix: str, pid: int, expected: int) -> None:
    """A full ListRecords harvest; prints the rate and the server's memory."""
    _, _, cpu_before = _proc(pid)
    samples: list[int] = []
    async with aiohttp.ClientSession() as session:
        began = time.perf_counter()
        count = 0
        params = {"verb": "ListRecords", "metadataPrefix": prefix}
        while True:
            async with session.get(url, params=params) as response:
                body = await response.read()
            count += body.count(b"<record>")
            if count // (expected // 10 or 1) > len(samples):
                samples.append(_proc(pid)[0])
            match = TOKEN.search(body)
            if match is None or not match.group(1):
                break
            params = {"verb": "ListRecords", "resumptionToken": match.group(1).decode()}
        spent = time.perf_counter() - began
    _, peak, cpu_after = _proc(pid)
    assert count == expected, (count, expected)
    print(f"harvest {prefix:7}: {count:,} records in {spent:.1f} s wall = "
          f"{count / spent:,.0f} records/s; server CPU {cpu_after - cpu_before:.1f} s "
          f"({count / max(cpu_after - cpu_before, 1e-9):,.0f} records per CPU-second); "
          f"server RSS every 10% (MB): {' '.join(str(s // 1024) for s in samples)}; "
          f"peak {peak // 1024} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--database", help="a store URL (default: SQLite in a temp dir)")
    parser.add_argument("--serve", nargs=2, metavar=("CONFIG", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve[0]), int(args.serve[1]))
        return
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        config = demo_catalogue_federation(root, database=args.database)
        federation = load_federation(config, {})
        build(federation.union.database, args.works)
        store = Store(federation.union.database)
        began, cpu = time.perf_counter(), time.process_time()
        report = refresh_feed(store, Branches.of(federation), lambda: datetime.now(UTC))
        spent = time.perf_counter() - began
        print(f"feed refresh (render both formats): {report.published:,} works in "
              f"{spent:.0f} s wall, {time.process_time() - cpu:.0f} s CPU = "
              f"{report.published / spent:,.0f} works/s", flush=True)
        store.dispose()
        port = unused_port()
        server = subprocess.Popen([sys.executable, "-m", "tests.benchmarks.feed", "--serve",
                                   str(config), str(port)])
        try:
            url = f"http://127.0.0.1:{port}/oai"
            asyncio.run(_wait(url))
            for prefix in ("marc21", "oai_dc"):
                asyncio.run(harvest(url, prefix, server.pid, args.works))
        finally:
            server.terminate()
            server.wait(timeout=30)


async def _wait(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(600):
            try:
                async with session.get(url, params={"verb": "Identify"}) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
    raise RuntimeError("the feed server did not start")


if __name__ == "__main__":
    main()
