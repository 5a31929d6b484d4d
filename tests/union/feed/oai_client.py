"""Test helpers: schema validation of every response, and a small OAI-PMH client for
the feed served by a real aiohttp server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp
from lxml import etree

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {"oai": OAI, "marc": "http://www.loc.gov/MARC21/slim",
      "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
      "dc": "http://purl.org/dc/elements/1.1/"}


def assert_valid(schema: etree.XMLSchema, document: bytes | str) -> etree._Element:
    """Parse ``document`` and assert it is valid against ``schema`` (oai-all.xsd: the
    OAI-PMH envelope and, strictly, the oai_dc and MARCXML inside it)."""
    data = document.encode("utf-8") if isinstance(document, str) else document
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    if not schema.validate(root):
        errors = "\n".join(str(e) for e in list(schema.error_log)[:10])
        raise AssertionError(f"response is not valid:\n{errors}\n{data[:2000]!r}")
    return root


def pairs_of(args: dict[str, str]) -> list[tuple[str, str]]:
    """Keyword arguments as OAI argument pairs (``from_`` stands for ``from``)."""
    return [("from" if name == "from_" else name, value) for name, value in args.items()]


@dataclass
class OaiResponse:
    """One validated response."""

    status: int
    content_type: str
    charset: str | None
    body: bytes
    root: etree._Element

    @property
    def errors(self) -> list[str]:
        """The error codes, in order."""
        return [e.get("code") for e in self.root.findall("oai:error", NS)]

    @property
    def request(self) -> etree._Element:
        """The ``<request>`` element."""
        return self.root.find("oai:request", NS)

    @property
    def verb_element(self) -> etree._Element | None:
        """The verb's element (``<ListRecords>`` ...), None for errors."""
        return self.root[2] if self.root[2].tag != f"{{{OAI}}}error" else None

    @property
    def headers(self) -> list[etree._Element]:
        """Every ``<header>``, whether in records or alone."""
        return self.root.findall(".//oai:header", NS)

    @property
    def records(self) -> list[etree._Element]:
        """Every ``<record>``."""
        return self.root.findall(".//oai:record", NS)

    @property
    def token(self) -> etree._Element | None:
        """The ``<resumptionToken>`` element, if any."""
        return self.root.find(".//oai:resumptionToken", NS)

    def identifiers(self) -> list[str]:
        """The identifiers of the headers, in order."""
        return [h.findtext("oai:identifier", namespaces=NS) for h in self.headers]


class OaiClient:
    """GET and POST to the served feed; every response is checked against the schema."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str,
                 schema: etree.XMLSchema) -> None:
        self.session = session
        self.base_url = base_url
        self.schema = schema

    async def get(self, **args: str) -> OaiResponse:
        """GET with these arguments."""
        return await self.send("GET", pairs_of(args))

    async def post(self, **args: str) -> OaiResponse:
        """POST (form-encoded) with these arguments."""
        return await self.send("POST", pairs_of(args))

    async def send(self, method: str, pairs: Iterable[tuple[str, str]]) -> OaiResponse:
        """Send argument pairs (repeats allowed) by GET or POST."""
        encoded = urlencode(list(pairs))
        return await self.raw(method, encoded)

    async def raw(self, method: str, encoded: str) -> OaiResponse:
        """Send an already encoded query string or body."""
        if method == "GET":
            url = f"{self.base_url}?{encoded}" if encoded else self.base_url
            request = self.session.get(url)
        else:
            request = self.session.post(
                self.base_url, data=encoded.encode("ascii"),
                headers={"Content-Type": "application/x-www-form-urlencoded"})
        async with request as response:
            body = await response.read()
            status, content_type, charset = (response.status, response.content_type,
                                             response.charset)
        assert status == 200, body
        return OaiResponse(status, content_type, charset, body,
                           assert_valid(self.schema, body))

    async def harvest(self, verb: str, method: str = "GET",
                      **args: str) -> tuple[list[etree._Element], list[OaiResponse]]:
        """Follow resumption tokens to the end: (every header, every response)."""
        response = await self.send(method, [("verb", verb), *pairs_of(args)])
        pages = [response]
        headers = list(response.headers)
        while response.token is not None and response.token.text:
            response = await self.send(method, [("verb", verb),
                                                ("resumptionToken", response.token.text)])
            assert not response.errors, response.body
            pages.append(response)
            headers += response.headers
        return headers, pages
