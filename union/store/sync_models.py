"""Branch-to-branch sync: durable outbox, inbox, acknowledgements, custody and audit
(migration 0004).

One schema serves both roles. The hub (the city library's ``union serve``) keeps the branch
keys, every origin's admitted stream and when each branch was last heard from. A branch
node (a village agent's own SQLite file, or a hosted branch in the hub's store) keeps its
protocol state, its signed outbox, how far it has applied each origin's stream, its
hash-chained audit log and the custody of its items.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from union.store.models import Base, BigId


class SyncKeyRow(Base):
    """A member branch's Ed25519 public key: the registry every signature is checked with."""

    __tablename__ = "sync_keys"
    branch: Mapped[str] = mapped_column(String(32), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    enrolled_at: Mapped[datetime]


class SyncStreamRow(Base):
    """The hub's copy of one origin's stream, gapless: each message once, with the hub's
    verdict (``refusal`` null: relayed to its recipient; else refused and only skipped)."""

    __tablename__ = "sync_stream"
    origin: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # The hub's admission order across origins: replaying it rebuilds the hub's authority.
    admitted: Mapped[int] = mapped_column(BigInteger, unique=True)
    recipient: Mapped[str] = mapped_column(String(32), index=True)
    message: Mapped[dict[str, Any]]
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    refusal: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime]


class SyncHeardRow(Base):
    """When the hub last heard from each branch (a rota passes over long-silent lenders)."""

    __tablename__ = "sync_heard"
    branch: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime]


class SyncRefusalRow(Base):
    """A delivery refused before it entered any stream: forged, replayed or unknown-branch."""

    __tablename__ = "sync_refusals"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime]
    receiver: Mapped[str] = mapped_column(String(32))
    origin: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(BigInteger)
    code: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)


class SyncNodeRow(Base):
    """A branch node: its protocol state (the pure core's ``Branch``, serialized) and the
    next sequence number its outbox will stamp; saved in the same transaction as every
    message it sends or applies."""

    __tablename__ = "sync_nodes"
    branch: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_seq: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime]


class SyncOutboxRow(Base):
    """A signed message a branch sent; kept until the hub acknowledges it."""

    __tablename__ = "sync_outbox"
    origin: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    message: Mapped[dict[str, Any]]
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    acked: Mapped[bool] = mapped_column(default=False)


class SyncHeldRow(Base):
    """How far a branch has applied one origin's stream (its acknowledgement of it)."""

    __tablename__ = "sync_held"
    branch: Mapped[str] = mapped_column(String(32), primary_key=True)
    origin: Mapped[str] = mapped_column(String(32), primary_key=True)
    held: Mapped[int] = mapped_column(BigInteger)


class SyncAuditRow(Base):
    """One link of a branch's append-only, hash-chained audit log."""

    __tablename__ = "sync_audit"
    branch: Mapped[str] = mapped_column(String(32), primary_key=True)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    record: Mapped[str] = mapped_column(Text)
    hash: Mapped[str] = mapped_column(String(64))


class SyncCustodyRow(Base):
    """Where one copy is, as its owner writes it. ``item_id`` is ``<branch>/<barcode>`` of
    the branch that catalogued it; ``owner`` moves with permanent transfers."""

    __tablename__ = "sync_custody"
    item_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    owner: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(32))
    hold_kind: Mapped[str | None] = mapped_column(String(16))
    hold_id: Mapped[str | None] = mapped_column(String(128))
    hold_branch: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime]


class SyncConflictRow(Base):
    """A harvest from a branch's own system still listing a copy that was transferred away:
    staff decide (``resolution``) instead of the harvest silently undoing the move."""

    __tablename__ = "sync_conflicts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(128), index=True)
    listed_by: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(32))
    detected_at: Mapped[datetime]
    resolution: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime | None]
    seen: Mapped[int] = mapped_column(Integer, default=1)
