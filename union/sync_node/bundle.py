"""Bundles: sync sessions carried on a USB stick.

A branch exports its unacknowledged outbox and how far it has applied every origin's
stream; the hub imports it (a push) and remembers how far the branch has got; the hub then
exports everything after that for the branch, with its acknowledgement of the branch's
stream, and the branch imports it (a pull). Importing the same bundle twice changes nothing:
every message is applied once by (origin, sequence number).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from union.store.sync_models import SyncHeldRow, SyncKeyRow
from union.sync_node.codec import entries_from_dicts, signed_from_dict, signed_to_dict
from union.sync_node.hub import Hub
from union.sync_node.keys import register
from union.sync_node.node import Applied, BranchNode

FORMAT = "union-sync-bundle/1"
HUB = "hub"


class BundleError(ValueError):
    """The file is not a sync bundle for this node; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Imported:
    """What importing a bundle did."""

    sender: str
    admitted: int = 0
    applied: int = 0
    duplicates: int = 0
    refused: int = 0


def _write(path: Path, bundle: dict[str, Any]) -> None:
    # Written beside the target and renamed, so a stick pulled out mid-write never holds
    # half a bundle under the real name.
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BundleError(f"{path}: cannot be read as a bundle ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BundleError(f"{path}: not a {FORMAT} file")
    return data


def export_branch(node: BranchNode, path: Path, now: datetime) -> int:
    """Write ``node``'s unacknowledged messages and acknowledgements; returns the count."""
    pending = node.pending(limit=1_000_000)
    _write(
        path,
        {
            "format": FORMAT,
            "from": node.code,
            "to": HUB,
            "written_at": now.isoformat(),
            "messages": [signed_to_dict(s) for s in pending],
            "held": node.held(),
        },
    )
    return len(pending)


def import_at_hub(hub: Hub, path: Path, now: datetime) -> Imported:
    """Take a branch's bundle at the hub: push its messages, remember its acknowledgements."""
    data = _read(path)
    sender = data.get("from")
    if data.get("to") != HUB or not isinstance(sender, str):
        raise BundleError(f"{path}: addressed to {data.get('to')!r}, not to the hub")
    try:
        batch = [signed_from_dict(m) for m in data.get("messages", [])]
        held = {str(o): int(n) for o, n in dict(data.get("held", {})).items()}
    except (ValueError, TypeError) as exc:
        raise BundleError(f"{path}: {exc}") from None
    result = hub.push(sender, batch, now)
    with hub.store.write() as session:
        for origin, seq in held.items():
            row = session.get(SyncHeldRow, (sender, origin))
            if row is None:
                session.add(SyncHeldRow(branch=sender, origin=origin, held=seq))
            elif seq > row.held:
                row.held = seq
    return Imported(sender, result.admitted, 0, result.duplicates, result.refused)


def export_for_branch(hub: Hub, branch: str, path: Path, now: datetime) -> int:
    """Write everything the hub has for ``branch`` after what it last said it holds, with
    the hub's acknowledgement of ``branch``'s stream; returns the number of entries."""
    with hub.store.read() as session:
        rows = session.execute(
            select(SyncHeldRow.origin, SyncHeldRow.held).where(SyncHeldRow.branch == branch)
        )
        held = {origin: seq for origin, seq in rows}
        keys = {
            code: bytes(key)
            for code, key in session.execute(select(SyncKeyRow.branch, SyncKeyRow.public_key))
        }
    entries: list[dict[str, Any]] = []
    while True:
        pulled = hub.pull(branch, held)
        entries.extend(pulled.entries)
        if not pulled.more:
            break
        for entry in entries_from_dicts(pulled.entries):  # page on after this batch
            held[entry.origin] = max(held.get(entry.origin, 0), entry.seq)
    _write(
        path,
        {
            "format": FORMAT,
            "from": HUB,
            "to": branch,
            "written_at": now.isoformat(),
            "entries": entries,
            "acknowledged": hub.acknowledged(branch),
            # The members' keys travel too, as /sync/keys gives them to an online agent.
            "keys": {code: key.hex() for code, key in keys.items()},
        },
    )
    return len(entries)


def import_at_branch(node: BranchNode, path: Path, now: datetime) -> Imported:
    """Take the hub's bundle at ``node``: apply what is new, drop what the hub holds."""
    data = _read(path)
    if data.get("from") != HUB or data.get("to") != node.code:
        raise BundleError(f"{path}: a bundle from {data.get('from')!r} to {data.get('to')!r}")
    try:
        entries = entries_from_dicts(data.get("entries", []))
        acknowledged = int(data.get("acknowledged", 0))
        keys = {str(code): bytes.fromhex(key) for code, key in dict(data.get("keys", {})).items()}
    except (ValueError, TypeError) as exc:
        raise BundleError(f"{path}: {exc}") from None
    with node.store.write() as session:
        for code, key in keys.items():
            register(session, code, key, now)
    applied: Applied = node.receive(entries, now)
    node.acknowledge(acknowledged)
    return Imported(HUB, 0, applied.applied, applied.duplicates, applied.refused)
