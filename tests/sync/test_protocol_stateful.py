"""The protocol over the interleavings hypothesis finds: branches act while their messages
are lost, repeated and reordered, and the promises hold after every step.

Each message is relayed to every branch, as the hub does (a branch it is not addressed to
consumes it as a skip), so every branch sees each origin's gapless stream. Two machines
share that network: one follows a single copy that two branches want, through every step of
its loan; the other runs a small federation with title requests, rotas and transfers.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from functools import partial
from typing import ClassVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from sync.branch import Branch, LoanPolicy, Outcome
from sync.custody import CustodyStatus
from sync.invariants import (
    RESOLVED_CROSSINGS,
    History,
    check_agreement,
    check_invariants,
    situation,
)
from sync.loan_request import LoanPhase
from sync.messages import Message, RequesterAction, SupplierStatus
from sync.rota import LenderCandidate, Patience, RotaStatus
from sync.sequencing import Inbox, Outbox
from sync.transfer import TransferStatus
from tests.sync.helpers import NOW

# Branch A's staff answer the requests it gets; the others answer automatically (their
# explicit policy), so both ways of answering race the network.
POLICY = LoanPolicy(renewal_days=7, max_renewals=1, answer_requests=True)
STAFFED = LoanPolicy(renewal_days=7, max_renewals=1)
ANSWERS = (SupplierStatus.WILL_SUPPLY, SupplierStatus.UNFILLED, SupplierStatus.RETRY_POSSIBLE)
PATIENCE = Patience(silence=timedelta(days=5))


class LiveCatalogue:
    """The union catalogue, always up to date: every copy is of the one work ``w``, which
    branches A and B are known to hold."""

    def __init__(self, items: Iterable[str]) -> None:
        self.items = sorted(items)
        self.branches: dict[str, Branch] = {}

    def copies_of(self, work_id: str, branch: str) -> Iterable[str]:
        return [i for i in self.items if i in self.branches[branch].custody]

    def lenders_for(self, work_id: str, requester: str) -> Iterable[LenderCandidate]:
        for n, code in enumerate(("A", "B")):
            yield LenderCandidate(code, available=1, distance=n, load=0)


class DisorderlyNetwork(RuleBasedStateMachine):
    """Branches over a network that loses, repeats and reorders; the promises as invariants."""

    codes: ClassVar[tuple[str, ...]]
    owners: ClassVar[dict[str, str]]

    def __init__(self) -> None:
        super().__init__()
        catalogue = LiveCatalogue(self.owners)
        self.branches = {
            c: Branch(
                c,
                catalogue,
                [i for i, o in self.owners.items() if o == c],
                STAFFED if c == "A" else POLICY,
            )
            for c in self.codes
        }
        catalogue.branches = self.branches
        self.items = catalogue.items
        self.outboxes = {c: Outbox(c) for c in self.codes}
        self.inboxes: dict[str, Inbox[Message]] = {c: Inbox() for c in self.codes}
        self.in_flight: list[tuple[str, Message]] = []
        self.applied: Counter[tuple[str, str, int]] = Counter()
        self.history = History()
        self.now = NOW
        self.serial = 0

    def send(self, code: str, outcome: Outcome) -> None:
        for draft in outcome.drafts:
            message = self.outboxes[code].stamp(draft, self.now)
            self.in_flight.extend((t, message) for t in self.codes if t != code)

    def receive(self, target: str, message: Message) -> None:
        for ready in self.inboxes[target].accept(message).ready:
            self.applied[(target, ready.origin, ready.seq)] += 1
            assert self.applied[(target, ready.origin, ready.seq)] == 1, "applied twice"
            if ready.recipient == target:
                before = situation(self.branches[target], ready)
                outcome = self.branches[target].apply(ready, self.now)
                assert outcome.refusal is None or before in RESOLVED_CROSSINGS, before
                self.send(target, outcome)

    def new_id(self, code: str, kind: str) -> str:
        self.serial += 1
        return f"{code}:{kind}{self.serial}"

    def owner(self, item: str) -> str:
        # The settled record's branch (a source's record of a copy it shipped for a transfer
        # lingers until it hears the copy arrived).
        holders = [b for b in self.branches.values() if item in b.custody]
        return next((b.code for b in holders if b.custody[item].hold is None), holders[0].code)

    # The network ----------------------------------------------------------------------------

    @precondition(lambda self: self.in_flight)
    @rule(data=st.data(), duplicate=st.booleans())
    def deliver_one(self, data: st.DataObject, duplicate: bool) -> None:
        index = data.draw(st.integers(0, len(self.in_flight) - 1), label="which")
        target, message = self.in_flight[index] if duplicate else self.in_flight.pop(index)
        self.receive(target, message)

    @precondition(lambda self: self.in_flight)
    @rule(shuffle=st.randoms(use_true_random=False), duplicate=st.booleans())
    def deliver_all_in_any_order(self, shuffle: random.Random, duplicate: bool) -> None:
        batch = self.in_flight * (2 if duplicate else 1)
        shuffle.shuffle(batch)
        self.in_flight = []
        for target, message in batch:
            self.receive(target, message)

    @precondition(lambda self: self.in_flight)
    @rule(data=st.data())
    def lose_one(self, data: st.DataObject) -> None:
        self.in_flight.pop(data.draw(st.integers(0, len(self.in_flight) - 1), label="lost"))

    @rule(data=st.data())
    def retransmit(self, data: st.DataObject) -> None:
        # The origin learns what every branch holds, and sends again what some lack.
        code = data.draw(st.sampled_from(self.codes))
        others = [t for t in self.codes if t != code]
        self.outboxes[code].acknowledge(min(self.inboxes[t].held(code) for t in others))
        for message in self.outboxes[code].pending:
            self.in_flight.extend((t, message) for t in others)

    @rule(hours=st.integers(1, 48))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    # The branches ---------------------------------------------------------------------------

    @rule(pick=st.randoms(use_true_random=False), commands=st.integers(1, 6))
    def staff_work_a_shift(self, pick: random.Random, commands: int) -> None:
        # Commands some branch could take now, so that every step moves things along; picked
        # uniformly (hypothesis would favour the ends of a list).
        for _ in range(commands):
            self.now += timedelta(hours=pick.randrange(12))  # work takes time
            choices = sorted(self.possible_commands(pick), key=lambda c: c[0])
            if choices:
                _, code, command = pick.choice(choices)
                self.send(code, command(self.branches[code]))

    def possible_commands(
        self, pick: random.Random
    ) -> Iterator[tuple[str, str, Callable[[Branch], Outcome]]]:
        """(label, branch, command) for the commands worth trying now; ``pick`` decides
        whether the rarer ones are on offer."""
        raise NotImplementedError

    def loan_commands(self) -> Iterator[tuple[str, str, Callable[[Branch], Outcome]]]:
        """Every next step of every open loan, on either side."""
        due = self.now.date() + timedelta(days=2)
        for code, branch in self.branches.items():
            for leg_id, leg in branch.lending.items():
                for command in LENDER_STEPS.get(leg.phase, ()):
                    if command == "recall" and leg.recalled:
                        continue
                    if command == "answer":
                        for status in ANSWERS:
                            answer = partial(Branch.answer, leg_id=leg_id, status=status)
                            yield f"{code} answers {status} {leg_id}", code, answer
                        continue
                    call = partial(Branch.ship, leg_id=leg_id, due=due)
                    if command != "ship":
                        call = partial(getattr(Branch, command), leg_id=leg_id)
                    yield f"{code} {command} {leg_id}", code, call
            for leg_id, leg in branch.borrowing.items():
                for action in BORROWER_STEPS.get(leg.phase, ()):
                    call = partial(Branch.act, leg_id=leg_id, action=action)
                    yield f"{code} {action} {leg_id}", code, call

    # The promises ---------------------------------------------------------------------------

    @invariant()
    def custody_is_coherent_and_no_copy_is_lent_twice_or_lost(self) -> None:
        assert check_invariants(self.branches.values(), self.items) == []

    @invariant()
    def terminal_states_stay_terminal(self) -> None:
        assert self.history.observe(self.branches.values()) == []

    @invariant()
    def every_branch_applies_each_stream_once_in_order(self) -> None:
        for target in self.codes:
            for origin in self.codes:
                held = self.inboxes[target].held(origin)
                applied = sorted(s for t, o, s in self.applied if (t, o) == (target, origin))
                assert applied == list(range(1, held + 1))

    def teardown(self) -> None:
        # The network heals: once every branch holds every stream, both sides of every
        # request and transfer agree.
        for _ in range(1000):
            for code in self.codes:
                others = [t for t in self.codes if t != code]
                self.outboxes[code].acknowledge(min(self.inboxes[t].held(code) for t in others))
                for message in self.outboxes[code].pending:
                    self.in_flight.extend((t, message) for t in others)
            if not self.in_flight:
                break
            while self.in_flight:
                self.receive(*self.in_flight.pop(0))
        assert check_agreement(self.branches.values()) == []
        assert check_invariants(self.branches.values(), self.items) == []


# Per run, so that most steps move requests and transfers along rather than start or end them.
MAX_NEW = 6
MAX_MISHAPS = 3
OPEN = (RotaStatus.ASKING, RotaStatus.SUPPLIED)
P = LoanPhase
_KEPT = (P.SHIPPED, P.RECEIVED, P.WITH_PATRON)
# What the borrower may do in each phase of its leg.
BORROWER_STEPS = {
    P.SHIPPED: (RequesterAction.RECEIVED, RequesterAction.RENEW),
    P.RECEIVED: (
        RequesterAction.LENT_TO_PATRON,
        RequesterAction.SHIPPED_RETURN,
        RequesterAction.RENEW,
    ),
    P.WITH_PATRON: (RequesterAction.RETURNED_BY_PATRON, RequesterAction.RENEW),
}
# What the lender may do in each phase of its leg.
LENDER_STEPS = {
    P.REQUESTED: ("answer",),
    P.WILL_SUPPLY: ("ship", "unfill"),
    P.RETURNING: ("check_in",),
    **dict.fromkeys(_KEPT, ("recall",)),
}
# Transfer steps by side (source: True) and status.
TRANSFER_STEPS: dict[bool, dict[TransferStatus, tuple[str, ...]]] = {
    True: {
        TransferStatus.PROPOSED: ("withdraw_transfer",),
        TransferStatus.ACCEPTED: ("withdraw_transfer", "ship_transfer"),
    },
    False: {TransferStatus.PROPOSED: ("accept_transfer", "decline_transfer")},
}


class OneCopyTwoBorrowers(DisorderlyNetwork):
    """R and S both want A's only copy; every loan step, in any order with the network."""

    codes = ("A", "R", "S")
    owners: ClassVar[dict[str, str]] = {"a1": "A"}

    def __init__(self) -> None:
        super().__init__()
        self.mishaps = 0

    @initialize()
    def both_ask_for_the_copy(self) -> None:
        for code in ("R", "S"):
            self.send(code, self.branches[code].request_item(f"{code}:1", "a1", "A", self.now))

    def possible_commands(
        self, pick: random.Random
    ) -> Iterator[tuple[str, str, Callable[[Branch], Outcome]]]:
        yield from self.loan_commands()
        custody = self.branches["A"].custody["a1"]
        if custody.status in (CustodyStatus.IN_TRANSIT, CustodyStatus.AT_BORROWER):
            yield "A marks overdue", "A", partial(Branch.mark_overdue, today=self.now.date())
        # Now and then a patron cancels, or the copy goes missing (or turns up again).
        if self.mishaps >= MAX_MISHAPS or pick.random() > 0.1:
            return
        for code in ("R", "S"):
            if self.branches[code].rotas[f"{code}:1"].status in OPEN:
                cancel = partial(Branch.cancel_request, request_id=f"{code}:1")
                yield f"{code} cancels", code, partial(self.mishap, cancel)
        if custody.status is not CustodyStatus.ON_SHELF:
            lost = custody.status is CustodyStatus.LOST
            write_off = partial(Branch.find if lost else Branch.declare_lost, item_id="a1")
            yield "A writes off or finds", "A", partial(self.mishap, write_off)

    def mishap(self, command: Callable[[Branch], Outcome], branch: Branch) -> Outcome:
        self.mishaps += 1
        return command(branch)


