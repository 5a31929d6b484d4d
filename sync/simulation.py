"""A seeded, in-memory federation: branches and a hub over a lossy, duplicating, reordering
channel, with random staff work, and the invariants the protocol promises checked throughout.

Every random choice comes from one ``random.Random(seed)``, so a failing seed replays exactly.
The run has two halves: a busy period in which staff act at random and branches sync at
random (each session through a faulty channel, so days offline come for free), then a
wind-down in which staff finish every open loan and transfer and everyone syncs over a
reliable channel until nothing moves. After the busy period the copies of every request and
transfer must agree; after the wind-down every item must be back on exactly one shelf (or
written off) and every log must verify.

Convergence after the last partition heals is measured in sync rounds:

- a *session* of a branch pushes its outbox, pulls its inbox and applies what arrived, and
  keeps exchanging (pushing what applying produced, pulling again) while anything moves;
- a *round* is one session of every branch, all online at once: their exchanges interleave
  (one exchange of each branch in turn) until no session moves anything;
- once the last partition has healed, staff take no new actions; the network goes on
  losing, duplicating and reordering messages as before, but a session learns from the
  hub's answer whether anything is still waiting for it (a lost HTTP answer is an error
  the agent sees and retries), so it does not end while its outbox or its share of the
  hub is unsent (the clock still runs, 10 minutes a round, so rota deadlines may still
  pass lenders over);
- *converged*: no message is undelivered (every outbox acknowledged, every branch holds
  every other origin's whole stream) and every copy's custody is agreed by its owner, the
  hub and the branch holding it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync import audit
from sync.authority import Authority
from sync.branch import Branch, Outcome
from sync.catalogue import Holdings
from sync.custody import CustodyStatus
from sync.custody_ledger import CustodyLedger
from sync.invariants import (
    INVARIANTS,
    PHASE_CUSTODY,
    RESOLVED_CROSSINGS,
    History,
    check_agreement,
    check_invariants,
    check_replicas,
    check_settled,
    situation,
)
from sync.loan_request import TERMINAL, LoanPhase
from sync.messages import HUB, RequesterAction, SupplierStatus
from sync.refusal import Refusal
from sync.rota import LenderCandidate, Patience, RotaStatus
from sync.sequencing import Inbox, Outbox, Skip
from sync.signing import KeyRing, SignedMessage, public_bytes, sign, verify
from sync.state_codec import decode_state, encode_state
from sync.transfer import TransferStatus

T = TypeVar("T")

_START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
_PATIENCE = Patience(silence=timedelta(days=2), limit=timedelta(days=7))
_LOAN = timedelta(days=14)
# A session that keeps failing is given up and left to the next round.
_MOST_EXCHANGES = 1000

@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """The size of the federation and how hostile its network is."""

    branches: int = 4
    works: int = 5
    copies_per_work: int = 3
    steps: int = 400
    loss: float = 0.2
    duplication: float = 0.1
    online: float = 0.3  # share of steps that are a sync session rather than staff work
    # When set, the busy period runs until this many patron requests were placed (``steps``
    # is then ignored); works default to one per ten requests, at least ``works``.
    requests: int | None = None
    partition: float = 0.0  # chance per step that a branch is cut off for up to 3 days
    crash: float = 0.0  # chance per step that a branch crashes and restarts from its store
    check_every: int = 1  # invariants checked every this many steps (always at the end)
    # What share of staff actions place a patron request (others move requests along).
    request_share: float = 0.0

    @property
    def work_count(self) -> int:
        """How many works the catalogue has."""
        return max(self.works, (self.requests or 0) // 10)


@dataclass(slots=True)
class SimulationReport:
    """What happened, and every invariant that did not hold (empty: all is well)."""

    seed: int
    messages: int = 0  # branch to branch (custody notices to the hub are counted apart)
    notices: int = 0
    deliveries: int = 0
    sessions: int = 0
    hub_refusals: int = 0
    requests: int = 0
    steps: int = 0
    partitions: int = 0
    crashes: int = 0
    # Sync rounds after the last partition healed until converged (see the module's doc),
    # and the most exchanges one session of those rounds took.
    rounds_to_converge: int = 0
    longest_session: int = 0
    invariants: tuple[str, ...] = ()
    # Messages a branch applied without effect, as "<action or status> when <state>": the
    # crossings the protocol resolves (an acceptance after a withdrawal, say).
    branch_refusals: Counter[str] = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The run, the invariants checked and the violations found, for people."""
        lines = [
            f"seed {self.seed}: {self.requests} requests, {self.steps} steps, "
            f"{self.sessions} sessions, {self.partitions} partitions, {self.crashes} crashes",
            f"messages {self.messages}, applied {self.deliveries}, custody notices to the "
            f"hub {self.notices}, "
            f"hub refusals {self.hub_refusals}, resolved crossings "
            f"{sum(self.branch_refusals.values())}",
            f"after the last partition healed: converged in {self.rounds_to_converge} sync "
            f"rounds (longest session {self.longest_session} exchanges)",
            "invariants checked:",
            *(f"  - {name}" for name in self.invariants),
            f"violations: {len(self.violations)}",
            *(f"  ! {v}" for v in self.violations[:50]),
        ]
        return "\n".join(lines)


