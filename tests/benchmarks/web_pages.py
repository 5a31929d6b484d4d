"""Benchmark of the patron pages: the demo catalogue harvested, indexed and served on
127.0.0.1; each page's weight, then wrk (Debian) in a second process for latency and
throughput per page.

    .venv/bin/python -m tests.benchmarks.web_pages [--seconds 10] [--connections 8]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp import web

from tests.support.federation import harvest_demo_catalogue
from union.config import Federation
from union.local_content import LocalMatcher
from union.search.engine import open_engine
from union.search.live_index import rebuild_index
from union.server.context import CONTEXT, ServerContext
from union.store.engine import Store
from union.web import setup

PAGES = {
    "home": "/",
    "search": "/cari?q=indonesia",
    "search+facet": "/cari?q=sejarah&branch=KOTA",
    "browse local": "/cari?local=true",
    "work": "/karya/{work}",
    "marc view": "/karya/{work}/marc",
    "ris export": "/karya/{work}/ekspor.ris",
}


def _wrk(url: str, seconds: int, connections: int) -> dict[str, str]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True).stdout
    figures = {"rps": re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)}
    for percent in ("50", "99"):
        figures[f"p{percent}"] = re.search(rf"\s{percent}%\s+(\S+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    figures["errors"] = errors.group(0) if errors else "0"
    return figures


async def _serve(federation: Federation, store: Store, folder: Path, seconds: int,
                 connections: int) -> None:
    engine = open_engine("tantivy", folder / "index")
    context = ServerContext(federation, store, lambda: datetime.now(UTC), engine)
    app = web.Application()
    app[CONTEXT] = context
    setup(app, context)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(base + "/cari?q=indonesia") as response:
                work = re.search(r'href="/karya/(\d+)"', await response.text()).group(1)
            async with session.get(base + "/") as response:
                sheet = re.search(r'href="(/static/[^"]+)"', await response.text()).group(1)
            async with session.get(base + sheet) as response:
                print(f"stylesheet {len(await response.read())} bytes")
            print(f"{'page':<14}{'bytes':>8}{'req/s':>10}{'p50':>10}{'p99':>10}  errors")
            for name, path in PAGES.items():
                url = base + path.format(work=work)
                async with session.get(url) as response:
                    size = len(await response.read())
                # wrk runs in its own process; the server keeps this one's event loop.
                figures = await asyncio.to_thread(_wrk, url, seconds, connections)
                print(f"{name:<14}{size:>8}{figures['rps']:>10}{figures['p50']:>10}"
                      f"{figures['p99']:>10}  {figures['errors']}")
    finally:
        await runner.cleanup()
        engine.close()
        store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        started = time.perf_counter()
        federation = harvest_demo_catalogue(folder)
        store = Store(federation.union.database)
        rebuild_index("tantivy", folder / "index", store, LocalMatcher(federation.local))
        print(f"demo catalogue harvested and indexed in {time.perf_counter() - started:.1f} s")
        cpu = time.process_time()
        asyncio.run(_serve(federation, store, folder, args.seconds, args.connections))
    print(f"server process CPU time while serving {time.process_time() - cpu:.1f} s "
          "(2 cores, shared with other jobs)")


if __name__ == "__main__":
    main()
