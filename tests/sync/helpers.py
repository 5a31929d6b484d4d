"""Test doubles for the sync tests: a fake union catalogue, and a wire that carries drafts
between branches in send order (through real outboxes, so sequence numbers are real)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from sync.branch import Branch, Outcome
from sync.messages import Message
from sync.refusal import Refusal
from sync.rota import LenderCandidate
from sync.sequencing import Outbox

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


class FakeCatalogue:
    """Works, owners and lender candidates fixed by the test."""

    def __init__(
        self,
        works: Mapping[str, str] | None = None,
        owners: Mapping[str, str] | None = None,
        lenders: Mapping[str, list[LenderCandidate]] | None = None,
    ) -> None:
        self.works = dict(works or {})
        self.owners = dict(owners or {})
        self.lenders = dict(lenders or {})

    def owner_of(self, item_id: str) -> str | None:
        return self.owners.get(item_id)

    def copies_of(self, work_id: str, branch: str) -> Iterable[str]:
        return [i for i, w in self.works.items() if w == work_id and self.owners.get(i) == branch]

    def lenders_for(self, work_id: str, requester: str) -> Iterable[LenderCandidate]:
        return self.lenders.get(work_id, [])


class Wire:
    """Carries every draft to its recipient in the order sent (FIFO), applying each once."""

    def __init__(self, *branches: Branch) -> None:
        self.branches = {b.code: b for b in branches}
        self.outboxes = {b.code: Outbox(b.code) for b in branches}
        self.queue: list[Message] = []
        self.sent: list[Message] = []
        self.refusals: list[tuple[Message, Refusal]] = []

    def send(self, sender: str, outcome: Outcome) -> Outcome:
        """Queue what a command of ``sender`` produced; hand the outcome back."""
        for draft in outcome.drafts:
            message = self.outboxes[sender].stamp(draft, NOW)
            self.queue.append(message)
            self.sent.append(message)
        return outcome

    def run(self, now: datetime = NOW) -> None:
        """Deliver until nothing is in flight."""
        while self.queue:
            message = self.queue.pop(0)
            if message.recipient not in self.branches:
                continue  # a custody notice for the hub, which this wire leaves out
            outcome = self.branches[message.recipient].apply(message, now)
            if outcome.refusal is not None:
                self.refusals.append((message, outcome.refusal))
            self.send(message.recipient, outcome)