class Channel:
    """One direction of one sync session: may drop, duplicate and reorder what it carries."""

    def __init__(self, rng: random.Random, loss: float, duplication: float) -> None:
        self._rng = rng
        self._loss = loss
        self._duplication = duplication

    def carry(self, batch: Iterable[T]) -> list[T]:
        """What arrives of ``batch``."""
        arrived: list[T] = []
        for entry in batch:
            if self._rng.random() < self._loss:
                continue
            arrived.append(entry)
            if self._rng.random() < self._duplication:
                arrived.append(entry)
        self._rng.shuffle(arrived)
        return arrived


class Hub:
    """The city library's mailbox: verifies, sequences and judges every message, keeps each
    origin's stream, and hands each branch its share (others' traffic as ``Skip``)."""

    def __init__(self, registry: KeyRing, authority: Authority) -> None:
        self._registry = registry
        self.authority = authority
        self.ledger = CustodyLedger(authority)
        self._inbox: Inbox[SignedMessage] = Inbox()
        self._streams: dict[str, list[tuple[SignedMessage, Refusal | None]]] = {}
        self.last_heard: dict[str, datetime] = {}
        self.refusals: list[Refusal] = []

    def push(self, branch: str, batch: Iterable[SignedMessage], now: datetime) -> int:
        """Take what a branch uploads; answer the highest contiguous number held of its stream."""
        self.last_heard[branch] = now
        for signed in batch:
            if signed.seq <= self._inbox.held(signed.origin):
                continue  # a duplicate: dropped unread, so not worth a signature check
            refusal = verify(signed, self._registry)
            if refusal is not None:
                self.refusals.append(refusal)
                continue
            for ready in self._inbox.accept(signed).ready:
                verdict = self.authority.admit(ready.message)
                if verdict is not None:
                    self.refusals.append(verdict)
                else:
                    self.ledger.follow(ready.message)
                self._streams.setdefault(ready.origin, []).append((ready, verdict))
        return self._inbox.held(branch)

    def backlog(self, branch: str, held: Mapping[str, int]) -> int:
        """How many entries of other origins' streams ``branch`` does not hold yet: what a
        pull's answer tells the branch besides the entries that reach it."""
        return sum(
            max(0, len(stream) - held.get(origin, 0))
            for origin, stream in self._streams.items()
            if origin != branch
        )

    def pull(self, branch: str, held: Mapping[str, int]) -> list[SignedMessage | Skip]:
        """Everything after what ``branch`` holds of every other origin's stream."""
        out: list[SignedMessage | Skip] = []
        for origin, stream in sorted(self._streams.items()):
            if origin == branch:
                continue
            for signed, verdict in stream[held.get(origin, 0) :]:
                if verdict is None and signed.message.recipient == branch:
                    out.append(signed)
                else:
                    reason = "refused" if verdict is not None else "not addressed to you"
                    out.append(Skip(origin, signed.seq, reason))
        return out


