"""Enrolling a branch: its key pair, its public key at the hub, and its node."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from sync.branch import LoanPolicy
from sync.signing import public_bytes
from union.store.engine import Store
from union.store.models import BranchRow, ItemRow
from union.sync_node.catalogue import item_id
from union.sync_node.keys import load_key_file, new_key_file, register
from union.sync_node.node import BranchNode


def enrol(store: Store, code: str, key_path: Path, now: datetime) -> bytes:
    """Make ``code``'s key pair at ``key_path`` (kept if it exists) and register its public
    key in ``store``; returns the public key."""
    key = load_key_file(key_path) if key_path.exists() else new_key_file(key_path)
    public = public_bytes(key)
    with store.write() as session:
        register(session, code, public, now)
    return public


def catalogued_items(store: Store, code: str) -> list[str]:
    """Item ids of every copy with a barcode that ``code``'s harvested catalogue lists."""
    with store.read() as session:
        barcodes = session.scalars(
            select(ItemRow.barcode)
            .join(BranchRow, BranchRow.id == ItemRow.branch_id)
            .where(BranchRow.code == code, ItemRow.barcode.is_not(None))
            .distinct()
        )
        return sorted(item_id(code, b) for b in barcodes if b is not None)


def start_node(
    store: Store, code: str, key_path: Path, now: datetime, policy: LoanPolicy | None = None
) -> BranchNode:
    """``code``'s node in ``store`` (created on first use), with the copies its harvested
    catalogue lists taken onto its shelf."""
    node = BranchNode(store, code, load_key_file(key_path), policy)
    items = catalogued_items(store, code)
    if not node.create(items, now):
        node.catalogue_items(items, now)
    return node
