"""A seeded run of a simulated federation (``sync.simulated_federation``): random staff
work and sync sessions, with the invariants the protocol promises checked throughout.

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

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from sync import audit
from sync.branch import Branch, Outcome
from sync.custody import CustodyStatus
from sync.invariants import (
    INVARIANTS,
    PHASE_CUSTODY,
    RESOLVED_CROSSINGS,
    History,
    check_agreement,
    check_invariants,
    check_replicas,
    check_settled,
)
from sync.loan_request import LoanPhase
from sync.messages import RequesterAction, SupplierStatus
from sync.rota import Patience, RotaStatus
from sync.simulated_federation import Federation
from sync.simulation_config import SimulationConfig
from sync.transfer import TransferStatus

_PATIENCE = Patience(silence=timedelta(days=2), limit=timedelta(days=7))
_LOAN = timedelta(days=14)
# A session that keeps failing is given up and left to the next round.
_MOST_EXCHANGES = 1000


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
