"""The invariants the sync protocol promises, checked over a federation's branches: at
every moment (custody consistent, no copy lent twice), once every message is delivered (both
sides of every leg and transfer agree), after the wind-down (every copy back on one shelf),
and across observations (nothing leaves a terminal state). Each check returns the problems
it found, as text for people; an empty list means all is well.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields

from sync.branch import Branch
from sync.custody import Custody, CustodyStatus, HoldKind
from sync.loan_request import TERMINAL, Leg, LoanPhase
from sync.messages import (
    Message,
    RequestingAgencyMessage,
    SupplyingAgencyMessage,
    TransferMessage,
)
from sync.rota import RotaStatus
from sync.transfer import FINAL, TransferStatus

#: The custody an item must be in while a leg of each phase holds it.
PHASE_CUSTODY = {
    LoanPhase.WILL_SUPPLY: CustodyStatus.RESERVED,
    LoanPhase.SHIPPED: CustodyStatus.IN_TRANSIT,
    LoanPhase.RECEIVED: CustodyStatus.AT_BORROWER,
    LoanPhase.WITH_PATRON: CustodyStatus.ON_LOAN,
    LoanPhase.RETURNING: CustodyStatus.IN_TRANSIT_BACK,
}
_TRANSFER_CUSTODY = {
    TransferStatus.PROPOSED: CustodyStatus.RESERVED,
    TransferStatus.ACCEPTED: CustodyStatus.RESERVED,
    TransferStatus.SHIPPED: CustodyStatus.IN_TRANSIT,
}
# Fields of a leg that both sides must agree on once every message is delivered.
_SHARED = tuple(f.name for f in fields(Leg) if not f.name.endswith("_pending"))

INVARIANTS = (
    "every copy in exactly one custody state, agreed by owner, hub and holder",
    "no copy lent to two requests at once",
    "custody matches the leg or transfer holding the copy",
    "no request, leg or transfer leaves a terminal state",
    "both sides of every leg and transfer agree once delivered",
    "every request terminal or still live; every copy back on one shelf after wind-down",
    "no message applied twice; every message applied once",
    "every audit chain verifies",
    "no honest message refused by the hub; branch refusals only resolved crossings",
)


# The only messages an honest branch may apply without effect: the crossings the protocol
# resolves. A lender that wrote its copy off ignores what the borrower then reports of it; a
# source that withdrew a transfer ignores the destination's answer.
RESOLVED_CROSSINGS = frozenset(
    {
        "Received when lost",
        "LentToPatron when lost",
        "ReturnedByPatron when lost",
        "ShippedReturn when lost",
        "Accept when withdrawn",
        "Decline when withdrawn",
    }
)


def situation(branch: Branch, message: Message) -> str:
    """What ``message`` says, and where its leg or transfer stands at ``branch`` beforehand:
    "<action or status> when <phase or status>", to tell resolved crossings from bugs."""
    body = message.body
    if isinstance(body, RequestingAgencyMessage | TransferMessage):
        what = body.action.value
    elif isinstance(body, SupplyingAgencyMessage):
        what = body.status.value
    else:
        what = message.kind.value
    leg = branch.lending.get(message.request_id) or branch.borrowing.get(message.request_id)
    moving = branch.transfers.get(message.request_id)
    state = leg.phase.value if leg else moving.status.value if moving else "new"
    return f"{what} when {state}"


def check_invariants(branches: Iterable[Branch], items: Sequence[str]) -> list[str]:
    """What must hold at every moment, whatever is still in flight."""
    problems: list[str] = []
    records: dict[str, list[tuple[str, CustodyStatus, HoldKind | None]]] = {i: [] for i in items}
    for branch in branches:
        holders: Counter[str] = Counter()
        for item_id, custody in branch.custody.items():
            hold = custody.hold
            records[item_id].append((branch.code, custody.status, hold.kind if hold else None))
            free = custody.status in (CustodyStatus.ON_SHELF, CustodyStatus.LOST)
            if custody.owner != branch.code or free != (hold is None):
                problems.append(f"{branch.code}: inconsistent custody {custody}")
            elif hold is not None and hold.kind is HoldKind.LOAN:
                leg = branch.lending.get(hold.id)
                if leg is None or leg.item_id != item_id:
                    problems.append(f"{branch.code}: {item_id} held for unknown leg {hold.id}")
                elif PHASE_CUSTODY.get(leg.phase) is not custody.status:
                    problems.append(f"{branch.code}: {item_id} {custody.status} but {leg.phase}")
            elif hold is not None:
                moving = branch.transfers.get(hold.id)
                if moving is None or _TRANSFER_CUSTODY.get(moving.status) is not custody.status:
                    problems.append(f"{branch.code}: {item_id} {custody.status} for {moving}")
        for leg_id, leg in branch.lending.items():
            if leg.phase in PHASE_CUSTODY:
                holders[leg.item_id or ""] += 1
                lent = branch.custody.get(leg.item_id or "")
                if lent is None or lent.hold is None or lent.hold.id != leg_id:
                    problems.append(f"{branch.code}: leg {leg_id} lost its hold on {leg.item_id}")
        problems.extend(
            f"{branch.code}: {item} lent to {n} requests at once"
            for item, n in holders.items()
            if n > 1
        )
    for item_id, held in records.items():
        settled = [r for r in held if not _handed_over(r)]
        if not held:
            problems.append(f"{item_id} is no branch's any more: lost by the protocol")
        elif len(settled) > 1:
            problems.append(f"{item_id} claimed by several branches: {held}")
    return problems


def _handed_over(record: tuple[str, CustodyStatus, HoldKind | None]) -> bool:
    # The source's record of a copy shipped for a transfer, which the destination may already
    # have received: until the source hears so, both branches list the copy.
    return record[1] is CustodyStatus.IN_TRANSIT and record[2] is HoldKind.TRANSFER


def check_agreement(branches: Iterable[Branch]) -> list[str]:
    """Once every message is delivered: both copies of every leg and transfer agree."""
    by_code = {b.code: b for b in branches}
    problems: list[str] = []
    lending = {k: v for b in by_code.values() for k, v in b.lending.items()}
    for branch in by_code.values():
        for leg_id, leg in branch.borrowing.items():
            theirs = lending.get(leg_id)
            if theirs is None:
                problems.append(f"{leg_id}: the supplier never saw it")
                continue
            differ = [f for f in _SHARED if getattr(leg, f) != getattr(theirs, f)]
            if differ or leg.cancel_pending or leg.renew_pending:
                problems.append(f"{leg_id}: sides disagree on {differ}: {leg} / {theirs}")
    for branch in by_code.values():
        for tid, mine in branch.transfers.items():
            other = by_code[mine.destination if mine.source == branch.code else mine.source]
            counterpart = other.transfers.get(tid)
            if counterpart != mine:
                problems.append(f"{tid}: sides disagree: {mine} / {counterpart}")
    return problems


def check_replicas(
    branches: Iterable[Branch], hub_custody: Callable[[str], Custody]
) -> list[str]:
    """Once every message is delivered: every copy's custody as its owner wrote it, as the
    hub's ledger has it, and as the branch holding it sees it (its leg's phase) agree."""
    by_code = {b.code: b for b in branches}
    problems: list[str] = []
    for branch in by_code.values():
        for item_id, custody in sorted(branch.custody.items()):
            at_hub = hub_custody(item_id)
            if at_hub != custody:
                problems.append(f"{item_id}: {branch.code} says {custody}, the hub {at_hub}")
            hold = custody.hold
            if hold is None or hold.kind is not HoldKind.LOAN or hold.branch not in by_code:
                continue
            leg = by_code[hold.branch].borrowing.get(hold.id)
            if leg is None or leg.phase in TERMINAL:
                continue
            seen = PHASE_CUSTODY.get(leg.phase)
            if seen is not custody.status:
                problems.append(f"{item_id}: {hold.branch} holds it {seen}, {branch.code} says "
                                f"{custody.status}")
    return problems


def check_settled(branches: Iterable[Branch], items: Sequence[str]) -> list[str]:
    """After the wind-down: nothing open, every copy on exactly one shelf or written off."""
    problems: list[str] = []
    owners: Counter[str] = Counter()
    for branch in branches:
        for custody in branch.custody.values():
            owners[custody.item_id] += 1
            if custody.hold is not None:
                problems.append(f"{branch.code}: {custody.item_id} still {custody.status}")
        for legs in (branch.lending, branch.borrowing):
            problems.extend(
                f"{branch.code}: {k} still {leg.phase}"
                for k, leg in legs.items()
                if leg.phase not in TERMINAL
            )
        for request_id, walk in branch.rotas.items():
            if walk.status is RotaStatus.ASKING:
                problems.append(f"{branch.code}: {request_id} still asking")
        for tid, moving in branch.transfers.items():
            if moving.status not in FINAL | {TransferStatus.DECLINED}:
                problems.append(f"{branch.code}: {tid} still {moving.status}")
    problems.extend(f"{i}: held by {owners[i]} branches" for i in items if owners[i] != 1)
    return problems


class History:
    """Watches branches across observations: nothing may leave a terminal state."""

    def __init__(self) -> None:
        self._legs: dict[tuple[str, str, str], LoanPhase] = {}
        self._transfers: dict[tuple[str, str], TransferStatus] = {}
        self._rotas: dict[tuple[str, str], RotaStatus] = {}

    def observe(self, branches: Iterable[Branch]) -> list[str]:
        """Record the branches' states now; report every terminal state that was left."""
        problems: list[str] = []
        for branch in branches:
            code = branch.code
            for side, legs in (("lends", branch.lending), ("borrows", branch.borrowing)):
                for leg_id, leg in legs.items():
                    before = self._legs.get((code, side, leg_id))
                    if before in TERMINAL and leg.phase is not before:
                        problems.append(f"{code} {side} {leg_id}: {before} -> {leg.phase}")
                    self._legs[(code, side, leg_id)] = leg.phase
            for tid, moving in branch.transfers.items():
                was = self._transfers.get((code, tid))
                # A declined transfer may still become withdrawn (the source's word stands).
                allowed = {was} | (
                    {TransferStatus.WITHDRAWN} if was is TransferStatus.DECLINED else set()
                )
                if (
                    was in FINAL or was is TransferStatus.DECLINED
                ) and moving.status not in allowed:
                    problems.append(f"{code} {tid}: {was} -> {moving.status}")
                self._transfers[(code, tid)] = moving.status
            for rid, walk in branch.rotas.items():
                was_rota = self._rotas.get((code, rid))
                done = (RotaStatus.UNFILLED, RotaStatus.CANCELLED)
                if was_rota in done and walk.status is not was_rota:
                    problems.append(f"{code} {rid}: {was_rota} -> {walk.status}")
                self._rotas[(code, rid)] = walk.status
        return problems
