"""A small OAI-PMH 2.0 server that publishes a MARC file as a branch's feed.

It stands in for a branch's Koha or SLiMS in the demo, the tests and the benchmark:
Identify, ListMetadataFormats, ListSets, ListIdentifiers, ListRecords and GetRecord in
``marc21`` (MARCXML, alias ``marcxml``) and ``oai_dc``, with resumption tokens,
``from``/``until`` on datestamps taken from each record's 005 (or one fixed datestamp), and
records whose leader/05 is ``d`` published as deleted.

Built for 250,000-record files: at start it only indexes the file
(:mod:`union.demo_feed.marc_index`) and reads it through ``mmap``; each page is rendered
from the raw ISO 2709 bytes when asked for (:mod:`union.demo_feed.rendering`).

This is not the union catalogue's own strict provider; it is small but correct.
"""

from __future__ import annotations

import base64
import binascii
import mmap
import re
from bisect import bisect_left, bisect_right
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pymarc
from aiohttp import web

from union.demo_feed.marc_index import FeedIndex, index_marc
from union.demo_feed.rendering import FORMATS, render_metadata, xml_attr, xml_text

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_VERB_ARGS: dict[str, tuple[set[str], set[str]]] = {  # verb → (required, optional)
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}),
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

Clock = Callable[[], datetime]


