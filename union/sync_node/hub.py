"""The hub: the city library's durable mailbox.

It verifies every pushed message's signature, keeps each origin's stream gapless (each
message once, in sequence), judges it with the pure core's ``Authority`` (what a branch may
say) and hands each branch the streams of the others: the messages addressed to it, and a
skip for every other slot. Forged, replayed and unknown-branch deliveries are refused and
logged. It follows every admitted message with the pure core's ``CustodyLedger`` and writes
the custody rows search reads, for every branch whose node is not in this store (a hosted
branch's node writes its own), so search shows village branches' custody too.

Everything is in the store; the authority and the ledger are rebuilt by replaying the
admitted streams in admission order, so any hub process (or several, on one PostgreSQL)
picks up where the last left off.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from sync.authority import Authority
from sync.custody import Custody
from sync.custody_ledger import CustodyLedger
from sync.messages import HUB, Message, TransferAction, TransferMessage, message_from_dict
from sync.refusal import Refusal, RefusalCode
from sync.sequencing import Inbox, Verdict
from sync.signing import KeyRing, SignedMessage, verify
from union.store.engine import Store
from union.store.sync_models import SyncHeardRow, SyncNodeRow, SyncStreamRow
from union.sync_node.catalogue import split_item_id
from union.sync_node.codec import entries_from_dicts, skip_range_to_dict
from union.sync_node.keys import key_ring
from union.sync_node.node import log_refusal, write_custody
from union.sync_node.session import Pulled


class CataloguedBy:
    """Ownership as the cataloguing branch in a copy's id; the authority adds the
    transfers it has seen received."""

    def owner_of(self, item_id: str) -> str | None:
        """The branch named in the copy's id."""
        return split_item_id(item_id)[0] or None


@dataclass(frozen=True, slots=True)
class PushResult:
    """The acknowledgement (highest contiguous sequence of the pusher's stream the hub
    holds) and what happened to the batch."""

    held: int
    admitted: int = 0
    refused: int = 0
    duplicates: int = 0


@dataclass(slots=True)
class PullResult:
    """Deliveries for one branch, oldest first per origin, and when each branch was last
    heard from (for rota deadlines)."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    heard: dict[str, datetime] = field(default_factory=dict)
    more: bool = False


class _Members:
    """The key registry as of the current transaction (enrolments take effect at once)."""

    def __init__(self) -> None:
        self.ring = KeyRing({})

    def public_key(self, branch: str) -> bytes | None:
        """The branch's enrolled key, or None."""
        return self.ring.public_key(branch)


class Hub:
    """The mailbox over ``store``; one per process, safe across threads."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._authority: Authority | None = None
        self._ledger: CustodyLedger | None = None
        self._members = _Members()
        self._position = 0

    def push(self, branch: str, batch: Iterable[SignedMessage], now: datetime) -> PushResult:
        """Take what ``branch`` uploads, all in one transaction."""
        with self._lock, self.store.write() as session:
            try:
                return self._push(session, branch, list(batch), now)
            except BaseException:
                self._authority = None  # the ledger may hold what was rolled back
                raise

    def _push(
        self, session: Session, branch: str, batch: list[SignedMessage], now: datetime
    ) -> PushResult:
        if not self.store.is_sqlite:
            # One admitter at a time across hub processes sharing the database.
            session.execute(text("SELECT pg_advisory_xact_lock(18626)"))
        authority, ledger = self._catch_up(session)
        custody: dict[str, tuple[str, Custody]] = {}
        if self._members.public_key(branch) is not None:
            _heard(session, branch, now)
        origins = {s.message.origin for s in batch} | {branch}
        inbox: Inbox[SignedMessage] = Inbox(_held(session, origins))
        rows: list[dict[str, Any]] = []
        refused = duplicates = 0
        for signed in batch:
            refusal = verify(signed, self._members)
            if refusal is None and signed.message.origin != branch:
                refusal = Refusal(RefusalCode.NOT_PERMITTED, f"pushed by {branch}")
            if refusal is not None:
                refused += 1
                log_refusal(session, HUB, signed, refusal, now)
                continue
            accepted = inbox.accept(signed)
            if accepted.verdict in (Verdict.DUPLICATE, Verdict.CONFLICT):
                duplicates += 1
                replay = Refusal(RefusalCode.DUPLICATE, f"{signed.origin}#{signed.seq} again")
                if accepted.verdict is Verdict.CONFLICT:
                    replay = Refusal(RefusalCode.CONFLICT, f"{signed.origin}#{signed.seq} differs")
                log_refusal(session, HUB, signed, replay, now)
            for ready in accepted.ready:
                verdict = authority.admit(ready.message)
                if verdict is None:
                    custody.update(_changed_elsewhere(ledger, ready.message))
                self._position += 1
                rows.append(
                    {
                        "origin": ready.origin,
                        "seq": ready.seq,
                        "admitted": self._position,
                        "recipient": ready.message.recipient,
                        "message": ready.message.to_dict(),
                        "signature": ready.signature,
                        "refusal": verdict.code.value if verdict else None,
                        "detail": verdict.detail if verdict else "",
                        "received_at": now,
                    }
                )
        if rows:
            session.execute(insert(SyncStreamRow), rows)
        if custody:
            hosted = set(session.scalars(select(SyncNodeRow.branch)))
            _write_hub_custody(session, custody, hosted, now)
        return PushResult(inbox.held(branch), len(rows), refused, duplicates)

    def _catch_up(self, session: Session) -> tuple[Authority, CustodyLedger]:
        # Admit what other hub processes admitted since this one last looked.
        self._members.ring = key_ring(session)
        if self._authority is None or self._ledger is None:
            self._authority = Authority(self._members, CataloguedBy())
            self._ledger, self._position = CustodyLedger(self._authority), 0
        authority, ledger = self._authority, self._ledger
        rows = session.execute(
            select(SyncStreamRow.message, SyncStreamRow.admitted)
            .where(SyncStreamRow.admitted > self._position)
            .order_by(SyncStreamRow.admitted)
        )
        for data, admitted in rows:
            message = message_from_dict(data)
            if authority.admit(message) is None:
                ledger.follow(message)
            self._position = admitted
        return authority, ledger

    def acknowledged(self, branch: str) -> int:
        """The highest contiguous sequence number of ``branch``'s stream the hub holds."""
        with self.store.read() as session:
            return _held(session, [branch]).get(branch, 0)

    def pull(self, branch: str, held: Mapping[str, int], limit: int = 5000) -> PullResult:
        """Everything after what ``branch`` holds of every other origin's stream."""
        result = PullResult()
        with self.store.read() as session:
            origins = session.scalars(
                select(SyncStreamRow.origin).distinct().where(SyncStreamRow.origin != branch)
            ).all()
            budget = limit
            for origin in sorted(origins):
                if budget <= 0:
                    result.more = True
                    break
                rows = session.execute(
                    select(
                        SyncStreamRow.seq,
                        SyncStreamRow.recipient,
                        SyncStreamRow.refusal,
                        SyncStreamRow.message,
                        SyncStreamRow.signature,
                    )
                    .where(SyncStreamRow.origin == origin, SyncStreamRow.seq > held.get(origin, 0))
                    .order_by(SyncStreamRow.seq)
                    .limit(budget + 1)
                ).all()
                if len(rows) > budget:
                    rows, result.more = rows[:budget], True
                budget -= len(rows)
                _add_entries(result.entries, origin, branch, rows)
            result.heard = dict(session.execute(select(SyncHeardRow.branch, SyncHeardRow.at)).all())
        return result


