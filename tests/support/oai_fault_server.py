"""A real OAI-PMH server on 127.0.0.1 for tests, with faults injected on demand.

It serves

* the captured SLiMS 9 endpoints at ``/slims/oai.php`` and ``/slims/oai2.php``, as
  :mod:`tests.support.slims_emulation` answers them;
* generated multi-page feeds at ``/feeds/<name>`` through :mod:`union.demo_feed.server`.

Faults (:class:`Fault`) are queued with :meth:`OaiFaultServer.inject` and fire on the next
matching requests: 503 with ``Retry-After``, a connection dropped mid-body, malformed
XML, ``badResumptionToken``, an HTTP 500 HTML page, an entity bomb, an external entity,
an oversized body, or any fixed body. Every request is logged in ``requests``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import pymarc
from aiohttp import web

from tests.support.slims_emulation import SlimsEmulation
from union.demo_feed.server import Feed, open_feed, read_args

HTML_500 = (b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body>"
            b"<h1>Internal Server Error</h1><p>PHP Fatal error: Uncaught mysqli_sql_exception:"
            b" MySQL server has gone away in /var/www/slims/lib/oai-pmh.inc.php:161</p>"
            b"</body></html>")
ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE OAI-PMH [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
 <responseDate>2026-11-22T02:17:54Z</responseDate>
 <request verb="ListRecords">http://127.0.0.1/oai</request>
 <error code="badArgument">&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;</error>
</OAI-PMH>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE OAI-PMH [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
 <responseDate>2026-11-22T02:17:54Z</responseDate>
 <request verb="Identify">http://127.0.0.1/oai</request>
 <Identify><repositoryName>&secret;</repositoryName></Identify>
</OAI-PMH>"""

FAULT_KINDS = ("503", "drop", "malformed", "bad_token", "html500", "entity_bomb",
               "external_entity", "oversized", "body", "stall")


@dataclass(slots=True)
class Fault:
    """One injected misbehaviour.

    ``kind`` is one of :data:`FAULT_KINDS`. ``retry_after`` is the 503's header value;
    ``size`` the oversized body's length (sent chunked, without Content-Length, unless
    ``declare_length``); ``body`` the bytes a ``body`` fault serves; ``delay`` how long a
    ``stall`` waits before answering normally.
    """

    kind: str
    retry_after: str | None = None
    size: int = 0
    declare_length: bool = False
    body: bytes = b""
    delay: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}")


@dataclass(slots=True)
class _Armed:
    fault: Fault
    path: str | None
    when: Callable[[Mapping[str, str]], bool] | None
    times: int


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """A request as the server saw it."""

    path: str
    args: dict[str, str]
    faulted: str | None = None