class Node:
    """A branch with its outbox, inbox, signing key and audit log, as its edge would run it."""

    def __init__(self, branch: Branch, key: Ed25519PrivateKey, registry: KeyRing) -> None:
        self.branch = branch
        self.outbox = Outbox(branch.code)
        self.inbox: Inbox[SignedMessage | Skip] = Inbox()
        self.log: list[audit.AuditEntry] = []
        self.applied: Counter[tuple[str, int]] = Counter()
        self.refusals: Counter[str] = Counter()
        self.notices = 0
        self._key = key
        self._registry = registry
        # Signed once when sent, kept (like the store's outbox rows) until acknowledged.
        self._signed: dict[int, SignedMessage] = {}

    def record(self, outcome: Outcome, now: datetime) -> None:
        """Stamp, sign and log the drafts of a command or of an applied message."""
        for draft in outcome.drafts:
            signed = sign(self.outbox.stamp(draft, now), self._key)
            self._signed[signed.seq] = signed
            self.notices += draft.recipient == HUB
            self._append(audit.message_record("out", signed))

    def session(self, hub: Hub, up: Channel, down: Channel, now: datetime) -> int:
        """Push the outbox, pull the inbox, apply what is ready; return how many applied."""
        pushed = up.carry(self._signed[m.seq] for m in self.outbox.pending)
        for ack in down.carry([hub.push(self.branch.code, pushed, now)]):
            self.outbox.acknowledge(ack)
            for seq in [n for n in self._signed if n <= ack]:
                del self._signed[seq]
        applied = 0
        for entry in down.carry(hub.pull(self.branch.code, self.inbox.acknowledgements())):
            for ready in self.inbox.accept(entry).ready:
                if isinstance(ready, Skip):
                    continue
                applied += 1
                self.applied[(ready.origin, ready.seq)] += 1
                before = situation(self.branch, ready.message)
                refusal = verify(ready, self._registry)
                outcome = (
                    Outcome(refusal=refusal) if refusal else self.branch.apply(ready.message, now)
                )
                if outcome.refusal is not None:
                    self.refusals[before] += 1
                self._append(audit.message_record("in", ready, outcome.refusal))
                self.record(outcome, now)
        return applied

    def _append(self, record: dict[str, object]) -> None:
        self.log.append(audit.append(self.branch.code, self.log[-1] if self.log else None, record))

    def restart(self, holdings: Holdings) -> None:
        """Crash and start again from what a store keeps: the branch state, outbox and log
        as last committed, and the inbox's acknowledgements (messages buffered behind a gap
        are gone, to be delivered again)."""
        durable = encode_state(self.branch.state())
        self.branch = Branch.restore(self.branch.code, holdings, decode_state(durable))
        self.inbox = Inbox(self.inbox.acknowledgements())
        self.outbox = Outbox(self.branch.code, self.outbox.next_seq, self.outbox.pending)


class _Catalogue:
    """The union catalogue as the simulation knows it: which work each copy is of, and (for
    the hub) the owners at the start, which transfers then make stale on purpose."""

    def __init__(self, works: Mapping[str, str], owners: Mapping[str, str]) -> None:
        self._copies: dict[str, list[str]] = {}
        for item_id, work in sorted(works.items()):
            self._copies.setdefault(work, []).append(item_id)
        self._owners = dict(owners)
        self.nodes: dict[str, Node] = {}

    def owner_of(self, item_id: str) -> str | None:
        return self._owners.get(item_id)

    def copies_of(self, work_id: str, branch: str) -> Iterable[str]:
        custody = self.nodes[branch].branch.custody
        return [i for i in self._copies.get(work_id, ()) if i in custody]

    def lenders_for(self, work_id: str, requester: str) -> Iterable[LenderCandidate]:
        codes = sorted(self.nodes)
        for code, node in self.nodes.items():
            copies = [node.branch.custody[i] for i in self.copies_of(work_id, code)]
            if copies:
                yield LenderCandidate(
                    branch=code,
                    available=sum(c.status is CustodyStatus.ON_SHELF for c in copies),
                    distance=abs(codes.index(code) - codes.index(requester)),
                    load=sum(leg.phase not in TERMINAL for leg in node.branch.lending.values()),
                )


