"""A branch node: the pure core's ``Branch`` kept durable in the store.

Every staff command and every batch of incoming messages is one transaction: the branch's
state is loaded, changed by the pure core, and saved together with the signed messages it
sends (its outbox, numbered gaplessly), how far it has applied each origin's stream, its
audit entries and the custody rows search reads. A crash at any point leaves either all of
it or none of it, so a restarted node goes on exactly where it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import and_, insert, select, update
from sqlalchemy.orm import Session

from sync import audit
from sync.branch import Branch, LoanPolicy, Outcome
from sync.custody import Custody
from sync.messages import Message, message_from_dict
from sync.refusal import Refusal, RefusalCode
from sync.sequencing import Inbox, Skip, Verdict
from sync.signing import SignedMessage, sign, verify
from sync.state_codec import decode_state, encode_state
from union.store.change_log import log_work_changes
from union.store.engine import Store
from union.store.models import BranchRow, ItemRow, WorkMemberRow
from union.store.sync_models import (
    SyncAuditRow,
    SyncCustodyRow,
    SyncHeldRow,
    SyncNodeRow,
    SyncOutboxRow,
    SyncRefusalRow,
)
from union.sync_node.catalogue import StoreCatalogue, split_item_id
from union.sync_node.conflicts import owned_elsewhere, record_conflicts
from union.sync_node.keys import key_ring


@dataclass(frozen=True, slots=True)
class Applied:
    """What one batch of incoming deliveries did."""

    applied: int = 0
    duplicates: int = 0
    refused: int = 0


class NodeError(LookupError):
    """The node is not set up in this store (run ``union sync enrol`` first)."""


class BranchNode:
    """One branch's protocol state, outbox, inbox and audit log in ``store``."""

    def __init__(
        self,
        store: Store,
        code: str,
        key: Ed25519PrivateKey,
        policy: LoanPolicy | None = None,
    ) -> None:
        self.store = store
        self.code = code
        self._key = key
        self._policy = policy

    # Set up -------------------------------------------------------------------------------

    def create(self, items: Iterable[str], now: datetime) -> bool:
        """Start this branch's node owning ``items`` (a no-op if it exists); True if new."""
        with self.store.write() as session:
            if session.get(SyncNodeRow, self.code) is not None:
                return False
            branch = Branch(self.code, StoreCatalogue(session), (), self._policy)
            session.add(SyncNodeRow(branch=self.code, next_seq=1, state=b"", updated_at=now))
            session.flush()
            self._catalogue_items(session, branch, items, now)
            _save(session, self.code, branch, now)
            return True

    def catalogue_items(self, items: Iterable[str], now: datetime) -> tuple[str, ...]:
        """Take copies this branch has catalogued onto its shelf; a copy transferred away
        is not taken back but recorded as a harvest conflict. Returns the new ones."""
        with self._transaction(now) as tx:
            return self._catalogue_items(tx.session, tx.branch, items, now)

    def _catalogue_items(
        self, session: Session, branch: Branch, items: Iterable[str], now: datetime
    ) -> tuple[str, ...]:
        wanted = [i for i in items if i not in branch.custody]
        elsewhere = owned_elsewhere(session, self.code, wanted)
        record_conflicts(session, self.code, elsewhere, now)
        new = branch.add_items(i for i in wanted if i not in elsewhere)
        write_custody(session, self.code, {i: branch.custody[i] for i in new}, {}, now)
        return new

    # Reading ------------------------------------------------------------------------------

    def branch(self) -> Branch:
        """The branch's current state (a copy: changing it changes nothing stored)."""
        with self.store.read() as session:
            return _load(session, self.code, self._policy)[0]

    def pending(self, limit: int = 1000) -> list[SignedMessage]:
        """Signed messages not yet acknowledged by the hub, oldest first."""
        with self.store.read() as session:
            rows = session.execute(
                select(SyncOutboxRow.message, SyncOutboxRow.signature)
                .where(SyncOutboxRow.origin == self.code, SyncOutboxRow.acked.is_(False))
                .order_by(SyncOutboxRow.seq)
                .limit(limit)
            ).all()
        return [SignedMessage(message_from_dict(m), bytes(s)) for m, s in rows]

    def held(self) -> dict[str, int]:
        """This branch's acknowledgement of every origin: the highest contiguous applied."""
        with self.store.read() as session:
            return _held(session, self.code)

    # Changing -----------------------------------------------------------------------------

    def command(self, action: Callable[[Branch], Outcome], now: datetime) -> Outcome:
        """Run one staff command; its messages are signed into the outbox in the same
        transaction. A refused command changes nothing."""
        with self._transaction(now) as tx:
            outcome = action(tx.branch)
            if outcome.refusal is not None:
                tx.abandon()
                return outcome
            tx.send(outcome)
            return outcome

    def acknowledge(self, upto: int) -> None:
        """The hub holds this branch's stream up to ``upto``: stop resending those."""
        with self.store.write() as session:
            session.execute(
                update(SyncOutboxRow)
                .where(
                    SyncOutboxRow.origin == self.code,
                    SyncOutboxRow.seq <= upto,
                    SyncOutboxRow.acked.is_(False),
                )
                .values(acked=True)
            )

    def receive(self, entries: Iterable[SignedMessage | Skip], now: datetime) -> Applied:
        """Apply pulled deliveries exactly once each, in each origin's order, in one
        transaction. Forged or unknown-branch messages are refused and logged without
        taking their slot; duplicates are dropped."""
        with self._transaction(now) as tx:
            registry = key_ring(tx.session)
            inbox: Inbox[SignedMessage | Skip] = Inbox(_held(tx.session, self.code))
            before = inbox.acknowledgements()
            applied = duplicates = refused = 0
            for entry in entries:
                if isinstance(entry, SignedMessage):
                    refusal = verify(entry, registry)
                    if refusal is None and entry.message.recipient != self.code:
                        refusal = Refusal(RefusalCode.NOT_PERMITTED, "addressed to another")
                    if refusal is not None:
                        refused += 1
                        log_refusal(tx.session, self.code, entry, refusal, now)
                        continue
                verdict = inbox.accept(entry)
                if verdict.verdict in (Verdict.DUPLICATE, Verdict.CONFLICT):
                    duplicates += 1
                for ready in verdict.ready:
                    if isinstance(ready, Skip):
                        continue
                    applied += 1
                    outcome = tx.branch.apply(ready.message, now)
                    tx.log(audit.message_record("in", ready, outcome.refusal))
                    tx.send(outcome)
            _save_held(tx.session, self.code, before, inbox.acknowledgements())
            return Applied(applied, duplicates, refused)

    @contextmanager
    def _transaction(self, now: datetime) -> Iterator[_Transaction]:
        with self.store.write() as session:
            tx = _Transaction(session, self, now)
            yield tx
            tx.commit()

    def _sign(self, message: Message) -> SignedMessage:
        return sign(message, self._key)


