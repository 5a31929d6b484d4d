"""The audit log: an append-only, hash-chained record per branch of every message it applied.

Each entry carries the hash of the one before it, so removing, reordering or editing any entry
breaks every hash after it. Building and verifying the chain are pure functions; storing it is
the edge's job (append-only, in the same transaction as the state the entry describes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sync.canonical import canonical_json
from sync.refusal import Refusal
from sync.signing import SignedMessage

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One link: ``record`` is canonical JSON text; ``hash`` covers all the other fields."""

    branch: str
    index: int
    prev_hash: str
    record: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """Where verification failed, and why."""

    index: int
    reason: str


def entry_hash(branch: str, index: int, prev_hash: str, record: str) -> str:
    """The SHA-256 hex digest chaining one entry to the previous one."""
    payload = {"branch": branch, "index": index, "prev": prev_hash, "record": record}
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def append(branch: str, head: AuditEntry | None, record: Mapping[str, Any]) -> AuditEntry:
    """The entry that follows ``head`` (None: the first entry of ``branch``'s log)."""
    index = 0 if head is None else head.index + 1
    prev_hash = GENESIS if head is None else head.hash
    text = canonical_json(dict(record)).decode("utf-8")
    return AuditEntry(branch, index, prev_hash, text, entry_hash(branch, index, prev_hash, text))


def verify(
    entries: Iterable[AuditEntry], branch: str, after: AuditEntry | None = None
) -> ChainBreak | None:
    """None when ``entries`` are an unbroken chain of ``branch``'s log, else the first break.

    ``after`` is a trusted entry the chain continues from (None: the log's beginning), so a
    long log can be checked in pieces, or from a head kept elsewhere.
    """
    index = 0 if after is None else after.index + 1
    prev_hash = GENESIS if after is None else after.hash
    for entry in entries:
        if entry.branch != branch:
            return ChainBreak(index, f"entry of branch {entry.branch!r}")
        if entry.index != index:
            return ChainBreak(index, f"entry numbered {entry.index}")
        if entry.prev_hash != prev_hash:
            return ChainBreak(index, "does not follow the previous entry")
        if entry.hash != entry_hash(entry.branch, entry.index, entry.prev_hash, entry.record):
            return ChainBreak(index, "altered")
        index, prev_hash = index + 1, entry.hash
    return None


def message_record(
    direction: Literal["in", "out"], signed: SignedMessage, refusal: Refusal | None = None
) -> dict[str, Any]:
    """The record of a message sent (``"out"``) or received (``"in"``), and its outcome."""
    return {
        "direction": direction,
        "message": signed.message.to_dict(),
        "signature": signed.signature.hex(),
        "outcome": "applied" if refusal is None else refusal.code.value,
        "detail": "" if refusal is None else refusal.detail,
    }
