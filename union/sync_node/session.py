"""One sync session of a branch: push its outbox, pull its inbox, apply what arrived, and
pass over lenders that have been silent too long."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sync.rota import Patience
from sync.sequencing import Skip
from sync.signing import SignedMessage
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

    def push(self, branch: str, batch: Sequence[SignedMessage]) -> int:
        """Upload ``batch``; the hub's acknowledgement of the branch's stream."""
        ...

    def pull(self, branch: str, held: Mapping[str, int]) -> Pulled:
        """Everything after ``held`` of every other origin's stream."""
        ...


@dataclass(frozen=True, slots=True)
class SessionReport:
    """What one session moved."""

    pushed: int
    acknowledged: int
    applied: int
    passed_over: int


def sync_once(
    node: BranchNode, mailbox: Mailbox, now: datetime, patience: Patience | None = None
) -> SessionReport:
    """Push every unacknowledged message, then pull and apply until the hub has no more."""
    pending = node.pending()
    acknowledged = 0
    if pending:
        acknowledged = mailbox.push(node.code, pending)
        node.acknowledge(acknowledged)
    applied = 0
    heard: dict[str, datetime] = {}
    while True:
        pulled = mailbox.pull(node.code, node.held())
        heard = pulled.heard
        applied += node.receive(pulled.entries, now).applied
        if not pulled.more:
            break
    passed = 0
    if patience is not None:
        passed = len(node.command(lambda b: b.pass_over_late(now, heard, patience), now).drafts)
    # Answers and new asks made while applying go out in the same session.
    again = node.pending()
    if again:
        node.acknowledge(mailbox.push(node.code, again))
    return SessionReport(len(pending), acknowledged, applied, passed)
