"""Reading the patron pages in tests: fetching over HTTP and looking into the HTML."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from lxml import html
from sqlalchemy import select

from union.config import Federation
from union.store.engine import Store
from union.store.models import WorkRow


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The demo catalogue with one staff merge: ``merged_id`` was merged into
    ``survivor_id``, a work with records from two branches."""

    federation: Federation
    index: Path
    merged_id: int
    survivor_id: int


#: The most a patron page may weigh (issue 4: pages under 100 KB).
PAGE_LIMIT = 100 * 1024


@dataclass(frozen=True, slots=True)
class Page:
    """One response: status, headers, body bytes, and the HTML tree when it is HTML."""

    status: int
    headers: Any
    body: bytes
    url: str

    @property
    def tree(self) -> html.HtmlElement:
        return html.fromstring(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def texts(self, xpath: str) -> list[str]:
        """The whitespace-normalized text of every element ``xpath`` finds."""
        return [" ".join(e.text_content().split()) for e in self.tree.xpath(xpath)]


async def fetch(base: str, path: str, *, cookies: dict[str, str] | None = None,
                allow_redirects: bool = True, accept: str = "text/html",
                headers: dict[str, str] | None = None) -> Page:
    """GET ``path`` from the server at ``base``."""
    async with aiohttp.ClientSession(cookies=cookies) as session, session.get(
            base + path, allow_redirects=allow_redirects,
            headers={"Accept": accept, **(headers or {})}) as response:
        return Page(response.status, response.headers, await response.read(),
                    str(response.url))


def display(catalogue: Catalogue, work_id: int) -> dict[str, Any]:
    """The merged display record of a work, read from the store."""
    store = Store(catalogue.federation.union.database)
    try:
        with store.read() as session:
            return dict(session.execute(
                select(WorkRow.display).where(WorkRow.id == work_id)).scalar_one())
    finally:
        store.dispose()


def single_record_work(catalogue: Catalogue) -> int:
    """The id of a live work made of one record."""
    return _first_work(catalogue, lambda work_id, members: members == 1)


def matched_work(catalogue: Catalogue) -> int:
    """The id of a live work whose records were matched (not merged by staff)."""
    return _first_work(
        catalogue, lambda work_id, members: members > 1 and work_id != catalogue.survivor_id)


def _first_work(catalogue: Catalogue, wanted: Callable[[int, int], bool]) -> int:
    """The first live work for which ``wanted(id, number of members)`` holds."""
    store = Store(catalogue.federation.union.database)
    try:
        with store.read() as session:
            for work_id, record in session.execute(
                    select(WorkRow.id, WorkRow.display).where(WorkRow.status == "live")
                    .order_by(WorkRow.id)):
                if wanted(int(work_id), len(record["members"])):
                    return int(work_id)
    finally:
        store.dispose()
    raise AssertionError("the demo catalogue has no such work")


def works_per_branch(catalogue: Catalogue) -> dict[str, int]:
    """How many live works each branch holds, counted from the store."""
    counts: dict[str, int] = {}
    store = Store(catalogue.federation.union.database)
    try:
        with store.read() as session:
            for (record,) in session.execute(
                    select(WorkRow.display).where(WorkRow.status == "live")):
                for code in record["branches"]:
                    counts[code] = counts.get(code, 0) + 1
    finally:
        store.dispose()
    return counts
