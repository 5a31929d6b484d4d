"""A federation of hosted branches in one store with its hub in the same process: the
branches' nodes, their keys and the staff service, driven by a clock the test moves."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from union.store.engine import Store
from union.store.models import WorkRow
from union.sync_node.catalogue import work_items
from union.sync_node.enrolment import enrol
from union.sync_node.hub import Hub, LocalMailbox
from union.sync_node.node import BranchNode
from union.sync_node.service import KeyDirectory, SyncService
from union.sync_node.session import SessionReport, sync_once

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Hosted:
    """Branches hosted in one store, with the hub beside them."""

    store: Store
    keys: KeyDirectory
    clock: Clock = field(default_factory=Clock)

    def __post_init__(self) -> None:
        self.hub = Hub(self.store)
        self.mailbox = LocalMailbox(self.hub, self.clock)
        self.service = SyncService(self.store, self.node)

    def add(self, code: str, items: Iterable[str] = ()) -> BranchNode:
        """Enrol ``code`` owning ``items`` (barcodes; ids become ``<code>/<barcode>``)."""
        enrol(self.store, code, self.keys.path(code), self.clock())
        node = self.node(code)
        node.create([f"{code}/{b}" for b in items], self.clock())
        return node

    def node(self, code: str) -> BranchNode:
        return self.keys.node(self.store, code)

    def sync(self, *codes: str) -> dict[str, SessionReport]:
        """One session of each branch named, in order."""
        return {c: asyncio.run(sync_once(self.node(c), self.mailbox, self.clock())) for c in codes}


def hosted(
    store: Store,
    tmp_path: Path,
    branches: Mapping[str, Iterable[str]],
    answering: Iterable[str] = (),
) -> Hosted:
    """A federation of ``branches`` (code -> barcodes they own); those in ``answering``
    answer incoming requests automatically, the others' staff answer them."""
    fed = Hosted(store, KeyDirectory(tmp_path / "keys", tuple(answering)))
    for code, items in branches.items():
        fed.add(code, items)
    return fed


def shared_work(store: Store, *branches: str) -> tuple[int, list[str]]:
    """The first work whose barcoded copies are held by exactly ``branches``."""
    with store.read() as session:
        for work_id, display in session.execute(
            select(WorkRow.id, WorkRow.display).where(WorkRow.status == "live").order_by(WorkRow.id)
        ):
            items = list(work_items(display))
            if sorted({i.split("/")[0] for i in items}) == sorted(branches):
                return work_id, items
    raise AssertionError(f"the demo catalogue has no work held by exactly {branches}")
