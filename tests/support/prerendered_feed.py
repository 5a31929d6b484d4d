"""An OAI-PMH ListRecords feed served from pages rendered once, for benchmarks.

In the field a branch's feed (SLiMS, Koha) runs on the branch's own machine; a benchmark
that rendered every page on the harvester's cores would measure the feed as much as the
harvester. So :func:`render_pages` pages once through :mod:`union.demo_feed.server` over
real HTTP and keeps each response body in a file, and :func:`serve_pages` answers the same
requests (the first ``ListRecords`` and each resumption token the pages name) with those
bytes: real HTTP paging with resumption tokens over 127.0.0.1, at little CPU.

    python -m tests.support.prerendered_feed MARC_FILE PORT FOLDER
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
from aiohttp import web

from union.demo_feed.server import serve_feed

_TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")
_BAD_TOKEN = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
              b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
              b"<responseDate>2026-01-01T00:00:00Z</responseDate>"
              b'<error code="badResumptionToken">unknown token</error></OAI-PMH>')
INDEX = "tokens.json"


async def render_pages(marc: Path, folder: Path, *, prefix: str = "marc21",
                       page_size: int = 500) -> int:
    """Page through the demo feed of ``marc`` once, keeping every ListRecords body in
    ``folder`` (and which token asks for which page); return the number of pages."""
    tokens: dict[str, int] = {}
    async with serve_feed(marc, port=0, page_size=page_size) as url, \
            aiohttp.ClientSession() as http:
        params = {"verb": "ListRecords", "metadataPrefix": prefix}
        number = 0
        while True:
            async with http.get(url, params=params) as response:
                body = await response.read()
            (folder / f"page-{number}.xml").write_bytes(body)
            found = _TOKEN.search(body)
            if found is None:
                break
            number += 1
            token = found.group(1).decode()
            tokens[token] = number
            params = {"verb": "ListRecords", "resumptionToken": token}
    (folder / INDEX).write_text(json.dumps(tokens), encoding="utf-8")
    return number + 1


def feed_app(folder: Path) -> web.Application:
    """The app answering ListRecords from the pages :func:`render_pages` kept."""
    tokens: dict[str, int] = json.loads((folder / INDEX).read_text(encoding="utf-8"))

    async def oai(request: web.Request) -> web.Response:
        token = request.query.get("resumptionToken")
        number = 0 if token is None else tokens.get(token)
        if request.query.get("verb") != "ListRecords" or number is None:
            return web.Response(body=_BAD_TOKEN, content_type="text/xml")
        body = await asyncio.to_thread((folder / f"page-{number}.xml").read_bytes)
        return web.Response(body=body, content_type="text/xml")

    app = web.Application()
    app.router.add_get("/oai", oai)
    return app


@asynccontextmanager
async def serve_pages(folder: Path, *, port: int = 0) -> AsyncIterator[str]:
    """Serve the kept pages on 127.0.0.1; yields the base URL."""
    runner = web.AppRunner(feed_app(folder), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        bound = runner.addresses[0][1]
        yield f"http://127.0.0.1:{bound}/oai"
    finally:
        await runner.cleanup()


async def _main(marc: Path, port: int, folder: Path) -> None:
    await render_pages(marc, folder)
    async with serve_pages(folder, port=port):
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(_main(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])))