class OaiProblem(Exception):
    """An OAI-PMH error condition to answer with ``<error code=...>``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# -- the feed ---------------------------------------------------------------------------


def _utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bound(text: str, *, upper: bool) -> int:
    """A from/until argument as epoch seconds (a day's until reaches its last second)."""
    if _SECOND.match(text):
        moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    elif _DAY.match(text):
        moment = datetime.strptime(text, "%Y-%m-%d")
        if upper:
            return int(moment.replace(tzinfo=UTC).timestamp()) + 86399
    else:
        raise ValueError(text)
    return int(moment.replace(tzinfo=UTC).timestamp())


@dataclass(frozen=True, slots=True)
class _ListRequest:
    prefix: str
    from_: str
    until: str
    set_spec: str
    cursor: int


class Feed:
    """The OAI-PMH repository over one indexed MARC file (request in, XML out)."""

    def __init__(self, index: FeedIndex, *, page_size: int, repository_name: str,
                 admin_email: str, set_spec: str | None, clock: Clock) -> None:
        self.index = index
        self.page_size = page_size
        self.repository_name = repository_name
        self.admin_email = admin_email
        self.set_spec = set_spec
        self.clock = clock

    def close(self) -> None:
        """Release the mapped file (the feed cannot answer afterwards)."""
        if isinstance(self.index.data, mmap.mmap):
            self.index.data.close()

    # token = base64url("prefix\x00from\x00until\x00set\x00cursor\x00fingerprint")
    def _token(self, request: _ListRequest, cursor: int) -> str:
        fields = (request.prefix, request.from_, request.until, request.set_spec, str(cursor),
                  self.index.fingerprint)
        return base64.urlsafe_b64encode("\x00".join(fields).encode()).decode().rstrip("=")

    def _read_token(self, token: str) -> _ListRequest:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            prefix, from_, until, set_spec, cursor, fingerprint = raw.split("\x00")
            request = _ListRequest(prefix, from_, until, set_spec, int(cursor))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise OaiProblem("badResumptionToken", "The resumptionToken is invalid.") from None
        if fingerprint != self.index.fingerprint or prefix not in FORMATS:
            raise OaiProblem("badResumptionToken",
                             "The resumptionToken is expired: the feed has changed.")
        return request

    def respond(self, args: dict[str, str], base_url: str, *, repeated: bool = False) -> str:
        """The whole XML response to one request's arguments (``repeated``: an argument
        was given twice, which the protocol forbids)."""
        verb = args.get("verb", "")
        try:
            if repeated:
                raise OaiProblem("badArgument", "An argument is repeated.")
            body = self._dispatch(verb, args, base_url)
        except OaiProblem as problem:
            # badVerb/badArgument echo only the base URL, as the protocol requires.
            echo = {} if problem.code in ("badVerb", "badArgument") else args
            error = f'<error code="{problem.code}">{xml_text(problem.message)}</error>'
            return self._envelope(echo, base_url, error)
        return self._envelope(args, base_url, body)

    def _envelope(self, args: dict[str, str], base_url: str, body: str) -> str:
        attrs = "".join(f" {k}={xml_attr(v)}" for k, v in args.items())
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
            f"<responseDate>{self.clock().astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}</responseDate>"
            f"<request{attrs}>{xml_text(base_url)}</request>{body}</OAI-PMH>"
        )

    def _dispatch(self, verb: str, args: dict[str, str], base_url: str) -> str:
        if verb not in _VERB_ARGS:
            raise OaiProblem("badVerb", f"Illegal OAI verb: {verb!r}")
        keys = set(args) - {"verb"}
        required, optional = _VERB_ARGS[verb]
        if "resumptionToken" in keys and verb in ("ListRecords", "ListIdentifiers"):
            if keys != {"resumptionToken"}:
                raise OaiProblem("badArgument", "resumptionToken is an exclusive argument.")
        elif not required <= keys or not keys <= required | optional:
            raise OaiProblem("badArgument", f"Illegal or missing arguments for {verb}.")
        if verb == "Identify":
            return self._identify(base_url)
        if verb == "ListMetadataFormats":
            return self._formats(args.get("identifier"))
        if verb == "ListSets":
            return self._sets(args)
        if verb == "GetRecord":
            return self._get_record(args["identifier"], args["metadataPrefix"])
        return self._list(verb, args)

    def _identify(self, base_url: str) -> str:
        index = self.index
        earliest = _utc(index.sorted_stamps[0]) if len(index.sorted_stamps) else _utc(0)
        deleted = "transient" if any(index.deleted) else "no"
        return (
            f"<Identify><repositoryName>{xml_text(self.repository_name)}</repositoryName>"
            f"<baseURL>{xml_text(base_url)}</baseURL><protocolVersion>2.0</protocolVersion>"
            f"<adminEmail>{xml_text(self.admin_email)}</adminEmail>"
            f"<earliestDatestamp>{earliest}</earliestDatestamp>"
            f"<deletedRecord>{deleted}</deletedRecord>"
            "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>"
        )

    def _formats(self, identifier: str | None) -> str:
        if identifier is not None and identifier not in self.index.by_identifier:
            raise OaiProblem("idDoesNotExist", f"No record {identifier!r}.")
        items = "".join(
            f"<metadataFormat><metadataPrefix>{prefix}</metadataPrefix><schema>{schema}"
            f"</schema><metadataNamespace>{ns}</metadataNamespace></metadataFormat>"
            for prefix, (schema, ns) in FORMATS.items()
        )
        return f"<ListMetadataFormats>{items}</ListMetadataFormats>"

    def _sets(self, args: dict[str, str]) -> str:
        if "resumptionToken" in args:
            raise OaiProblem("badResumptionToken", "ListSets is never split.")
        if self.set_spec is None:
            raise OaiProblem("noSetHierarchy", "This repository does not support sets.")
        return (f"<ListSets><set><setSpec>{xml_text(self.set_spec)}</setSpec>"
                f"<setName>{xml_text(self.set_spec)}</setName></set></ListSets>")

    def _check_prefix(self, prefix: str) -> None:
        if prefix not in FORMATS:
            raise OaiProblem("cannotDisseminateFormat", f"Unsupported format {prefix!r}.")

    def _get_record(self, identifier: str, prefix: str) -> str:
        number = self.index.by_identifier.get(identifier)
        if number is None:
            raise OaiProblem("idDoesNotExist", f"No record {identifier!r}.")
        self._check_prefix(prefix)
        return f"<GetRecord>{self._record(number, prefix, headers_only=False)}</GetRecord>"

    def _list(self, verb: str, args: dict[str, str]) -> str:
        if "resumptionToken" in args:
            request = self._read_token(args["resumptionToken"])
        else:
            request = _ListRequest(args["metadataPrefix"], args.get("from", ""),
                                   args.get("until", ""), args.get("set", ""), 0)
            self._check_prefix(request.prefix)
        low, high = self._range(request)
        if high <= low:
            raise OaiProblem("noRecordsMatch", "No records match the request.")
        start = low + request.cursor
        if start >= high:
            raise OaiProblem("badResumptionToken", "The resumptionToken is past the list.")
        end = min(start + self.page_size, high)
        headers_only = verb == "ListIdentifiers"
        order = self.index.order
        parts = [f"<{verb}>"]
        parts.extend(self._record(order[i], request.prefix, headers_only=headers_only)
                     for i in range(start, end))
        delivered = end - low
        total = high - low
        if delivered < total:
            token = self._token(request, delivered)
            parts.append(f'<resumptionToken completeListSize="{total}" '
                         f'cursor="{request.cursor}">{token}</resumptionToken>')
        elif request.cursor:
            # The last page of a split list carries an empty token, as the protocol asks.
            parts.append(f'<resumptionToken completeListSize="{total}" '
                         f'cursor="{request.cursor}"/>')
        parts.append(f"</{verb}>")
        return "".join(parts)

    def _range(self, request: _ListRequest) -> tuple[int, int]:
        if request.set_spec and request.set_spec != self.set_spec:
            if self.set_spec is None:
                raise OaiProblem("noSetHierarchy", "This repository does not support sets.")
            return 0, 0
        try:
            low_stamp = _bound(request.from_, upper=False) if request.from_ else None
            high_stamp = _bound(request.until, upper=True) if request.until else None
        except ValueError:
            raise OaiProblem("badArgument", "from/until must be UTC datestamps.") from None
        if low_stamp is not None and high_stamp is not None and (
            len(request.from_) != len(request.until) or low_stamp > high_stamp
        ):
            raise OaiProblem("badArgument", "from and until disagree.")
        stamps = self.index.sorted_stamps
        low = bisect_left(stamps, low_stamp) if low_stamp is not None else 0
        high = bisect_right(stamps, high_stamp) if high_stamp is not None else len(stamps)
        return low, high

    def _record(self, number: int, prefix: str, *, headers_only: bool) -> str:
        index = self.index
        deleted = index.deleted[number]
        status = ' status="deleted"' if deleted else ""
        set_spec = f"<setSpec>{xml_text(self.set_spec)}</setSpec>" if self.set_spec else ""
        header = (f"<header{status}><identifier>{xml_text(index.identifiers[number])}</identifier>"
                  f"<datestamp>{_utc(index.stamps[number])}</datestamp>{set_spec}</header>")
        if headers_only:
            return header
        if deleted:
            return f"<record>{header}</record>"
        offset = index.offsets[number]
        raw = index.data[offset:offset + index.lengths[number]]
        metadata = render_metadata(raw, prefix)
        if metadata is None:
            # A damaged record is published without metadata rather than failing the page.
            return f"<record>{header}</record>"
        return f"<record>{header}<metadata>{metadata}</metadata></record>"


