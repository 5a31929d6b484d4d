"""A simulated federation, all in memory: branches (each with its outbox, inbox, signing key
and audit log) and the hub's mailbox, talking over channels that lose, duplicate and reorder
what they carry; the union catalogue as branches and hub consult it; and the clock,
partitions and crashes the federation lives through.

Every random choice comes from the federation's one ``random.Random(seed)``, so a seed builds
the same federation and the same faults. What staff do, and when the invariants are checked,
is the run's: ``sync.simulation``.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync import audit
from sync.authority import Authority
from sync.branch import Branch, Outcome
from sync.catalogue import Holdings
from sync.custody import CustodyStatus
from sync.custody_ledger import CustodyLedger
from sync.invariants import situation
from sync.loan_request import TERMINAL
from sync.messages import HUB
from sync.refusal import Refusal
from sync.rota import LenderCandidate
from sync.sequencing import Inbox, Outbox, Skip
from sync.signing import KeyRing, SignedMessage, public_bytes, sign, verify
from sync.simulation_config import SimulationConfig
from sync.state_codec import decode_state, encode_state

T = TypeVar("T")

_START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)


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