class Federation:
    """The hub, the nodes and the clock of one simulated run."""

    def __init__(self, seed: int, config: SimulationConfig) -> None:
        self.rng = random.Random(seed)
        self.config = config
        self.now = _START
        codes = [f"B{i}" for i in range(config.branches)]
        keys = {c: Ed25519PrivateKey.from_private_bytes(self.rng.randbytes(32)) for c in codes}
        registry = KeyRing({c: public_bytes(k) for c, k in keys.items()})
        works: dict[str, str] = {}
        holdings: dict[str, list[str]] = {c: [] for c in codes}
        for w in range(config.work_count):
            for n in range(config.copies_per_work):
                owner = self.rng.choice(codes)
                item_id = f"w{w}c{n}"
                works[item_id] = f"w{w}"
                holdings[owner].append(item_id)
        self.works = sorted(set(works.values()))
        self.items = sorted(works)
        owners = {i: c for c, items in holdings.items() for i in items}
        self.catalogue = _Catalogue(works, owners)
        self.hub = Hub(registry, Authority(registry, self.catalogue))
        self.nodes = {
            c: Node(Branch(c, self.catalogue, holdings[c]), keys[c], registry) for c in codes
        }
        self.catalogue.nodes = self.nodes
        self.branches = [n.branch for n in self.nodes.values()]
        self._serial = 0
        self.offline_until: dict[str, datetime] = {}
        self._faulty = Channel(self.rng, config.loss, config.duplication)
        self._reliable = Channel(self.rng, 0.0, 0.0)

    def session(self, code: str, reliable: bool = False) -> int:
        """One sync session of branch ``code``; how many messages it applied (none while
        the branch is cut off from the hub)."""
        if self.offline_until.get(code, self.now) > self.now:
            return 0
        channel = self._reliable if reliable else self._faulty
        return self.nodes[code].session(self.hub, channel, channel, self.now)

    def partition(self) -> None:
        """Cut a random branch off from the hub for up to three days."""
        code = self.rng.choice(sorted(self.nodes))
        self.offline_until[code] = self.now + timedelta(hours=self.rng.randint(1, 72))

    def heal(self) -> None:
        """Every partition ends."""
        self.offline_until.clear()

    def crash(self) -> None:
        """A random branch crashes and restarts from its durable state."""
        node = self.nodes[self.rng.choice(sorted(self.nodes))]
        node.restart(self.catalogue)
        self.branches = [n.branch for n in self.nodes.values()]

    def placed(self) -> int:
        """Patron requests placed so far."""
        return sum(len(n.branch.rotas) for n in self.nodes.values())

    def act(self, code: str, command: Callable[[Branch], Outcome]) -> Outcome:
        """Run a staff command at branch ``code`` and queue what it sends."""
        outcome = command(self.nodes[code].branch)
        self.nodes[code].record(outcome, self.now)
        return outcome

    def new_id(self, code: str, kind: str) -> str:
        """A fresh request or transfer id in ``code``'s namespace."""
        self._serial += 1
        return f"{code}:{kind}{self._serial}"