def _add_entries(out: list[dict[str, Any]], origin: str, branch: str, rows: Iterable[Any]) -> None:
    # JSON-ready: messages addressed to ``branch`` whole, every other slot as a skip range.
    for seq, recipient, refusal, message, signature in rows:
        if refusal is None and recipient == branch:
            out.append({"message": message, "signature": bytes(signature).hex()})
            continue
        reason = "refused" if refusal is not None else "not addressed to you"
        last = out[-1].get("skip") if out else None
        if (
            last
            and last["origin"] == origin
            and last["upto"] == seq - 1
            and last["reason"] == reason
        ):
            last["upto"] = seq
        else:
            out.append(skip_range_to_dict(origin, seq, seq, reason))


def _held(session: Session, origins: Iterable[str]) -> dict[str, int]:
    rows = session.execute(
        select(SyncStreamRow.origin, func.max(SyncStreamRow.seq))
        .where(SyncStreamRow.origin.in_(sorted(origins)))
        .group_by(SyncStreamRow.origin)
    )
    return {origin: int(top) for origin, top in rows}


def _changed_elsewhere(ledger: CustodyLedger, message: Message) -> dict[str, tuple[str, Custody]]:
    """The copies ``message`` changed, each with the branch that owned it before: a
    transfer's receipt (sent by the destination to the source) is the only message that
    moves a copy to another owner."""
    changed = ledger.follow(message)
    body = message.body
    moved = isinstance(body, TransferMessage) and body.action is TransferAction.RECEIVED
    return {i: (message.recipient if moved else c.owner, c) for i, c in changed.items()}


def _write_hub_custody(
    session: Session,
    custody: Mapping[str, tuple[str, Custody]],
    hosted: set[str],
    now: datetime,
) -> None:
    # A branch whose node lives in this store writes its copies' custody itself.
    mine = {i: c for i, (before, c) in custody.items() if before not in hosted}
    write_custody(session, HUB, mine, {}, now)


def _heard(session: Session, branch: str, now: datetime) -> None:
    row = session.get(SyncHeardRow, branch)
    if row is None:
        session.add(SyncHeardRow(branch=branch, at=now))
    elif row.at < now:
        row.at = now


class LocalMailbox:
    """A :class:`Hub` in the same process, as a branch session's mailbox (hosted branches,
    tests and the simulator)."""

    def __init__(self, hub: Hub, clock: Callable[[], datetime]) -> None:
        self._hub = hub
        self._clock = clock

    async def push(self, branch: str, batch: Sequence[SignedMessage]) -> int:
        """Hand ``batch`` to the hub."""
        return (await asyncio.to_thread(self._hub.push, branch, batch, self._clock())).held

    async def pull(self, branch: str, held: Mapping[str, int]) -> Pulled:
        """Take ``branch``'s deliveries from the hub."""
        result = await asyncio.to_thread(self._hub.pull, branch, held)
        return Pulled(entries_from_dicts(result.entries), result.heard, result.more)


#: Where the web node keeps its hub (``request.app[APP_HUB]``).
APP_HUB = web.AppKey("sync_hub", Hub)