class SmallFederation(DisorderlyNetwork):
    """Four branches, three copies of one title: title and item requests walk rotas while
    copies are lent, written off and transferred for good."""

    codes = ("A", "B", "R", "S")
    owners: ClassVar[dict[str, str]] = {"a1": "A", "a2": "A", "b1": "B"}

    def __init__(self) -> None:
        super().__init__()
        self.mishaps = 0

    @precondition(lambda self: self.serial < MAX_NEW)
    @rule(data=st.data(), item=st.none() | st.sampled_from(["a1", "a2", "b1"]))
    def patron_requests(self, data: st.DataObject, item: str | None) -> None:
        code = data.draw(st.sampled_from(self.codes))
        branch, request_id = self.branches[code], self.new_id(code, "r")
        if item is None:
            self.send(code, branch.request_title(request_id, "w", self.now))
        else:
            self.send(code, branch.request_item(request_id, item, self.owner(item), self.now))

    @precondition(lambda self: self.serial < MAX_NEW)
    @rule(data=st.data(), items=st.sets(st.sampled_from(["a1", "a2", "b1"]), min_size=1))
    def owner_proposes_transfer(self, data: st.DataObject, items: set[str]) -> None:
        to = data.draw(st.sampled_from(self.codes))
        code = self.owner(min(items))
        batch = sorted(i for i in items if self.owner(i) == code)
        self.send(code, self.branches[code].propose_transfer(self.new_id(code, "t"), to, batch))

    @rule(data=st.data())
    def borrower_asks_for_status(self, data: st.DataObject) -> None:
        legs = [(c, k) for c, b in self.branches.items() for k in b.borrowing]
        if legs:
            code, leg_id = data.draw(st.sampled_from(sorted(legs)))
            self.send(code, self.branches[code].act(leg_id, RequesterAction.STATUS_REQUEST))

    @precondition(lambda self: self.mishaps < MAX_MISHAPS)
    @rule(data=st.data())
    def patron_cancels(self, data: st.DataObject) -> None:
        open_requests = [
            (c, r)
            for c, b in self.branches.items()
            for r, walk in b.rotas.items()
            if walk.status in OPEN
        ]
        if open_requests:
            self.mishaps += 1
            code, request_id = data.draw(st.sampled_from(sorted(open_requests)))
            self.send(code, self.branches[code].cancel_request(request_id))

    @precondition(lambda self: self.mishaps < MAX_MISHAPS)
    @rule(item=st.sampled_from(["a1", "a2", "b1"]))
    def owner_writes_off_or_finds(self, item: str) -> None:
        self.mishaps += 1
        code = self.owner(item)
        branch = self.branches[code]
        lost = branch.custody[item].status is CustodyStatus.LOST
        self.send(code, branch.find(item) if lost else branch.declare_lost(item))

    def possible_commands(
        self, pick: random.Random
    ) -> Iterator[tuple[str, str, Callable[[Branch], Outcome]]]:
        # Duties that are always possible, offered once each so they stay occasional.
        code = self.codes[self.serial % len(self.codes)]
        yield "duty overdue", code, partial(Branch.mark_overdue, today=self.now.date())
        yield (
            "duty pass over",
            code,
            partial(Branch.pass_over_late, now=self.now, last_heard={}, patience=PATIENCE),
        )
        yield from self.loan_commands()
        for code, branch in self.branches.items():
            for tid, moving in branch.transfers.items():
                for step in TRANSFER_STEPS[moving.source == code].get(moving.status, ()):
                    call = partial(getattr(Branch, step), transfer_id=tid)
                    yield f"{code} {step} {tid}", code, call
                if moving.destination == code and moving.status is TransferStatus.SHIPPED:
                    for item in moving.outstanding:
                        call = partial(Branch.receive_transfer, transfer_id=tid, item_ids=[item])
                        yield f"{code} receive {item} {tid}", code, call


OneCopyTwoBorrowers.TestCase.settings = settings(
    max_examples=300, stateful_step_count=60, deadline=None
)
SmallFederation.TestCase.settings = settings(
    max_examples=200, stateful_step_count=120, deadline=None
)
TestOneCopyTwoBorrowers = OneCopyTwoBorrowers.TestCase
TestSmallFederation = SmallFederation.TestCase