def simulate(seed: int, config: SimulationConfig | None = None) -> SimulationReport:
    """Run one seeded simulation and report every invariant violation."""
    config = config or SimulationConfig()
    fed = Federation(seed, config)
    report = SimulationReport(seed, invariants=INVARIANTS)
    history = History()
    while not _busy_done(fed, config, report.steps):
        report.steps += 1
        fed.now += timedelta(minutes=fed.rng.randrange(0, 6 * 60))
        if fed.rng.random() < config.online:
            fed.session(fed.rng.choice(sorted(fed.nodes)))
            report.sessions += 1
        else:
            _random_work(fed)
        if config.partition and fed.rng.random() < config.partition:
            fed.partition()
            report.partitions += 1
        if config.crash and fed.rng.random() < config.crash:
            fed.crash()
            report.crashes += 1
        if report.steps % config.check_every == 0:
            report.violations.extend(check_invariants(fed.branches, fed.items))
            report.violations.extend(history.observe(fed.branches))
    report.requests = fed.placed()
    report.violations.extend(check_invariants(fed.branches, fed.items))
    fed.heal()
    sessions, report.rounds_to_converge, report.longest_session = _after_heal(fed)
    report.sessions += sessions
    report.violations.extend(check_agreement(fed.branches))
    report.violations.extend(check_replicas(fed.branches, fed.hub.ledger.custody_of))
    for _ in range(50):
        progressed = _wind_down(fed)
        report.sessions += _settle(fed)
        report.violations.extend(check_invariants(fed.branches, fed.items))
        report.violations.extend(history.observe(fed.branches))
        if not progressed:
            break
    report.violations.extend(check_agreement(fed.branches))
    report.violations.extend(check_settled(fed.branches, fed.items))
    report.violations.extend(check_replicas(fed.branches, fed.hub.ledger.custody_of))
    report.violations.extend(
        f"{custody.item_id}: owned by {branch.code} but the hub says {owner}"
        for branch in fed.branches
        for custody in branch.custody.values()
        if (owner := fed.hub.authority.owner_of(custody.item_id)) != branch.code
    )
    for node in fed.nodes.values():
        broken = audit.verify(node.log, node.branch.code)
        if broken is not None:
            report.violations.append(f"{node.branch.code}: audit log broken: {broken}")
        twice = [key for key, n in node.applied.items() if n > 1]
        if twice:
            report.violations.append(f"{node.branch.code}: applied more than once: {twice}")
        report.messages += node.outbox.next_seq - 1 - node.notices
        report.notices += node.notices
        report.deliveries += sum(node.applied.values())
        report.branch_refusals.update(node.refusals)
    unexpected = sorted(set(report.branch_refusals) - RESOLVED_CROSSINGS)
    if unexpected:
        report.violations.append(f"messages refused by branches: {unexpected}")
    report.hub_refusals = len(fed.hub.refusals)
    if fed.hub.refusals:
        report.violations.append(f"hub refused honest branches: {fed.hub.refusals[:3]}")
    return report


# Staff at work ------------------------------------------------------------------------------


def _random_work(fed: Federation) -> None:
    code = fed.rng.choice(sorted(fed.nodes))
    share = fed.config.request_share
    if share and fed.rng.random() < share:
        work, now = fed.rng.choice(fed.works), fed.now
        fed.act(code, lambda b: b.request_title(fed.new_id(code, "r"), work, now))
        return
    choices = list(_possible_work(fed, code))
    if choices:
        fed.act(code, fed.rng.choice(choices))


