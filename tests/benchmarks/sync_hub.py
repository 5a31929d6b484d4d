"""Hub throughput: signed messages pushed over HTTP, verified, sequenced, judged and stored.

    .venv/bin/python -m tests.benchmarks.sync_hub [--branches 10] [--messages 20000]
        [--batch 500] [--database URL] [--custody]

The hub runs in a process of its own (the sync routes of the web node on 127.0.0.1, the
store a SQLite file unless ``--database`` names a PostgreSQL one); this process signs every
message beforehand (not timed) and then pushes each branch's stream in batches, the branches
concurrently. With ``--custody`` every other message is a one-copy transfer proposal, which
the hub's custody ledger follows and writes to the custody table search reads (the rest are
requests, which change no custody). Printed: messages per second of wall time, and the hub
process's CPU seconds (user + system, from /proc) per 1,000 messages. Target: 2,000
messages/s on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp import web

from sync.messages import Message, Request, TransferAction, TransferMessage
from sync.signing import sign
from union.sync_node.codec import signed_to_dict
from union.sync_node.enrolment import enrol
from union.sync_node.keys import load_key_file

NOW = datetime(2026, 3, 2, tzinfo=UTC)


def serve(database: str, index: Path, port_file: Path) -> None:
    """The hub process: the sync routes over ``database`` on a free port of 127.0.0.1."""
    from tests.support.paths import REPO
    from union.config import load_federation
    from union.search.engine import open_engine
    from union.server.context import CONTEXT, ServerContext
    from union.store.engine import Store
    from union.sync_node.http import setup

    store = Store(database)
    context = ServerContext(
        federation=load_federation(REPO / "config" / "demo.toml"),
        store=store,
        clock=lambda: datetime.now(UTC),
        engine=open_engine("tantivy", index),
    )
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[CONTEXT] = context
    setup(app, context)

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        port_file.write_text(str(port))
        await asyncio.Event().wait()

    asyncio.run(main())


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def push_all(url: str, streams: dict[str, list[dict]], batch: int) -> int:
    """Push every branch's stream in order, branches concurrently; returns messages held."""
    async with aiohttp.ClientSession() as client:

        async def one(branch: str, messages: list[dict]) -> int:
            held = 0
            for start in range(0, len(messages), batch):
                body = {"branch": branch, "messages": messages[start : start + batch]}
                async with client.post(f"{url}/sync/push", json=body) as response:
                    response.raise_for_status()
                    held = (await response.json())["held"]
            return held

        return sum(await asyncio.gather(*(one(b, m) for b, m in streams.items())))


def message(code: str, seq: int, other: str, custody: bool) -> Message:
    """Message ``seq`` of ``code``'s stream: a request to ``other`` for one of its copies,
    or (every other one, with ``custody``) a proposal to transfer one of ``code``'s own."""
    if custody and seq % 2 == 0:
        body = TransferMessage(TransferAction.PROPOSE, (f"{code}/{seq}",))
        return Message(code, seq, other, f"{code}:t{seq}", body, NOW)
    return Message(code, seq, other, f"{code}:r{seq}", Request(item_id=f"{other}/{seq}"), NOW)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=10)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--database", help="PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--custody", action="store_true",
                        help="every other message a transfer proposal (custody changes)")
    args = parser.parse_args()
    from union.store.engine import Store
    from union.store.migrate import upgrade

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        database = args.database or f"sqlite:///{tmp / 'hub.db'}"
        store = Store(database)
        upgrade(store.engine)
        codes = [f"B{i:02d}" for i in range(args.branches)]
        keys = {}
        for code in codes:
            enrol(store, code, tmp / "keys" / f"{code}.pem", NOW)
            keys[code] = load_key_file(tmp / "keys" / f"{code}.pem")
        store.dispose()
        per_branch = args.messages // args.branches
        streams: dict[str, list[dict]] = {}
        for n, code in enumerate(codes):
            other = codes[(n + 1) % len(codes)]
            streams[code] = [
                signed_to_dict(sign(message(code, seq, other, args.custody), keys[code]))
                for seq in range(1, per_branch + 1)
            ]
        total = per_branch * len(codes)
        port_file = tmp / "port"
        hub = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.benchmarks.sync_hub",
                "--serve",
                database,
                str(tmp / "index"),
                str(port_file),
            ]
        )
        try:
            while not port_file.exists() or not port_file.read_text():
                time.sleep(0.05)
            url = f"http://127.0.0.1:{port_file.read_text()}"
            cpu_before, started = cpu_seconds(hub.pid), time.perf_counter()
            client_before = time.process_time()
            held = asyncio.run(push_all(url, streams, args.batch))
            wall = time.perf_counter() - started
            cpu = cpu_seconds(hub.pid) - cpu_before
            client = time.process_time() - client_before
        finally:
            hub.terminate()
            hub.wait()
        backend = "PostgreSQL" if database.startswith("postgresql") else "SQLite"
        print(
            f"hub ({backend}): {total} signed messages from {len(codes)} branches, "
            f"in batches of {args.batch}"
        )
        print(f"  held by the hub: {held} (expected {total})")
        print(f"  wall {wall:.2f} s -> {total / wall:,.0f} messages/s")
        print(
            f"  hub CPU {cpu:.2f} s ({cpu / total * 1000:.3f} s per 1,000 messages; "
            f"{total / cpu:,.0f} messages per CPU second)"
        )
        print(f"  client CPU {client:.2f} s (sending, not counted above)")
        print(f"  machine: {os.cpu_count()} cores, shared with other work while measured")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--serve":
        serve(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        main()