class OaiFaultServer:
    """``async with OaiFaultServer(feeds={"loc": path}) as server: server.url("/feeds/loc")``.

    ``feeds`` maps a name to a MARC file or records (options per feed in
    ``feed_options``); ``slims_catalogue`` picks the captured SLiMS state; setting
    ``slims_page_size`` makes ``oai.php`` page its ListRecords like SLiMS does.
    """

    def __init__(
        self,
        *,
        feeds: Mapping[str, Path | Sequence[pymarc.Record]] | None = None,
        feed_options: Mapping[str, Mapping[str, Any]] | None = None,
        slims_catalogue: str = "small",
        slims_page_size: int | None = None,
    ) -> None:
        self.requests: list[LoggedRequest] = []
        self._faults: list[_Armed] = []
        self._feeds: dict[str, Feed] = {}
        self._slims = SlimsEmulation(catalogue=slims_catalogue, oai_page_size=slims_page_size)
        for name, marc in (feeds or {}).items():
            self.set_feed(name, marc, **dict((feed_options or {}).get(name, {})))
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # -- lifecycle ----------------------------------------------------------------------

    async def __aenter__(self) -> OaiFaultServer:
        app = web.Application(middlewares=[self._fault_middleware])
        app.router.add_get("/slims/oai.php", self._slims_v1)
        app.router.add_get("/slims/oai2.php", self._slims_v2)
        app.router.add_get("/feeds/{name}", self._feed)
        app.router.add_post("/feeds/{name}", self._feed)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        for feed in self._feeds.values():
            feed.close()

    # -- test controls ------------------------------------------------------------------

    def url(self, path: str) -> str:
        """The absolute URL of a path on this server (``/feeds/loc``, ``/slims/oai2.php``)."""
        return self.base_url + path

    def set_feed(self, name: str, marc: Path | Sequence[pymarc.Record], **options: Any) -> None:
        """Serve (or replace) a generated feed; options as
        :func:`union.demo_feed.server.open_feed`."""
        old = self._feeds.get(name)
        self._feeds[name] = open_feed(marc, **options)
        if old is not None:
            old.close()

    def inject(self, fault: Fault, *, path: str | None = None,
               when: Callable[[Mapping[str, str]], bool] | None = None, times: int = 1) -> None:
        """Fire ``fault`` on the next ``times`` requests to ``path`` whose arguments
        satisfy ``when`` (any path / any request when not given)."""
        self._faults.append(_Armed(fault, path, when, times))

    def args_sent(self, path: str, verb: str | None = None) -> list[dict[str, str]]:
        """The arguments of every logged request to ``path`` (with this verb)."""
        return [r.args for r in self.requests
                if r.path == path and (verb is None or r.args.get("verb") == verb)]

    # -- fault injection ----------------------------------------------------------------

    @web.middleware
    async def _fault_middleware(self, request: web.Request,
                                handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        args = dict(request.query)
        for armed in self._faults:
            if armed.times > 0 and armed.path in (None, request.path) and (
                armed.when is None or armed.when(args)
            ):
                armed.times -= 1
                self.requests.append(LoggedRequest(request.path, args, armed.fault.kind))
                return await self._apply(armed.fault, request, handler)
        self.requests.append(LoggedRequest(request.path, args))
        return await handler(request)

    async def _apply(self, fault: Fault, request: web.Request,
                     handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        kind = fault.kind
        if kind == "503":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return web.Response(status=503, headers=headers, text="Service Unavailable")
        if kind == "html500":
            return web.Response(status=500, body=HTML_500, content_type="text/html")
        if kind == "bad_token":
            return _xml(_error_response("badResumptionToken",
                                        "The resumptionToken does not exist or has expired."))
        if kind == "entity_bomb":
            return _xml(ENTITY_BOMB)
        if kind == "external_entity":
            return _xml(EXTERNAL_ENTITY)
        if kind == "body":
            return _xml(fault.body)
        if kind == "oversized":
            return await _oversized(request, fault)
        if kind == "stall":
            await asyncio.sleep(fault.delay)
            return await handler(request)
        real = await handler(request)
        body = real.body if isinstance(real, web.Response) else b""
        assert isinstance(body, bytes)
        if kind == "malformed":
            return _xml(body[: len(body) // 2])
        return await _drop_mid_body(request, body)

    # -- generated feeds ----------------------------------------------------------------

    async def _feed(self, request: web.Request) -> web.Response:
        feed = self._feeds.get(request.match_info["name"])
        if feed is None:
            raise web.HTTPNotFound()
        args, repeated = await read_args(request)
        body = feed.respond(args, str(request.url.with_query(None)), repeated=repeated)
        return _xml(body.encode("utf-8"))

    # -- SLiMS 9 ------------------------------------------------------------------------

    async def _slims_v1(self, request: web.Request) -> web.Response:
        return _xml(self._slims.oai_php(request.query))

    async def _slims_v2(self, request: web.Request) -> web.Response:
        return _xml(self._slims.oai2_php(request.query))


# -- response helpers -------------------------------------------------------------------


def _xml(body: bytes) -> web.Response:
    return web.Response(body=body, content_type="text/xml", charset="utf-8")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _error_response(code: str, message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        f"<responseDate>{_now()}</responseDate><request>http://127.0.0.1/oai</request>"
        f'<error code="{code}">{message}</error></OAI-PMH>'
    ).encode()


async def _drop_mid_body(request: web.Request, body: bytes) -> web.StreamResponse:
    """Promise the whole body, send half of it, and cut the connection."""
    response = web.StreamResponse(status=200, headers={"Content-Type": "text/xml"})
    response.content_length = len(body)
    await response.prepare(request)
    await response.write(body[: len(body) // 2])
    await asyncio.sleep(0.01)  # let the half reach the client before the cut
    transport = request.transport
    if transport is not None:
        transport.abort()
    return response


async def _oversized(request: web.Request, fault: Fault) -> web.StreamResponse:
    """A body of ``fault.size`` bytes of valid-looking XML, chunked unless declared."""
    response = web.StreamResponse(status=200, headers={"Content-Type": "text/xml"})
    head = (b'<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
            b"<responseDate>2026-11-22T02:17:54Z</responseDate><request>x</request>"
            b"<ListRecords>")
    if fault.declare_length:
        response.content_length = fault.size
    else:
        response.enable_chunked_encoding()
    await response.prepare(request)
    await response.write(head)
    sent, filler = len(head), b"<!-- " + b"x" * 65000 + b" -->"
    try:
        while sent < fault.size:
            piece = filler[: fault.size - sent]
            await response.write(piece)
            sent += len(piece)
        await response.write_eof()
    except (ConnectionResetError, ConnectionError):
        pass  # the client gave up reading, as it should
    return response
