"""Staff desk benchmark: the cost of signing in (argon2 with the library's default
parameters) and the throughput of the staff pages and JSON API on a busy branch.

    .venv/bin/python -m tests.benchmarks.staff_desk [--requests N] [--open M] [--concurrency C]

Sets up three hosted branches in a SQLite store (real nodes, keys and hub), with ``--open``
copies of the city library requested by a village branch and answered WillSupply, so the
city's pick list holds that many copies. Timed: argon2 hash and verify; then ``--requests``
GETs of the dashboard and the pick list page (signed-in session) and of the pick list over
the API (bearer token), ``--concurrency`` at a time, over loopback. Prints requests/s,
latency p50/p95, and the wall and CPU time of the process (server and client share it).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
from argon2 import PasswordHasher

from tests.support.federation import demo_catalogue_federation
from tests.union.staff.desk_support import Desk, hosted_branches
from tests.union.staff.support import (
    PASSWORD,
    Clock,
    add_staff,
    browser,
    new_token,
    sign_in,
    staff_node,
)
from union.config import load_federation
from union.harvest_runs import register_federation
from union.store.engine import Store
from union.store.migrate import upgrade
from union.sync_node.service import KeyDirectory


def argon2_figures(rounds: int = 10) -> tuple[float, float, float]:
    """Median wall milliseconds to hash and to verify one password with the default
    parameters, and the mean CPU milliseconds of one hash (all its lanes)."""
    hasher = PasswordHasher()
    hashes, verifies = [], []
    cpu = time.process_time()
    for _ in range(rounds):
        start = time.perf_counter()
        stored = hasher.hash(PASSWORD)
        hashes.append(time.perf_counter() - start)
        start = time.perf_counter()
        hasher.verify(stored, PASSWORD)
        verifies.append(time.perf_counter() - start)
    cpu_ms = (time.process_time() - cpu) / (2 * rounds) * 1000
    return statistics.median(hashes) * 1000, statistics.median(verifies) * 1000, cpu_ms


async def _load(client: aiohttp.ClientSession, url: str, headers: dict[str, str],
                requests: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue = iter(range(requests))

    async def worker() -> None:
        for _ in queue:
            start = time.perf_counter()
            async with client.get(url, headers=headers) as response:
                await response.read()
                assert response.status == 200, response.status
            latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - start, latencies


async def http_figures(folder: Path, requests: int, open_requests: int,
                       concurrency: int) -> None:
    federation = load_federation(demo_catalogue_federation(folder), {})
    store = Store(federation.union.database)
    upgrade(store.engine)
    with store.write() as session:
        register_federation(session, federation)
    clock = Clock()
    barcodes = [f"B{i:05d}" for i in range(open_requests)]
    fed = hosted_branches(store, KeyDirectory(folder / "keys"), clock,
                          {"KOTA": barcodes, "DESA1": [], "DESA2": []})
    for barcode in barcodes:
        fed.service.reserve_item("DESA1", f"KOTA/{barcode}", clock())
    add_staff(store, "KOTA", "admin")
    token = new_token(store, "KOTA")
    async with staff_node(store, federation, folder / "index", service=fed.service,
                          clock=clock) as node:
        desk = Desk(fed, node)
        await desk.sync("DESA1", "KOTA")
        for leg in fed.service.snapshot("KOTA").to_answer():  # KOTA's staff answer each
            fed.service.will_supply("KOTA", leg.request_id, clock())
        await desk.sync("KOTA", "DESA1")
        assert len(fed.service.snapshot("KOTA").pick_list()) == open_requests
        async with browser() as client:
            await sign_in(client, node.url, "KOTA", "admin")
            for label, url, headers in (
                    ("page /staf/KOTA/ (dashboard)", f"{node.url}/staf/KOTA/", {}),
                    ("page /staf/KOTA/ambil", f"{node.url}/staf/KOTA/ambil", {}),
                    ("API  /api/staf/KOTA/ambil", f"{node.url}/api/staf/KOTA/ambil",
                     {"Authorization": f"Bearer {token}"})):
                cpu = time.process_time()
                wall, latencies = await _load(client, url, headers, requests, concurrency)
                cpu = time.process_time() - cpu
                cuts = statistics.quantiles(latencies, n=100)
                print(f"{label}: {requests / wall:,.0f} requests/s, p50 {cuts[49] * 1000:.1f} ms,"
                      f" p95 {cuts[94] * 1000:.1f} ms (wall {wall:.2f} s, CPU {cpu:.2f} s; "
                      f"{open_requests} copies on the pick list)")
    store.dispose()


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--open", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    hash_ms, verify_ms, cpu_ms = argon2_figures()
    print(f"argon2 (argon2-cffi defaults): hash {hash_ms:.0f} ms, verify {verify_ms:.0f} ms "
          f"wall; {cpu_ms:.0f} ms CPU each")
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(http_figures(Path(folder), args.requests, args.open, args.concurrency))


if __name__ == "__main__":
    main()