def _possible_work(fed: Federation, code: str) -> Iterator[Callable[[Branch], Outcome]]:
    rng, now, today = fed.rng, fed.now, fed.now.date()
    branch = fed.nodes[code].branch
    heard = dict(fed.hub.last_heard)
    work = rng.choice(fed.works)
    yield lambda b: b.request_title(fed.new_id(code, "r"), work, now)
    item = rng.choice(fed.items)
    owner = next((c for c, n in sorted(fed.nodes.items()) if item in n.branch.custody), None)
    if owner is not None and owner != code:
        yield lambda b: b.request_item(fed.new_id(code, "r"), item, owner, now)
    yield lambda b: b.pass_over_late(now, heard, _PATIENCE)
    yield lambda b: b.mark_overdue(today)
    for leg_id, leg in sorted(branch.lending.items()):
        if leg.phase is LoanPhase.REQUESTED:
            # Staff answer: mostly they look for a copy; now and then they decline.
            yield partial(_answer, leg_id=leg_id)
            if rng.random() < 0.1:
                yield partial(Branch.unfill, leg_id=leg_id)
        elif leg.phase is LoanPhase.WILL_SUPPLY:
            yield partial(Branch.ship, leg_id=leg_id, due=today + _LOAN)
            if rng.random() < 0.2:
                yield partial(Branch.unfill, leg_id=leg_id)
        elif leg.phase is LoanPhase.RETURNING:
            yield partial(Branch.check_in, leg_id=leg_id)
        elif leg.phase in PHASE_CUSTODY:
            yield partial(Branch.recall, leg_id=leg_id)
            if rng.random() < 0.05:
                yield partial(Branch.declare_lost, item_id=leg.item_id or "")
    for leg_id, leg in sorted(branch.borrowing.items()):
        for action in _NEXT_ACTIONS.get(leg.phase, ()):
            yield partial(Branch.act, leg_id=leg_id, action=action)
        if rng.random() < 0.02:  # now and then, about any leg, even one long finished
            yield partial(Branch.act, leg_id=leg_id, action=RequesterAction.STATUS_REQUEST)
    for rid, walk in sorted(branch.rotas.items()):
        if walk.status in (RotaStatus.ASKING, RotaStatus.SUPPLIED) and rng.random() < 0.2:
            yield partial(Branch.cancel_request, request_id=rid)
    yield from _transfer_work(fed, code)
    for item_id, custody in sorted(branch.custody.items()):
        if custody.status is CustodyStatus.LOST:
            yield partial(Branch.find, item_id=item_id)


_NEXT_ACTIONS = {
    LoanPhase.SHIPPED: (RequesterAction.RECEIVED, RequesterAction.RENEW),
    LoanPhase.RECEIVED: (
        RequesterAction.LENT_TO_PATRON,
        RequesterAction.SHIPPED_RETURN,
        RequesterAction.RENEW,
    ),
    LoanPhase.WITH_PATRON: (RequesterAction.RETURNED_BY_PATRON, RequesterAction.RENEW),
}


def _transfer_work(fed: Federation, code: str) -> Iterator[Callable[[Branch], Outcome]]:
    rng, branch = fed.rng, fed.nodes[code].branch
    shelf = sorted(i for i, c in branch.custody.items() if c.status is CustodyStatus.ON_SHELF)
    others = sorted(c for c in fed.nodes if c != code)
    if shelf and rng.random() < 0.3:
        batch = rng.sample(shelf, rng.randint(1, min(3, len(shelf))))
        to = rng.choice(others)
        yield lambda b: b.propose_transfer(fed.new_id(code, "t"), to, batch)
    for tid, moving in sorted(branch.transfers.items()):
        mine = moving.source == code
        if not mine and moving.status is TransferStatus.PROPOSED:
            yield partial(Branch.accept_transfer, transfer_id=tid)
            yield partial(Branch.decline_transfer, transfer_id=tid)
        callable_off = moving.status in (TransferStatus.PROPOSED, TransferStatus.ACCEPTED)
        if mine and callable_off and rng.random() < 0.2:
            yield partial(Branch.withdraw_transfer, transfer_id=tid)
        if mine and moving.status is TransferStatus.ACCEPTED:
            yield partial(Branch.ship_transfer, transfer_id=tid)
        if not mine and moving.status is TransferStatus.SHIPPED and moving.outstanding:
            some = rng.sample(moving.outstanding, rng.randint(1, len(moving.outstanding)))
            yield partial(Branch.receive_transfer, transfer_id=tid, item_ids=tuple(some))


def _wind_down(fed: Federation) -> bool:
    """Staff finish whatever they can; True if anything changed."""
    progressed = False
    today = fed.now.date()
    for code in sorted(fed.nodes):
        for command in list(_finishing_work(fed.nodes[code].branch, today)):
            progressed |= fed.act(code, command).refusal is None
    fed.now += timedelta(days=1)
    return progressed


def _answer(branch: Branch, leg_id: str) -> Outcome:
    """What staff answer a waiting request: WillSupply with a copy on the shelf, else
    RetryPossible."""
    supplied = branch.answer(leg_id, SupplierStatus.WILL_SUPPLY)
    if supplied.refusal is None:
        return supplied
    return branch.answer(leg_id, SupplierStatus.RETRY_POSSIBLE)