# -- the aiohttp application ------------------------------------------------------------

FEED = web.AppKey("feed", Feed)


def _serialize(records: Sequence[pymarc.Record]) -> bytes:
    return b"".join(record.as_marc() for record in records)


def open_feed(
    marc: Path | str | Sequence[pymarc.Record],
    *,
    page_size: int = 100,
    datestamp: datetime | None = None,
    repository_name: str = "Demo branch catalogue",
    repository_id: str = "demo.branch",
    admin_email: str = "admin@example.org",
    set_spec: str | None = None,
    clock: Clock | None = None,
) -> Feed:
    """Index ``marc`` (an ISO 2709 file, or records) into a :class:`Feed`.

    ``datestamp`` fixes every record's datestamp; otherwise it is the record's 005, or the
    file's modification time for records without one. ``set_spec`` puts every record in
    one set (otherwise the feed has no sets). ``clock`` gives ``responseDate``.
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    if isinstance(marc, str | Path):
        path = Path(marc)
        size = path.stat().st_size
        default = datetime.fromtimestamp(int(path.stat().st_mtime), UTC)
        with path.open("rb") as file:
            # An empty file cannot be mapped; it is simply an empty feed.
            data: bytes | mmap.mmap = (mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
                                       if size else b"")
    else:
        data = _serialize(marc)
        default = datetime.now(UTC).replace(microsecond=0)
    index = index_marc(data, fixed=datestamp, default=default, repository_id=repository_id)
    return Feed(index, page_size=page_size, repository_name=repository_name,
                admin_email=admin_email, set_spec=set_spec,
                clock=clock or (lambda: datetime.now(UTC)))


def build_feed_app(marc: Path | str | Sequence[pymarc.Record], *, page_size: int = 100,
                   **options: Any) -> web.Application:
    """An aiohttp app serving ``marc`` at ``/`` and ``/oai``; options as :func:`open_feed`."""
    feed = open_feed(marc, page_size=page_size, **options)
    app = web.Application()
    app[FEED] = feed
    for path in ("/", "/oai"):
        app.router.add_route("GET", path, _handle)
        app.router.add_route("POST", path, _handle)

    async def close(_app: web.Application) -> None:
        feed.close()

    app.on_cleanup.append(close)
    return app


async def read_args(request: web.Request) -> tuple[dict[str, str], bool]:
    """The OAI-PMH arguments of a GET or POST request, and whether one was repeated."""
    source = await request.post() if request.method == "POST" else request.query
    args: dict[str, str] = {}
    repeated = False
    for key in source:
        values = source.getall(key)
        repeated = repeated or len(values) > 1
        args[key] = str(values[0])
    return args, repeated


async def _handle(request: web.Request) -> web.Response:
    feed = request.app[FEED]
    args, repeated = await read_args(request)
    body = feed.respond(args, str(request.url.with_query(None)), repeated=repeated)
    return web.Response(body=body.encode("utf-8"), content_type="text/xml", charset="utf-8")


@asynccontextmanager
async def serve_feed(
    marc: Path | str | Sequence[pymarc.Record],
    host: str = "127.0.0.1",
    port: int = 0,
    **options: Any,
) -> AsyncIterator[str]:
    """Serve a feed on ``host:port`` (0: any free port); yields its base URL (``.../oai``).

    ``options`` are those of :func:`open_feed` (``page_size``, ``datestamp``, ...).
    """
    app = build_feed_app(marc, **options)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_port = runner.addresses[0][1]
        yield f"http://{host}:{bound_port}/oai"
    finally:
        await runner.cleanup()



__all__ = ["Feed", "build_feed_app", "open_feed", "read_args", "serve_feed"]
