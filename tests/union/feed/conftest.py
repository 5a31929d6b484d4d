"""Fixtures of the feed's tests: the schemas, a real SQLite catalogue built from LoC
records, a controllable clock, the provider, and the provider served on 127.0.0.1."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer, unused_port
from aiohttp.typedefs import Handler
from lxml import etree

from tests.union.feed.oai_client import OaiClient, assert_valid
from tests.union.feed.sqlite_repository import (
    SqliteFeedRepository,
    build_catalogue,
    load_bibs,
)
from union.bib_record import BibRecord
from union.feed.http import create_app
from union.feed.provider import FeedConfig, OaiProvider
from union.feed.records import FeedRecord

DOMAIN = "katalog.lubuklinggaukota.go.id"
SECRET = b"test secret, 32 bytes long......"
WORKS = 300
RECORDS_PAGE = 40
IDENTIFIERS_PAGE = 60


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward by a timedelta's keyword arguments; the new time."""
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Catalogue:
    """The test catalogue: the repository and the records it publishes."""

    repository: SqliteFeedRepository
    records: list[FeedRecord]
    by_id: dict[str, FeedRecord] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {r.work_id: r for r in self.records}


@pytest.fixture(scope="session")
def oai_schema(shared: Path) -> etree.XMLSchema:
    """oai-all.xsd: OAI-PMH with oai_dc, MARC21slim and oai-identifier."""
    return etree.XMLSchema(etree.parse(str(shared / "schemas" / "oai-all.xsd")))


@pytest.fixture(scope="session")
def bibs(shared: Path) -> list[BibRecord]:
    """The first WORKS LoC records, normalized."""
    return load_bibs(shared, WORKS)


@pytest.fixture
def clock() -> FakeClock:
    """Set well after every datestamp in the catalogue."""
    return FakeClock(datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def catalogue_file(tmp_path_factory: pytest.TempPathFactory,
                   bibs: list[BibRecord]) -> tuple[Path, list[FeedRecord]]:
    """The catalogue built once; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("catalogue") / "feed.db"
    repository, records = build_catalogue(path, bibs)
    repository.checkpoint()
    repository.close()
    return path, records


@pytest.fixture
def catalogue(tmp_path: Path,
              catalogue_file: tuple[Path, list[FeedRecord]]) -> Iterator[Catalogue]:
    """A fresh SQLite catalogue of WORKS works, some deleted or merged."""
    template, records = catalogue_file
    path = tmp_path / "feed.db"
    shutil.copyfile(template, path)
    repository = SqliteFeedRepository(path)
    yield Catalogue(repository, records)
    repository.close()


@pytest.fixture
def port() -> int:
    """A free port on 127.0.0.1 for the served feed."""
    return unused_port()


@pytest.fixture
def config(port: int) -> FeedConfig:
    """Small pages, so the test catalogue spans many."""
    return FeedConfig(
        repository_name="Katalog Induk Perpustakaan Kota Lubuklinggau",
        base_url=f"http://127.0.0.1:{port}/oai",
        domain=DOMAIN,
        admin_emails=("perpustakaan@lubuklinggaukota.go.id",),
        secret=SECRET,
        records_page_size=RECORDS_PAGE,
        identifiers_page_size=IDENTIFIERS_PAGE,
        sample_work_id="w00000",
    )


@pytest.fixture
def provider(catalogue: Catalogue, config: FeedConfig, clock: FakeClock) -> OaiProvider:
    """The provider over the test catalogue."""
    return OaiProvider(catalogue.repository, config, clock)


@pytest.fixture
async def oai(provider: OaiProvider, port: int,
              oai_schema: etree.XMLSchema) -> AsyncIterator[OaiClient]:
    """A client of the provider served by a real aiohttp server on 127.0.0.1."""
    invalid: list[str] = []

    @web.middleware
    async def validate(request: web.Request, handler: Handler) -> web.StreamResponse:
        # Every document served, whoever the client (Sickle too), is checked here.
        response = await handler(request)
        if isinstance(response, web.Response) and response.content_type == "text/xml":
            try:
                assert_valid(oai_schema, response.body)  # type: ignore[arg-type]
            except AssertionError as exc:
                invalid.append(str(exc))
        return response

    app = create_app(provider)
    app.middlewares.append(validate)
    server = TestServer(app, host="127.0.0.1", port=port)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            yield OaiClient(session, provider.config.base_url, oai_schema)
    finally:
        await server.close()
    assert not invalid, invalid[0]


def identifier(work_id: str) -> str:
    """The OAI identifier of a test work."""
    return f"oai:{DOMAIN}:{work_id}"
