"""The union catalogue as the sync protocol sees it: which branch owns a copy, which branches
hold a title, and each copy's custody for the search results (``sync.catalogue`` protocols
implemented over the store).

A copy's id is ``<branch>/<barcode>`` of the branch that catalogued it; it keeps that id when
a permanent transfer moves it, and ``sync_custody.owner`` then names its new owner.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.rota import LenderCandidate
from union.store.bulk_writes import chunks
from union.store.engine import Store
from union.store.models import BranchRow, WorkRow
from union.store.sync_models import SyncCustodyRow
from union.works.reading import resolve_work

ON_SHELF = "on_shelf"


def item_id(branch: str, barcode: str) -> str:
    """The protocol's id of a copy catalogued by ``branch`` under ``barcode``."""
    return f"{branch}/{barcode}"


def split_item_id(item: str) -> tuple[str, str]:
    """(cataloguing branch, barcode) of a protocol item id."""
    branch, _, barcode = item.partition("/")
    return branch, barcode


def work_items(display: Mapping[str, Any]) -> Iterator[str]:
    """Every copy a work's display record lists, as protocol item ids."""
    for holding in display.get("holdings", ()):
        for item in holding.get("items", ()):
            if item.get("barcode"):
                yield item_id(holding["branch"], item["barcode"])


def custody_of_works(session: Session, work_ids: Iterable[int]) -> dict[tuple[str, str], str]:
    """(branch code, barcode) -> custody status of every copy of ``work_ids`` that the sync
    protocol has moved off its shelf or to a new owner. A copy not in the mapping is on its
    cataloguing branch's shelf as far as sync knows. Keys name the cataloguing branch and
    barcode, as the works' holdings list them; the current owner is in :func:`owners_of`."""
    ids = list(work_ids)
    if not ids:
        return {}
    displays = session.scalars(select(WorkRow.display).where(WorkRow.id.in_(ids)))
    return custody_of_displays(session, list(displays))


def custody_of_displays(session: Session,
                        displays: Iterable[Mapping[str, Any] | None]) -> dict[tuple[str, str], str]:
    """:func:`custody_of_works` for works whose display records the caller has already
    read (the search index and the work page), so they are not read twice."""
    items = [item for display in displays for item in work_items(display or {})]
    found: dict[tuple[str, str], str] = {}
    for chunk in chunks(items):
        rows = session.execute(
            select(SyncCustodyRow.item_id, SyncCustodyRow.status).where(
                SyncCustodyRow.item_id.in_(chunk)
            )
        )
        found.update({split_item_id(item): status for item, status in rows})
    return found


def owners_of(session: Session, items: Iterable[str]) -> dict[str, str]:
    """item id -> owning branch, counting permanent transfers."""
    owners = {i: split_item_id(i)[0] for i in items}
    for chunk in chunks(owners):
        rows = session.execute(
            select(SyncCustodyRow.item_id, SyncCustodyRow.owner).where(
                SyncCustodyRow.item_id.in_(chunk)
            )
        )
        owners.update({k: v for k, v in rows})
    return owners


class StoreCatalogue:
    """``sync.catalogue.Holdings`` and ``Ownership`` read from one session of the store."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def owner_of(self, item: str) -> str | None:
        """The copy's owner: the custody table's, else the branch that catalogued it."""
        owner = self._session.scalar(
            select(SyncCustodyRow.owner).where(SyncCustodyRow.item_id == item)
        )
        return owner or split_item_id(item)[0] or None

    def _items(self, work_id: str) -> list[str]:
        try:
            resolved = resolve_work(self._session, int(work_id))
        except ValueError:
            return []
        if resolved is None:
            return []
        return list(work_items(resolved.work.display or {}))

    def copies_of(self, work_id: str, branch: str) -> Iterable[str]:
        """Item ids of ``branch``'s copies of the work."""
        owners = owners_of(self._session, self._items(work_id))
        return sorted(i for i, owner in owners.items() if owner == branch)

    def lenders_for(self, work_id: str, requester: str) -> Iterable[LenderCandidate]:
        """Every branch owning a copy: its copies on the shelf, whether it is in another
        district than ``requester`` (1) or the same (0), and its loans out."""
        items = self._items(work_id)
        owners = owners_of(self._session, items)
        rows = self._session.execute(
            select(SyncCustodyRow.item_id, SyncCustodyRow.status).where(
                SyncCustodyRow.item_id.in_(items)
            )
        )
        statuses = {k: v for k, v in rows}
        districts = dict(self._session.execute(select(BranchRow.code, BranchRow.district)).all())
        loads = dict(
            self._session.execute(
                select(SyncCustodyRow.owner, func.count())
                .where(SyncCustodyRow.hold_kind == "loan")
                .group_by(SyncCustodyRow.owner)
            ).all()
        )
        available: dict[str, int] = {}
        for item, owner in owners.items():
            shelf = statuses.get(item, ON_SHELF) == ON_SHELF
            available[owner] = available.get(owner, 0) + int(shelf)
        home = districts.get(requester)
        return [
            LenderCandidate(
                branch=owner,
                available=count,
                distance=0.0 if home and districts.get(owner) == home else 1.0,
                load=loads.get(owner, 0),
            )
            for owner, count in sorted(available.items())
        ]


class UnionHoldings(Protocol):
    """The union holdings as a branch's staff desk asks them: read from the store here at
    the hub (and for hosted branches), fetched from the hub at a village."""

    def lenders_for(self, work_id: str, requester: str) -> list[LenderCandidate]:
        """Every branch holding the work, with its copies on the shelf, distance and load."""
        ...

    def copies_of(self, work_id: str, branch: str) -> list[str]:
        """Item ids of ``branch``'s copies of the work."""
        ...


class LocalHoldings:
    """:class:`UnionHoldings` read from ``store`` (which holds the works)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def lenders_for(self, work_id: str, requester: str) -> list[LenderCandidate]:
        """Every branch holding the work, as this store's works and custody say."""
        with self._store.read() as session:
            return list(StoreCatalogue(session).lenders_for(work_id, requester))

    def copies_of(self, work_id: str, branch: str) -> list[str]:
        """``branch``'s copies of the work, as this store's works say."""
        with self._store.read() as session:
            return list(StoreCatalogue(session).copies_of(work_id, branch))

