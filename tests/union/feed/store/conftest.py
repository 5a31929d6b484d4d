"""Fixtures of the feed over the store: the demo catalogue harvested and clustered once
per backend (560 real LoC records of four branches), copied for each test, and the
provider over it with a clock the test moves."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from tests.support.federation import demo_catalogue_federation, harvest_demo_catalogue
from tests.support.postgres import Cluster
from tests.union.feed.conftest import FakeClock
from tests.union.feed.oai_client import assert_valid
from union.config import Federation, load_federation
from union.feed.follower import FeedRefresh, refresh_feed
from union.feed.provider import OaiProvider
from union.feed.store_repository import StoreFeedRepository, feed_config, token_secret
from union.feed.work_records import Branches
from union.store.engine import Store
from union.store.models import WorkRow

PAGE = 50  # small pages: the demo's 408 works span several


@dataclass
class DemoFeed:
    """The demo catalogue's store, its federation and the feed over it."""

    federation: Federation
    store: Store
    clock: FakeClock
    schema: etree.XMLSchema

    @property
    def branches(self) -> Branches:
        """The federation's branches as the feed sees them."""
        return Branches.of(self.federation)

    def refresh(self) -> FeedRefresh:
        """Bring the feed up to date at the clock's time."""
        return refresh_feed(self.store, self.branches, self.clock)

    def provider(self, base_url: str | None = None) -> OaiProvider:
        """A provider over the store (as ``union serve`` builds it, with small pages)."""
        config = feed_config(self.federation, token_secret(self.store, self.federation),
                             base_url)
        config = replace(config, records_page_size=PAGE, identifiers_page_size=PAGE)
        return OaiProvider(StoreFeedRepository(self.store, self.branches), config, self.clock)

    def ask(self, query: str) -> etree._Element:
        """One request through the provider; the response, validated against oai-all.xsd."""
        return assert_valid(self.schema, "".join(self.provider().respond_form(query)))

    def works(self, status: str | None = None) -> int:
        """How many works the store holds (with this status)."""
        query = select(func.count()).select_from(WorkRow)
        if status is not None:
            query = query.where(WorkRow.status == status)
        with self.store.read() as session:
            return int(session.scalar(query) or 0)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo catalogue harvested once into a SQLite file."""
    folder = tmp_path_factory.mktemp("demo-sqlite")
    federation = harvest_demo_catalogue(folder)
    Store(federation.union.database).dispose()
    return folder / "union.db"


@pytest.fixture(scope="session")
def postgres_template(pg_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo catalogue harvested once into a PostgreSQL database (used as a template)."""
    url = pg_cluster.new_database_url()
    harvest_demo_catalogue(tmp_path_factory.mktemp("demo-pg"), database=url)
    return url


def _copy_postgres(template: str, name: str) -> str:
    url = make_url(template)
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def demo(request: pytest.FixtureRequest, tmp_path: Path,
         oai_schema: etree.XMLSchema) -> Iterator[DemoFeed]:
    """A copy of the harvested demo catalogue on each backend, its feed refreshed once."""
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "union.db")
        path = demo_catalogue_federation(tmp_path)
    else:
        template = request.getfixturevalue("postgres_template")
        database = _copy_postgres(template, f"feed_{uuid.uuid4().hex}")
        path = demo_catalogue_federation(tmp_path, database=database)
    federation = load_federation(path, {})
    store = Store(federation.union.database)
    clock = FakeClock(datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))
    feed = DemoFeed(federation, store, clock, oai_schema)
    feed.refresh()
    clock.advance(hours=1)
    yield feed
    store.dispose()