class _Transaction:
    """The state of one branch loaded for one transaction, and what it sends and logs."""

    def __init__(self, session: Session, node: BranchNode, now: datetime) -> None:
        self.session = session
        self._node = node
        self._now = now
        self.branch, self._next_seq = _load(session, node.code, node._policy, lock=True)
        self._custody_before = dict(self.branch.custody)
        self._head = _audit_head(session, node.code)
        self._outbox: list[dict[str, Any]] = []
        self._audit: list[dict[str, Any]] = []
        self._abandoned = False

    def abandon(self) -> None:
        """Save nothing (the command was refused)."""
        self._abandoned = True

    def send(self, outcome: Outcome) -> None:
        """Stamp, sign, queue and log the drafts of an outcome."""
        code = self._node.code
        for draft in outcome.drafts:
            message = Message(
                code, self._next_seq, draft.recipient, draft.request_id, draft.body, self._now
            )
            self._next_seq += 1
            signed = self._node._sign(message)
            self._outbox.append(
                {
                    "origin": code,
                    "seq": message.seq,
                    "message": message.to_dict(),
                    "signature": signed.signature,
                    "acked": False,
                }
            )
            self.log(audit.message_record("out", signed))

    def log(self, record: dict[str, Any]) -> None:
        """Append one audit entry."""
        self._head = audit.append(self._node.code, self._head, record)
        entry = self._head
        self._audit.append(
            {
                "branch": entry.branch,
                "index": entry.index,
                "prev_hash": entry.prev_hash,
                "record": entry.record,
                "hash": entry.hash,
            }
        )

    def commit(self) -> None:
        """Write everything the transaction changed (unless abandoned)."""
        if self._abandoned:
            return
        if self._outbox:
            self.session.execute(insert(SyncOutboxRow), self._outbox)
        if self._audit:
            self.session.execute(insert(SyncAuditRow), self._audit)
        after = self.branch.custody
        changed = {i: c for i, c in after.items() if self._custody_before.get(i) is not c}
        gone = {i: c for i, c in self._custody_before.items() if i not in after}
        write_custody(self.session, self._node.code, changed, gone, self._now)
        _save(self.session, self._node.code, self.branch, self._now, self._next_seq)


