"""Harvest conflicts: a branch's own system still lists a copy it has transferred away.

Ownership lives in the sync custody table, which harvesting never writes, so a later
harvest cannot silently undo a transfer; what it can do is disagree, and staff see that here
until they resolve it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from union.store.models import BranchRow, ItemRow
from union.store.sync_models import SyncConflictRow, SyncCustodyRow
from union.sync_node.catalogue import item_id, split_item_id

RESOLUTIONS = ("transfer_stands", "returned_to_lister")


@dataclass(frozen=True, slots=True)
class Conflict:
    """A copy listed by ``listed_by``'s own catalogue but owned by ``owner``."""

    id: int
    item_id: str
    listed_by: str
    owner: str
    detected_at: datetime
    seen: int
    resolution: str | None


def owned_elsewhere(session: Session, branch: str, items: Iterable[str]) -> set[str]:
    """Those of ``items`` whose custody row names an owner other than ``branch``."""
    wanted = list(items)
    if not wanted:
        return set()
    rows = session.scalars(
        select(SyncCustodyRow.item_id).where(
            SyncCustodyRow.item_id.in_(wanted), SyncCustodyRow.owner != branch
        )
    )
    return set(rows)


def record_conflicts(session: Session, listed_by: str, items: Iterable[str], now: datetime) -> int:
    """Open a conflict for each copy (or count one more sighting of an open one)."""
    count = 0
    for item in sorted(items):
        owner = session.scalar(select(SyncCustodyRow.owner).where(SyncCustodyRow.item_id == item))
        if owner is None or owner == listed_by:
            continue
        open_row = session.scalar(
            select(SyncConflictRow).where(
                SyncConflictRow.item_id == item,
                SyncConflictRow.listed_by == listed_by,
                SyncConflictRow.resolution.is_(None),
            )
        )
        if open_row is not None:
            open_row.seen += 1
            open_row.owner = owner
            continue
        session.add(
            SyncConflictRow(item_id=item, listed_by=listed_by, owner=owner, detected_at=now, seen=1)
        )
        count += 1
    return count


def scan_harvested(session: Session, now: datetime) -> int:
    """Compare the harvested holdings with ownership: every copy a branch's catalogue still
    lists after it was transferred away opens a conflict (an already resolved one stays
    resolved). Returns how many new conflicts were opened."""
    moved = session.execute(select(SyncCustodyRow.item_id, SyncCustodyRow.owner)).all()
    by_branch: dict[str, list[str]] = {}
    for item, owner in moved:
        branch, _barcode = split_item_id(item)
        if branch != owner:
            by_branch.setdefault(branch, []).append(item)
    opened = 0
    for branch, items in sorted(by_branch.items()):
        barcodes = [split_item_id(i)[1] for i in items]
        listed = set(
            session.scalars(
                select(ItemRow.barcode)
                .join(BranchRow, BranchRow.id == ItemRow.branch_id)
                .where(BranchRow.code == branch, ItemRow.barcode.in_(barcodes))
            )
        )
        resolved = set(
            session.scalars(
                select(SyncConflictRow.item_id).where(
                    SyncConflictRow.listed_by == branch, SyncConflictRow.resolution.is_not(None)
                )
            )
        )
        fresh = sorted(item_id(branch, b) for b in listed if b is not None)
        opened += record_conflicts(session, branch, (i for i in fresh if i not in resolved), now)
    return opened


def open_conflicts(session: Session, branch: str | None = None) -> list[Conflict]:
    """Unresolved conflicts, oldest first; of one branch (as lister or owner) if given."""
    query = select(SyncConflictRow).where(SyncConflictRow.resolution.is_(None))
    if branch is not None:
        query = query.where(
            (SyncConflictRow.listed_by == branch) | (SyncConflictRow.owner == branch)
        )
    return [
        Conflict(r.id, r.item_id, r.listed_by, r.owner, r.detected_at, r.seen, r.resolution)
        for r in session.scalars(query.order_by(SyncConflictRow.id))
    ]


def resolve(session: Session, conflict_id: int, resolution: str, now: datetime) -> Conflict:
    """Close a conflict. ``transfer_stands``: the lister's system is out of date;
    ``returned_to_lister``: staff will move the copy back with a new transfer."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution must be one of {', '.join(RESOLUTIONS)}")
    row = session.get(SyncConflictRow, conflict_id)
    if row is None:
        raise LookupError(f"no conflict {conflict_id}")
    row.resolution, row.resolved_at = resolution, now
    return Conflict(
        row.id, row.item_id, row.listed_by, row.owner, row.detected_at, row.seen, row.resolution
    )
