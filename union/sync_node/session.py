"""One sync session of a branch: push its outbox, pull its inbox, apply what arrived, and
pass over lenders that have been silent too long."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sync.branch import LoanPolicy
from sync.rota import Patience
from sync.sequencing import Skip
from sync.signing import SignedMessage
from union.config import SyncSettings
from union.sync_node.node import BranchNode


@dataclass(frozen=True, slots=True)
class Pulled:
    """What a pull brought: entries in order per origin, last-heard times, and whether
    the hub has more to give."""

    entries: list[SignedMessage | Skip]
    heard: dict[str, datetime]
    more: bool = False


class Mailbox(Protocol):
    """The hub as a branch reaches it: in process, over HTTP, or by a bundle file."""

    async def push(self, branch: str, batch: Sequence[SignedMessage]) -> int:
        """Upload ``batch``; the hub's acknowledgement of the branch's stream."""
        ...

    async def pull(self, branch: str, held: Mapping[str, int]) -> Pulled:
        """Everything after ``held`` of every other origin's stream."""
        ...


@dataclass(frozen=True, slots=True)
class SessionReport:
    """What one session moved, and how many exchanges (pull, apply, push) it took."""

    pushed: int
    acknowledged: int
    applied: int
    passed_over: int
    exchanges: int = 1


#: A session keeps exchanging while messages arrive, up to this many exchanges (replies
#: come from branches syncing at the same time).
MAX_EXCHANGES = 10


async def sync_once(
    node: BranchNode,
    mailbox: Mailbox,
    now: datetime,
    patience: Patience | None = None,
    max_exchanges: int = MAX_EXCHANGES,
) -> SessionReport:
    """Push every unacknowledged message, then pull and apply until the hub has no more,
    pass over late lenders and push what that produced; and exchange again while anything
    arrives (up to ``max_exchanges``), so replies from branches online at the same time
    are taken in the same session.

    Store calls run off the event loop. A failure anywhere leaves the node as it was after
    its last completed step: unacknowledged messages are simply sent again next time.
    """
    pending = await asyncio.to_thread(node.pending)
    acknowledged = 0
    if pending:
        acknowledged = await mailbox.push(node.code, pending)
        await asyncio.to_thread(node.acknowledge, acknowledged)
    applied = passed = exchanges = 0
    while exchanges < max_exchanges:
        exchanges += 1
        arrived, skipped = await _pull_all(node, mailbox, now, patience)
        applied += arrived
        passed += skipped
        # Answers and new asks made while applying go out in the same session.
        again = await asyncio.to_thread(node.pending)
        if again:
            await asyncio.to_thread(node.acknowledge, await mailbox.push(node.code, again))
        if not arrived:
            break
    return SessionReport(len(pending), acknowledged, applied, passed, exchanges)


async def _pull_all(
    node: BranchNode, mailbox: Mailbox, now: datetime, patience: Patience | None
) -> tuple[int, int]:
    # Pull and apply until the hub has no more; then pass over late lenders. Returns
    # (messages applied, lenders passed over).
    applied = 0
    heard: dict[str, datetime] = {}
    while True:
        pulled = await mailbox.pull(node.code, await asyncio.to_thread(node.held))
        heard = pulled.heard
        applied += (await asyncio.to_thread(node.receive, pulled.entries, now)).applied
        if not pulled.more:
            break
    passed = 0
    if patience is not None:
        outcome = await asyncio.to_thread(
            node.command, lambda b: b.pass_over_late(now, heard, patience), now
        )
        passed = len(outcome.drafts)
    return applied, passed


def policy_of(settings: SyncSettings, code: str) -> LoanPolicy:
    """How branch ``code`` answers without its staff, from the [sync] settings."""
    return LoanPolicy(
        renewal_days=settings.loan_days, answer_requests=code in settings.answer_requests
    )


def patience_of(settings: SyncSettings) -> Patience:
    """How long a lender is waited for, from the [sync] settings."""
    return Patience(
        silence=timedelta(days=settings.patience_days),
        limit=timedelta(days=settings.patience_limit_days),
    )