def _finishing_work(branch: Branch, today: date) -> Iterator[Callable[[Branch], Outcome]]:
    for leg_id, leg in sorted(branch.lending.items()):
        if leg.phase is LoanPhase.REQUESTED:
            yield partial(_answer, leg_id=leg_id)
        elif leg.phase is LoanPhase.WILL_SUPPLY:
            yield partial(Branch.ship, leg_id=leg_id, due=today + _LOAN)
        elif leg.phase is LoanPhase.RETURNING:
            yield partial(Branch.check_in, leg_id=leg_id)
    finishing = {
        LoanPhase.SHIPPED: RequesterAction.RECEIVED,
        LoanPhase.WITH_PATRON: RequesterAction.RETURNED_BY_PATRON,
        LoanPhase.RECEIVED: RequesterAction.SHIPPED_RETURN,
    }
    for leg_id, leg in sorted(branch.borrowing.items()):
        if leg.phase in finishing:
            yield partial(Branch.act, leg_id=leg_id, action=finishing[leg.phase])
    for tid, moving in sorted(branch.transfers.items()):
        mine = moving.source == branch.code
        if not mine and moving.status is TransferStatus.PROPOSED:
            yield partial(Branch.accept_transfer, transfer_id=tid)
        elif mine and moving.status is TransferStatus.ACCEPTED:
            yield partial(Branch.ship_transfer, transfer_id=tid)
        elif not mine and moving.status is TransferStatus.SHIPPED:
            yield partial(Branch.receive_transfer, transfer_id=tid, item_ids=moving.outstanding)


def _busy_done(fed: Federation, config: SimulationConfig, steps: int) -> bool:
    if config.requests is None:
        return steps >= config.steps
    # The guard ends a run whose staff can no longer place requests (it then reports
    # fewer requests than asked for).
    return fed.placed() >= config.requests or steps >= 100 * config.requests


def _after_heal(fed: Federation) -> tuple[int, int, int]:
    """Sync rounds over the same lossy channel once every partition has healed, until converged
    (see the module's doc): (sessions, rounds, most exchanges in one session)."""
    sessions = longest = 0
    for rounds in range(1, 101):
        exchanges = _round(fed)
        sessions += len(fed.nodes)
        longest = max(longest, exchanges)
        fed.now += timedelta(minutes=10)
        if _converged(fed):
            return sessions, rounds, longest
    return sessions, 0, longest  # never converged: reported as 0 rounds


def _round(fed: Federation) -> int:
    """Every branch online at once, each session exchanging while anything moves; returns
    the exchanges of the longest session."""
    open_sessions, exchanges = set(fed.nodes), 0
    while open_sessions and exchanges < _MOST_EXCHANGES:
        exchanges += 1
        for code in sorted(open_sessions):
            node = fed.nodes[code]
            fed.session(code)
            waiting = fed.hub.backlog(code, node.inbox.acknowledgements())
            if not node.outbox.pending and not waiting:
                open_sessions.discard(code)
    return exchanges


def _converged(fed: Federation) -> bool:
    """Nothing undelivered, and every copy's custody agreed by owner, hub and holder."""
    streams = {code: node.outbox.next_seq - 1 for code, node in fed.nodes.items()}
    delivered = all(
        not node.outbox.pending
        and all(node.inbox.held(o) >= top for o, top in streams.items() if o != code)
        for code, node in fed.nodes.items()
    )
    return delivered and not check_replicas(fed.branches, fed.hub.ledger.custody_of)


def _settle(fed: Federation) -> int:
    """Sync everyone over a reliable channel until a full round delivers nothing."""
    sessions = 0
    for _ in range(100):
        moved = 0
        for code in sorted(fed.nodes):
            pushed = len(fed.nodes[code].outbox.pending)
            moved += pushed + fed.session(code, reliable=True)
            sessions += 1
        fed.now += timedelta(hours=1)
        if moved == 0:
            break
    return sessions
