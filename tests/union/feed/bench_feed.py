"""Benchmark of the feed (not collected by pytest): run with
``.venv/bin/python -m tests.union.feed.bench_feed [works]``.

1. Response building: ListRecords pages of 100 from in-memory works, rendered on the
   fly and pre-rendered, in CPU time (so other load on the machine does not count).
2. A full ListRecords harvest over HTTP on 127.0.0.1 from the SQLite test repository,
   wall time, client and server in one process.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer, unused_port

from tests.union.feed.sqlite_repository import build_catalogue, feed_record, load_bibs
from union.feed import responses
from union.feed.formats import DEFAULT_FORMATS, render_all
from union.feed.http import create_app
from union.feed.provider import FeedConfig, OaiProvider
from union.feed.responses import Envelope

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]*)</resumptionToken>")


def bench_building(works: int) -> None:
    bibs = load_bibs(SHARED, 100_000)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    records = [feed_record(i, bibs[i % len(bibs)], start + timedelta(seconds=i))
               for i in range(works)]
    envelope = Envelope(start, "http://127.0.0.1/oai", "ListRecords")
    for fmt in DEFAULT_FORMATS:
        for label, batch in (("rendered per request", records),
                             ("pre-rendered", [r.__class__(**{**_fields(r),
                                                              "rendered": render_all(r)})
                                               for r in records[:20_000]])):
            began = time.process_time()
            size = 0
            for k in range(0, len(batch), 100):
                body = "".join(responses.list_records(envelope, "oai:x.org:",
                                                      batch[k:k + 100], fmt, None))
                size += len(body.encode("utf-8"))
            spent = time.process_time() - began
            print(f"build {fmt.prefix:7} {label:21}: {len(batch) / spent:9,.0f} records/s "
                  f"({size / len(batch):,.0f} bytes/record)")


def _fields(record: object) -> dict:
    return {name: getattr(record, name) for name in record.__slots__}  # type: ignore[attr-defined]


async def bench_http(works: int, prerender: bool, prefix: str) -> None:
    bibs = load_bibs(SHARED, 100_000)
    with tempfile.TemporaryDirectory() as folder:
        many = [bibs[i % len(bibs)] for i in range(works)]
        repository, _ = build_catalogue(Path(folder) / "bench.db", many, prerender=prerender)
        port = unused_port()
        config = FeedConfig("bench", f"http://127.0.0.1:{port}/oai", "x.org", ("a@x.org",),
                            b"benchmark secret 32 bytes long..")
        now = datetime(2030, 1, 1, tzinfo=UTC)
        server = TestServer(create_app(OaiProvider(repository, config, lambda: now)),
                            host="127.0.0.1", port=port)
        await server.start_server()
        try:
            async with aiohttp.ClientSession() as session:
                began = time.perf_counter()
                count = 0
                params = {"verb": "ListRecords", "metadataPrefix": prefix}
                while True:
                    async with session.get(config.base_url, params=params) as response:
                        body = await response.read()
                    count += body.count(b"<record>")
                    match = TOKEN.search(body)
                    if match is None or not match.group(1):
                        break
                    params = {"verb": "ListRecords", "resumptionToken": match.group(1).decode()}
                spent = time.perf_counter() - began
        finally:
            await server.close()
            repository.close()
    label = "pre-rendered" if prerender else "rendered"
    print(f"http harvest {prefix:7} {label:12}: {count:,} records in {spent:.1f} s = "
          f"{count / spent:,.0f} records/s")


def main() -> None:
    works = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    bench_building(works)
    for prefix in ("marc21", "oai_dc"):
        for prerender in (False, True):
            asyncio.run(bench_http(works, prerender, prefix))


if __name__ == "__main__":
    main()