def _load(
    session: Session, code: str, policy: LoanPolicy | None, lock: bool = False
) -> tuple[Branch, int]:
    query = select(SyncNodeRow).where(SyncNodeRow.branch == code)
    if lock:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise NodeError(f"branch {code!r} has no sync node in this store")
    state = decode_state(row.state)
    return Branch.restore(code, StoreCatalogue(session), state, policy), row.next_seq


def _save(
    session: Session, code: str, branch: Branch, now: datetime, next_seq: int | None = None
) -> None:
    values: dict[str, Any] = {
        "state": encode_state(branch.state()),
        "updated_at": now,
    }
    if next_seq is not None:
        values["next_seq"] = next_seq
    session.execute(update(SyncNodeRow).where(SyncNodeRow.branch == code).values(**values))


def _held(session: Session, code: str) -> dict[str, int]:
    rows = session.execute(
        select(SyncHeldRow.origin, SyncHeldRow.held).where(SyncHeldRow.branch == code)
    )
    return {k: v for k, v in rows}


def _save_held(session: Session, code: str, before: dict[str, int], after: dict[str, int]) -> None:
    for origin, held in after.items():
        if origin not in before:
            session.add(SyncHeldRow(branch=code, origin=origin, held=held))
        elif held != before[origin]:
            session.execute(
                update(SyncHeldRow)
                .where(SyncHeldRow.branch == code, SyncHeldRow.origin == origin)
                .values(held=held)
            )


def _audit_head(session: Session, code: str) -> audit.AuditEntry | None:
    row = session.scalar(
        select(SyncAuditRow)
        .where(SyncAuditRow.branch == code)
        .order_by(SyncAuditRow.index.desc())
        .limit(1)
    )
    if row is None:
        return None
    return audit.AuditEntry(row.branch, row.index, row.prev_hash, row.record, row.hash)


def write_custody(
    session: Session,
    code: str,
    changed: dict[str, Custody],
    gone: dict[str, Custody],
    now: datetime,
) -> None:
    """Upsert the custody rows ``code`` writes (each with its custody's owner); a copy that
    left on a transfer is recorded with its new owner unless that owner already wrote it
    here. The works listing the copies are logged as changed, for search to follow."""
    if not changed and not gone:
        return
    ids = list(changed) + list(gone)
    existing = {
        row.item_id: row
        for row in session.scalars(select(SyncCustodyRow).where(SyncCustodyRow.item_id.in_(ids)))
    }
    for item, custody in changed.items():
        hold = custody.hold
        values = {
            "owner": custody.owner,
            "status": custody.status.value,
            "hold_kind": hold.kind.value if hold else None,
            "hold_id": hold.id if hold else None,
            "hold_branch": hold.branch if hold else None,
            "updated_at": now,
        }
        _upsert(session, existing.get(item), item, values)
    for item, custody in gone.items():
        row = existing.get(item)
        if row is not None and row.owner != code:
            continue
        new_owner = custody.hold.branch if custody.hold else code
        values = {
            "owner": new_owner,
            "status": "on_shelf",
            "hold_kind": None,
            "hold_id": None,
            "hold_branch": None,
            "updated_at": now,
        }
        _upsert(session, row, item, values)
    log_work_changes(session, [(w, "upsert") for w in sorted(works_of(session, ids))], now)


def _upsert(
    session: Session, row: SyncCustodyRow | None, item: str, values: dict[str, Any]
) -> None:
    if row is None:
        session.add(SyncCustodyRow(item_id=item, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)


def works_of(session: Session, items: Sequence[str]) -> set[int]:
    """The works whose holdings list any of ``items`` (none in a store without works)."""
    wanted: dict[str, set[str]] = {}
    for item in items:
        branch, barcode = split_item_id(item)
        wanted.setdefault(branch, set()).add(barcode)
    found: set[int] = set()
    for branch, barcodes in wanted.items():
        query = (
            select(WorkMemberRow.work_id)
            .join(ItemRow, ItemRow.source_record_id == WorkMemberRow.source_record_id)
            .join(BranchRow, and_(BranchRow.id == ItemRow.branch_id, BranchRow.code == branch))
            .where(ItemRow.barcode.in_(sorted(barcodes)))
        )
        found.update(session.scalars(query))
    return found


def log_refusal(
    session: Session, receiver: str, signed: SignedMessage, refusal: Refusal, now: datetime
) -> None:
    """Keep a record of a delivery refused before it took a slot of any stream."""
    session.add(
        SyncRefusalRow(
            at=now,
            receiver=receiver,
            origin=signed.message.origin[:32],
            seq=signed.message.seq,
            code=refusal.code.value,
            detail=refusal.detail,
        )
    )
