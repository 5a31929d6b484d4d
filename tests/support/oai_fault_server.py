"""A real OAI-PMH server on 127.0.0.1 for tests, with faults injected on demand.

It serves

* the captured SLiMS 9 endpoints at ``/slims/oai.php`` and ``/slims/oai2.php``, routed by
  verb and token to the fixture files of ``shared/fixtures/slims`` exactly as
  captured. Where a capture stops, the gap is filled the way the SLiMS 9 source code
  behaves (each such response is marked "synthesized" below): the third ListIdentifiers
  page of the 255-record catalogue, the first page of a ``from`` listing (whose token
  then fails, as captured in ``oai2_from_p2.xml``), and ``oai.php`` paging when
  ``slims_page_size`` is set (offset tokens sent URL-encoded, decoded once, a stray
  ``resumption`` text in the envelope);
* generated multi-page feeds at ``/feeds/<name>`` through :mod:`union.demo_feed.server`.

Faults (:class:`Fault`) are queued with :meth:`OaiFaultServer.inject` and fire on the next
matching requests: 503 with ``Retry-After``, a connection dropped mid-body, malformed
XML, ``badResumptionToken``, an HTTP 500 HTML page, an entity bomb, an external entity,
an oversized body, or any fixed body. Every request is logged in ``requests``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, quote_plus

import pymarc
from aiohttp import web

from tests.support.paths import LOC_INDONESIAN, SHARED
from union.demo_feed.server import Feed, open_feed, read_args

SLIMS_FIXTURES = SHARED / "fixtures" / "slims"
LOC_MARC = LOC_INDONESIAN

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


@dataclass(slots=True)
class _Slims:
    """Which captured state each SLiMS endpoint is in."""

    catalogue: str = "small"  # "small": the 15-record captures; "large": the 255 one
    oai_page_size: int | None = None
    fixtures: Path = SLIMS_FIXTURES
    cache: dict[str, bytes] = field(default_factory=dict)

    def fixture(self, name: str) -> bytes:
        if name not in self.cache:
            self.cache[name] = (self.fixtures / name).read_bytes()
        return self.cache[name]


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
        self._slims = _Slims(catalogue=slims_catalogue, oai_page_size=slims_page_size)
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

    # -- SLiMS 9: oai.php ---------------------------------------------------------------

    async def _slims_v1(self, request: web.Request) -> web.Response:
        slims = self._slims
        verb = request.query.get("verb", "")
        if verb == "ListRecords" and slims.oai_page_size:
            return _xml(self._slims_v1_page(request))
        names = {
            "Identify": "oai_verb_Identify.xml",
            "ListMetadataFormats": "oai_verb_ListMetadataFormats.xml",
            "ListSets": "oai_verb_ListSets.xml",
            "ListIdentifiers": "oai_verb_ListIdentifiers_metadataPrefix_oai_dc.xml",
            "ListRecords": "oai_verb_ListRecords_metadataPrefix_oai_dc.xml",
            "GetRecord": "oai_verb_GetRecord_identifier_oai_slims_1_metadataPrefix_oai_dc.xml",
        }
        if verb not in names:
            return _xml(_v1_envelope(
                '<request>http://127.0.0.1:8081/oai.php</request>\n'
                '<error code="badVerb">Illegal OAI verb</error>\n'))
        # oai.php ignores from/until/set entirely, as its source shows.
        return _xml(slims.fixture(names[verb]))

    def _slims_v1_page(self, request: web.Request) -> bytes:
        """Synthesized: oai.php paging ListRecords as lib/oai-pmh.inc.php does."""
        slims = self._slims
        page_size = slims.oai_page_size or 100
        fixture = slims.fixture("oai_verb_ListRecords_metadataPrefix_oai_dc.xml").decode()
        records = re.findall(r"<record>.*?</record>\n", fixture, flags=re.S)
        offset, prefix, resumed = 0, "oai_dc", False
        if "resumptionToken" in request.query:
            resumed = True
            # PHP's parse_str() on the once-decoded value: a token the client encoded a
            # second time has no "offset" key, and SLiMS silently starts again at 0.
            parsed = parse_qs(request.query["resumptionToken"])
            offset = int(parsed.get("offset", ["0"])[0] or 0)
            prefix = parsed.get("metadataPrefix", [prefix])[0]
        chunk = records[offset:offset + page_size]
        body = ("resumption" if resumed else "")  # the stray echo of the real oai.php
        body += (f'<request verb="ListRecords" metadataPrefix="{prefix}">'
                 "http://127.0.0.1:8081/oai.php</request>\n<ListRecords>\n" + "".join(chunk))
        next_offset = offset + page_size
        if len(records) > page_size and next_offset < len(records):
            token = quote_plus(f"offset={next_offset}&metadataPrefix={prefix}")
            body += (f'<resumptionToken completeListSize="{len(records)}">{token}'
                     "</resumptionToken>\n")
        body += "</ListRecords>\n"
        return _v1_envelope(body)

    # -- SLiMS 9: oai2.php --------------------------------------------------------------

    async def _slims_v2(self, request: web.Request) -> web.Response:
        slims = self._slims
        query = request.query
        verb = query.get("verb", "")
        token = query.get("resumptionToken")
        simple = {
            "Identify": "oai2_verb_Identify.xml",
            "ListMetadataFormats": "oai2_verb_ListMetadataFormats.xml",
            "ListSets": "oai2_verb_ListSets.xml",
            "GetRecord": "oai2_verb_GetRecord_identifier_oai_slims_1_metadataPrefix_oai_dc.xml",
        }
        if verb in simple:
            return _xml(slims.fixture(simple[verb]))
        if verb == "ListRecords":
            if token is not None:
                return _xml(_v2_error(f"The resumptionToken '{token}' does not exist or has "
                                      "already expired.", "badResumptionToken", verb))
            if "from" in query and query["from"] > "2007-11-29T18:08:13Z":
                return _xml(_v2_error("The combination of the given values results in an "
                                      "empty list.", "noRecordsMatch", verb))
            return _xml(slims.fixture("oai2_verb_ListRecords_metadataPrefix_oai_dc.xml"))
        if verb == "ListIdentifiers":
            return _xml(self._slims_v2_identifiers(query.get("from"), token))
        return _xml(_v2_error(f"The verb '{verb}' provided in the request is illegal.",
                              "badVerb", verb))

    def _slims_v2_identifiers(self, from_: str | None, token: str | None) -> bytes:
        slims = self._slims
        if slims.catalogue == "small":
            if token is not None:
                return _v2_error("The resumptionToken does not exist or has already expired.",
                                 "badResumptionToken", "ListIdentifiers")
            return slims.fixture("oai2_verb_ListIdentifiers_metadataPrefix_oai_dc.xml")
        if token is None and from_ is None:
            return slims.fixture("oai2_li_p1.xml")
        if token == "100____oai_dc":
            return slims.fixture("oai2_li_p2.xml")
        if token == "200____oai_dc":
            return self._v2_last_identifiers_page()
        if token is not None and "input_date" in token:
            # Captured: a token made under `from` fails on the next page.
            return slims.fixture("oai2_from_p2.xml")
        if token is not None:
            return _v2_error(f"The resumptionToken '{token}' does not exist or has already "
                             "expired.", "badResumptionToken", "ListIdentifiers")
        return self._v2_from_first_page(from_ or "")

    def _large_headers(self) -> list[str]:
        headers: list[str] = []
        for name in ("oai2_li_p1.xml", "oai2_li_p2.xml"):
            text = self._slims.fixture(name).decode()
            headers += re.findall(r"    <header>.*?</header>\n", text, flags=re.S)
        return headers

    def _v2_last_identifiers_page(self) -> bytes:
        """Synthesized: records 201-255, continuing the captured pattern (datestamps one
        hour apart per fifteen records, setSpecs cycling as captured), with the empty
        last token and cursor listrecords.php writes."""
        sets = ["2004", "2005", "2005", "2001", "2005", "2003", "2003", "2007", "2004", "2007",
                "2002", "1998", "2007", "2003", "1994"]
        parts = []
        for number in range(201, 256):
            hour = 9 + (number - 16) // 15
            stamp = f"2024-03-0{1 + hour // 24}T{hour % 24:02d}:00:00Z"
            parts.append(f"    <header>\n      <identifier>oai:127.0.0.1:8081:slims-{number}"
                         f"</identifier>\n      <datestamp>{stamp}</datestamp>\n      <setSpec>"
                         f"{sets[(number - 1) % 15]}</setSpec>\n    </header>\n")
        parts.append('    <resumptionToken completeListSize="255" cursor="200"/>\n')
        return _v2_list("ListIdentifiers", 'resumptionToken="200____oai_dc"', "".join(parts))

    def _v2_from_first_page(self, from_: str) -> bytes:
        """Synthesized: the first page of a ``from`` listing; its token carries the filter
        (and the next page then fails, as captured in oai2_from_p2.xml)."""
        since = from_.replace("T", " ").replace("Z", "")
        headers = [h for h in self._large_headers() if _stamp(h) >= since]
        if not headers:
            return _v2_error("The combination of the given values results in an empty list.",
                             "noRecordsMatch", "ListIdentifiers")
        total = len(headers) + 55
        token = "100__" + quote_plus(f" AND input_date >= '{since}'") + "__oai_dc"
        body = "".join(headers[:100]) + (
            f'    <resumptionToken expirationDate="2026-11-23GMT+0000GMT+00000" '
            f'completeListSize="{total}" cursor="100">{token}</resumptionToken>\n')
        return _v2_list("ListIdentifiers", f'metadataPrefix="oai_dc" from="{from_}"', body)


# -- response helpers -------------------------------------------------------------------


def _stamp(header: str) -> str:
    match = re.search(r"<datestamp>(.*?)</datestamp>", header)
    return match.group(1).replace("T", " ").replace("Z", "") if match else ""


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


def _v1_envelope(body: str) -> bytes:
    # oai.php writes local time (WIB) labelled Z.
    local = datetime.now(UTC).timestamp() + 7 * 3600
    stamp = datetime.fromtimestamp(local, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
        'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
        f"<responseDate>{stamp}</responseDate>\n{body}</OAI-PMH>"
    ).encode()


def _v2_head(request_attrs: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<?xml-stylesheet type="text/xsl" href="./oai2.xsl"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
        'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
        f"  <responseDate>{_now()}</responseDate>\n"
        f"  <request {request_attrs}>http://127.0.0.1:8081/oai2.php</request>\n"
    )


def _v2_list(verb: str, request_attrs: str, body: str) -> bytes:
    return (_v2_head(f'verb="{verb}" {request_attrs}') + f"  <{verb}>\n{body}  </{verb}>\n"
            "</OAI-PMH>\n").encode()


def _v2_error(message: str, code: str, verb: str) -> bytes:
    return (_v2_head(f'verb="{verb}"') + f'  <error code="{code}">{message}</error>\n'
            "</OAI-PMH>\n").encode()


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


# -- helpers for the harvester tests ----------------------------------------------------


class RecordingSleep:
    """An injectable ``sleep`` that records the delays asked for and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


class FixedClock:
    """An injectable clock standing still at ``now`` until moved."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def loc_records(count: int | None = None) -> list[pymarc.Record]:
    """The first ``count`` records of the LoC test file (all 2,828 by default)."""
    with LOC_MARC.open("rb") as file:
        records = [r for r in pymarc.MARCReader(file, to_unicode=True) if r is not None]
    return records if count is None else records[:count]


async def collect_pages(harvester: Any, checkpoint: Mapping[str, Any] | None = None, *,
                        full: bool = False, stop_after: int | None = None) -> list[Any]:
    """Run a harvest and return its pages (only the first ``stop_after`` if given, as if
    the process died after committing them)."""
    pages = []
    async with aclosing(harvester.harvest(checkpoint, full=full)) as harvest:
        async for page in harvest:
            pages.append(page)
            if stop_after is not None and len(pages) >= stop_after:
                break
    return pages
