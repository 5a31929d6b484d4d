"""Per-origin sequence numbers: numbering the outbox, and applying the inbox exactly once.

Each origin numbers its messages 1, 2, 3, ... with no gaps. A receiver (the hub, or a branch
pulling from the hub) accepts them in any order and any number of times, releases them for
applying strictly in sequence, each exactly once, and acknowledges the highest contiguous
number it holds. A message released by ``Inbox.accept`` must be applied in the same
transaction that saves ``Inbox.acknowledgements()``; buffered messages need not be saved,
because they are not acknowledged and will be delivered again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from sync.messages import Draft, Message


class Sequenced(Protocol):
    """Anything that occupies one (origin, seq) slot of a stream."""

    @property
    def origin(self) -> str:
        """The branch whose stream this belongs to."""
        ...

    @property
    def seq(self) -> int:
        """The position in that stream, from 1."""
        ...


T = TypeVar("T", bound=Sequenced)


@dataclass(frozen=True, slots=True)
class Skip:
    """A slot the hub fills without the message: addressed to another branch, or refused.

    It keeps the recipient's view of the origin's stream gapless without disclosing other
    branches' traffic.
    """

    origin: str
    seq: int
    reason: str


class Outbox:
    """Numbers one origin's messages and keeps them until the hub acknowledges them."""

    def __init__(self, origin: str, next_seq: int = 1, pending: Iterable[Message] = ()) -> None:
        self.origin = origin
        self._next_seq = next_seq
        self._pending = list(pending)

    @property
    def next_seq(self) -> int:
        """The number the next stamped message will carry (persist it with the outbox)."""
        return self._next_seq

    @property
    def pending(self) -> tuple[Message, ...]:
        """Messages not yet acknowledged, oldest first: all of them are (re)sent each time."""
        return tuple(self._pending)

    def stamp(self, draft: Draft, sent_at: datetime | None = None) -> Message:
        """Give ``draft`` this origin and the next sequence number, and keep it pending."""
        message = Message(
            origin=self.origin,
            seq=self._next_seq,
            recipient=draft.recipient,
            request_id=draft.request_id,
            body=draft.body,
            sent_at=sent_at,
        )
        self._next_seq += 1
        self._pending.append(message)
        return message

    def acknowledge(self, upto: int) -> None:
        """Forget every pending message numbered ``upto`` or lower (a stale ack is harmless)."""
        self._pending = [m for m in self._pending if m.seq > upto]


class Verdict(StrEnum):
    """What the inbox did with one delivery."""

    READY = "ready"  # in sequence: released, possibly with buffered successors
    BUFFERED = "buffered"  # ahead of a gap: held back until the gap fills
    DUPLICATE = "duplicate"  # already released or already buffered: dropped
    CONFLICT = "conflict"  # a different entry already buffered in this slot: dropped


@dataclass(frozen=True, slots=True)
class Accepted(Generic[T]):
    """The verdict on one delivery and the entries it released, in sequence order."""

    verdict: Verdict
    ready: tuple[T, ...] = ()


class Inbox(Generic[T]):
    """Applies each origin's stream exactly once and in order, whatever the delivery order."""

    def __init__(self, held: Mapping[str, int] | None = None) -> None:
        # held[origin] is the highest contiguous seq released; saved with the applied state.
        self._held: dict[str, int] = dict(held or {})
        self._buffer: dict[str, dict[int, T]] = {}

    def held(self, origin: str) -> int:
        """The highest contiguous sequence number released for ``origin`` (0: none)."""
        return self._held.get(origin, 0)

    def acknowledgements(self) -> dict[str, int]:
        """Every origin's acknowledgement: the highest contiguous sequence number held."""
        return dict(self._held)

    def buffered(self, origin: str) -> int:
        """How many entries of ``origin`` wait behind a gap."""
        return len(self._buffer.get(origin, {}))

    def accept(self, entry: T) -> Accepted[T]:
        """Take one delivery; release it and any buffered successors once they are in order."""
        held = self.held(entry.origin)
        if entry.seq <= held:
            return Accepted(Verdict.DUPLICATE)
        waiting = self._buffer.setdefault(entry.origin, {})
        if entry.seq in waiting:
            same = waiting[entry.seq] == entry
            return Accepted(Verdict.DUPLICATE if same else Verdict.CONFLICT)
        if entry.seq > held + 1:
            waiting[entry.seq] = entry
            return Accepted(Verdict.BUFFERED)
        ready = [entry]
        nxt = entry.seq + 1
        while nxt in waiting:
            ready.append(waiting.pop(nxt))
            nxt += 1
        self._held[entry.origin] = nxt - 1
        return Accepted(Verdict.READY, tuple(ready))
