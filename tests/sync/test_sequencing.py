"""Sequencing: gapless numbering, exactly-once in-order release, highest contiguous ack."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sync.messages import Draft, RequesterAction, RequestingAgencyMessage
from sync.sequencing import Inbox, Outbox, Skip, Verdict

BODY = RequestingAgencyMessage(RequesterAction.STATUS_REQUEST)


@dataclass(frozen=True)
class Entry:
    origin: str
    seq: int
    payload: str = ""


def test_the_outbox_numbers_from_one_without_gaps() -> None:
    outbox = Outbox("A")
    seqs = [outbox.stamp(Draft("B", "A:1/1", BODY)).seq for _ in range(4)]
    assert seqs == [1, 2, 3, 4]
    assert outbox.next_seq == 5


def test_the_outbox_keeps_messages_until_acknowledged() -> None:
    outbox = Outbox("A")
    for _ in range(3):
        outbox.stamp(Draft("B", "A:1/1", BODY))
    outbox.acknowledge(2)
    assert [m.seq for m in outbox.pending] == [3]


def test_a_stale_acknowledgement_is_harmless() -> None:
    outbox = Outbox("A")
    for _ in range(3):
        outbox.stamp(Draft("B", "A:1/1", BODY))
    outbox.acknowledge(3)
    outbox.acknowledge(1)
    assert outbox.pending == ()
    assert outbox.stamp(Draft("B", "A:1/1", BODY)).seq == 4


def test_the_outbox_resumes_numbering_where_it_was_saved() -> None:
    assert Outbox("A", next_seq=41).stamp(Draft("B", "A:1/1", BODY)).seq == 41


def test_an_in_order_message_is_released_at_once() -> None:
    inbox: Inbox[Entry] = Inbox()
    accepted = inbox.accept(Entry("A", 1))
    assert accepted.verdict is Verdict.READY and accepted.ready == (Entry("A", 1),)


def test_a_message_ahead_of_a_gap_waits_for_the_gap() -> None:
    inbox: Inbox[Entry] = Inbox()
    assert inbox.accept(Entry("A", 3)).verdict is Verdict.BUFFERED
    assert inbox.accept(Entry("A", 2)).verdict is Verdict.BUFFERED
    accepted = inbox.accept(Entry("A", 1))
    assert [e.seq for e in accepted.ready] == [1, 2, 3]


def test_a_duplicate_is_dropped_whether_applied_or_buffered() -> None:
    inbox: Inbox[Entry] = Inbox()
    inbox.accept(Entry("A", 1))
    inbox.accept(Entry("A", 3))
    assert inbox.accept(Entry("A", 1)).verdict is Verdict.DUPLICATE
    assert inbox.accept(Entry("A", 3)).verdict is Verdict.DUPLICATE


def test_a_replayed_old_message_is_dropped_after_a_restart() -> None:
    inbox: Inbox[Entry] = Inbox(held={"A": 10})
    assert inbox.accept(Entry("A", 4)).verdict is Verdict.DUPLICATE


def test_two_different_messages_in_one_slot_are_a_conflict() -> None:
    inbox: Inbox[Entry] = Inbox()
    inbox.accept(Entry("A", 2, "first"))
    assert inbox.accept(Entry("A", 2, "second")).verdict is Verdict.CONFLICT
    assert inbox.accept(Entry("A", 1)).ready[1].payload == "first"


def test_the_acknowledgement_is_the_highest_contiguous_sequence_held() -> None:
    inbox: Inbox[Entry] = Inbox()
    for seq in (1, 2, 4, 5):
        inbox.accept(Entry("A", seq))
    inbox.accept(Entry("B", 1))
    assert inbox.acknowledgements() == {"A": 2, "B": 1}
    assert inbox.buffered("A") == 2


def test_origins_are_sequenced_independently() -> None:
    inbox: Inbox[Entry] = Inbox()
    inbox.accept(Entry("A", 2))
    assert inbox.accept(Entry("B", 1)).verdict is Verdict.READY


def test_a_skip_fills_its_slot_like_a_message() -> None:
    inbox: Inbox[Entry | Skip] = Inbox()
    inbox.accept(Entry("A", 2))
    accepted = inbox.accept(Skip("A", 1, "not addressed to you"))
    assert [e.seq for e in accepted.ready] == [1, 2]


@given(
    st.integers(min_value=1, max_value=30).flatmap(
        lambda n: st.permutations(list(range(1, n + 1)) * 2).map(lambda p: (n, p))
    )
)
def test_any_delivery_order_with_duplicates_releases_the_stream_once_in_order(
    case: tuple[int, list[int]],
) -> None:
    length, deliveries = case
    inbox: Inbox[Entry] = Inbox()
    released = [e.seq for seq in deliveries for e in inbox.accept(Entry("A", seq)).ready]
    assert released == list(range(1, length + 1))
    assert inbox.held("A") == length


class DeliveryMachine(RuleBasedStateMachine):
    """Two origins send, a lossy channel drops, repeats and reorders; the receiver acks."""

    def __init__(self) -> None:
        super().__init__()
        self.outboxes = {o: Outbox(o) for o in "AB"}
        self.inbox: Inbox = Inbox()
        self.in_flight: list = []
        self.applied: list[tuple[str, int]] = []

    @rule(origin=st.sampled_from("AB"))
    def send(self, origin: str) -> None:
        self.outboxes[origin].stamp(Draft("R", f"{origin}:1", BODY))

    @rule(origin=st.sampled_from("AB"), keep=st.lists(st.booleans(), max_size=8))
    def push(self, origin: str, keep: list[bool]) -> None:
        # Some of the pending messages make it onto the channel (the rest are lost).
        pending = self.outboxes[origin].pending
        self.in_flight.extend(m for m, k in zip(pending, keep, strict=False) if k)

    @precondition(lambda self: self.in_flight)
    @rule(data=st.data(), duplicate=st.booleans())
    def deliver(self, data: st.DataObject, duplicate: bool) -> None:
        index = data.draw(st.integers(0, len(self.in_flight) - 1))
        message = self.in_flight[index] if duplicate else self.in_flight.pop(index)
        for ready in self.inbox.accept(message).ready:
            self.applied.append((ready.origin, ready.seq))

    @rule(origin=st.sampled_from("AB"))
    def acknowledge(self, origin: str) -> None:
        self.outboxes[origin].acknowledge(self.inbox.held(origin))

    @invariant()
    def applied_exactly_once_and_in_order(self) -> None:
        for origin in "AB":
            seqs = [s for o, s in self.applied if o == origin]
            assert seqs == list(range(1, len(seqs) + 1))
            assert self.inbox.held(origin) == len(seqs)

    @invariant()
    def nothing_unacknowledged_is_forgotten(self) -> None:
        for origin, outbox in self.outboxes.items():
            held = self.inbox.held(origin)
            kept = {m.seq for m in outbox.pending}
            assert set(range(1, outbox.next_seq)) - set(range(1, held + 1)) <= kept


TestDelivery = DeliveryMachine.TestCase
