"""What branch staff can see and do through the sync protocol: the one API the staff web
pages, the staff JSON API and the CLI call.

Every call acts as one branch (``branch``): it reads or changes that branch's node only, so
a staff member signed in for one branch can act for no other. Changes take ``now`` from the
caller's clock; each is one transaction that also signs the messages it sends into the
branch's outbox, for its agent (or the hub, for a hosted branch) to deliver.

Refused actions raise :class:`SyncRefused` with the core's refusal code and detail.
Returned records are the pure core's frozen dataclasses (``Leg``, ``Rota``, ``Transfer``,
``Custody``), read-only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from sync.branch import Branch, LoanPolicy, Outcome
from sync.custody import Custody
from sync.loan_request import TERMINAL, Leg, LoanPhase
from sync.messages import RequesterAction, SupplierStatus
from sync.refusal import Refusal
from sync.rota import Patience, Rota
from sync.transfer import FINAL, Transfer
from union.config import SyncSettings
from union.store.engine import Store
from union.store.sync_models import SyncHeardRow
from union.sync_node import conflicts
from union.sync_node.catalogue import (
    LocalHoldings,
    UnionHoldings,
    custody_of_works,
    owners_of,
)
from union.sync_node.hub_holdings import HubHoldings
from union.sync_node.keys import load_key_file
from union.sync_node.node import BranchNode

__all__ = [
    "BranchSnapshot",
    "Conflict",
    "IncomingRequest",
    "KeyDirectory",
    "OutgoingRequest",
    "SyncRefused",
    "SyncService",
    "configured_service",
    "custody_of_works",
    "owners_of",
]

Conflict = conflicts.Conflict


class SyncRefused(Exception):
    """The protocol refused the action; ``refusal.code`` says why in one word."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(f"{refusal.code.value}: {refusal.detail}")
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class IncomingRequest:
    """A request another branch sent this one (this branch supplies): ``leg`` says its
    phase, copy and due date."""

    leg: Leg

    @property
    def open(self) -> bool:
        """Still needs work from this branch's staff (or the borrower)."""
        return self.leg.phase not in TERMINAL


@dataclass(frozen=True, slots=True)
class OutgoingRequest:
    """A patron request this branch placed: the walk along its lenders, and the leg with
    the lender currently asked (None once no lender is left)."""

    rota: Rota
    leg: Leg | None


class KeyDirectory:
    """Signing keys of the branches this node acts for: ``<dir>/<code>.pem``; the branches
    in ``answering`` have incoming requests answered by the protocol, not their staff."""

    def __init__(self, directory: Path, answering: Collection[str] = ()) -> None:
        self.directory = directory
        self.answering = frozenset(answering)

    def path(self, branch: str) -> Path:
        """Where ``branch``'s private key is kept."""
        return self.directory / f"{branch}.pem"

    def node(self, store: Store, branch: str) -> BranchNode:
        """``branch``'s node in ``store``, signing with its key."""
        policy = LoanPolicy(answer_requests=branch in self.answering)
        return BranchNode(store, branch, load_key_file(self.path(branch)), policy)


class BranchSnapshot:
    """One branch's protocol state as loaded once (a copy: changing it changes nothing
    stored), with what each staff board lists."""

    def __init__(self, state: Branch) -> None:
        self._state = state

    def incoming(self, open_only: bool = True) -> list[IncomingRequest]:
        """Requests this branch is asked to supply, newest id last."""
        found = [IncomingRequest(leg) for _, leg in sorted(self._state.lending.items())]
        return [r for r in found if r.open or not open_only]

    def outgoing(self) -> list[OutgoingRequest]:
        """Patron requests this branch placed, with the leg currently asked."""
        state = self._state
        out = []
        for request_id, walk in sorted(state.rotas.items()):
            leg_id = f"{request_id}/{walk.position + 1}"
            out.append(OutgoingRequest(walk, state.borrowing.get(leg_id)))
        return out

    def to_answer(self) -> list[Leg]:
        """Requests waiting for this branch's staff to answer (WillSupply, Unfilled or
        RetryPossible)."""
        return [
            leg for _, leg in sorted(self._state.lending.items())
            if leg.phase is LoanPhase.REQUESTED
        ]

    def pick_list(self) -> list[Leg]:
        """Copies to take off the shelf and ship: legs this branch will supply."""
        return [
            leg for _, leg in sorted(self._state.lending.items())
            if leg.phase is LoanPhase.WILL_SUPPLY
        ]

    def to_receive(self) -> list[Leg]:
        """Copies on their way to this branch: borrowed and shipped, or returned to it."""
        state = self._state
        borrowed = [
            leg for _, leg in sorted(state.borrowing.items()) if leg.phase is LoanPhase.SHIPPED
        ]
        returning = [
            leg for _, leg in sorted(state.lending.items()) if leg.phase is LoanPhase.RETURNING
        ]
        return borrowed + returning

    def borrowed(self) -> list[Leg]:
        """Copies this branch has borrowed and not yet sent back (at the desk or on loan)."""
        keep = (LoanPhase.RECEIVED, LoanPhase.WITH_PATRON)
        return [leg for _, leg in sorted(self._state.borrowing.items()) if leg.phase in keep]

    def transfers(self, open_only: bool = False) -> list[Transfer]:
        """Permanent transfers this branch sends or receives."""
        found = [t for _, t in sorted(self._state.transfers.items())]
        return [t for t in found if t.status not in FINAL or not open_only]

    def transfer(self, transfer_id: str) -> Transfer | None:
        """One transfer this branch sends or receives, if there is one by that id."""
        return self._state.transfers.get(transfer_id)

    def custody(self) -> list[Custody]:
        """Custody of every copy this branch owns."""
        return [c for _, c in sorted(self._state.custody.items())]


class SyncService:
    """The sync protocol for staff, over one store. ``nodes(branch)`` gives the branch's
    node (with its signing key); ``patience`` is how long a lender is waited for;
    ``holdings`` are the union holdings rotas and answers are built from (by default
    ``store``'s own: a village agent's store has no works, so it asks the hub)."""

    def __init__(
        self,
        store: Store,
        nodes: Callable[[str], BranchNode],
        patience: Patience | None = None,
        loan_days: int = 14,
        holdings: UnionHoldings | None = None,
    ) -> None:
        self.store = store
        self._nodes = nodes
        self._holdings = holdings or LocalHoldings(store)
        self.patience = patience or Patience(silence=timedelta(days=2), limit=timedelta(days=7))
        self.loan_days = loan_days

    # Reading ------------------------------------------------------------------------------

    def snapshot(self, branch: str) -> BranchSnapshot:
        """The branch's state, loaded once: read every board of one page from it."""
        return BranchSnapshot(self._nodes(branch).branch())

    def last_heard(self) -> dict[str, datetime]:
        """When the hub last heard from each branch (in the hub's store)."""
        with self.store.read() as session:
            return dict(session.execute(select(SyncHeardRow.branch, SyncHeardRow.at)).all())

    def conflicts(self, branch: str, now: datetime) -> list[Conflict]:
        """Harvest conflicts involving this branch, after comparing the latest harvests with
        ownership."""
        with self.store.write() as session:
            conflicts.scan_harvested(session, now)
        with self.store.read() as session:
            return conflicts.open_conflicts(session, branch)

    # Requesting ---------------------------------------------------------------------------

    def request_title(self, branch: str, work_id: int | str, now: datetime) -> str:
        """Place a title-level request: any copy of the work, lenders asked in rota order
        (available copies first, then nearer and less loaded branches). Returns its id."""
        request_id = _new_id(branch)
        candidates = self._holdings.lenders_for(str(work_id), branch)
        self._run(
            branch, lambda b: b.request_title(request_id, str(work_id), now, candidates), now
        )
        return request_id

    def reserve_item(self, branch: str, item_id: str, now: datetime) -> str:
        """Reserve one particular copy (``<branch>/<barcode>``) from its owner."""
        request_id = _new_id(branch)
        with self.store.read() as session:
            owner = owners_of(session, [item_id])[item_id]
        self._run(branch, lambda b: b.request_item(request_id, item_id, owner, now), now)
        return request_id

    def cancel_request(self, branch: str, request_id: str, now: datetime) -> None:
        """Withdraw a patron request (a copy already shipped still comes, and goes back)."""
        self._run(branch, lambda b: b.cancel_request(request_id), now)

    def pass_over_late(self, branch: str, now: datetime, heard: dict[str, datetime]) -> int:
        """Skip lenders that have not answered in time; returns how many were asked anew."""
        outcome = self._run(branch, lambda b: b.pass_over_late(now, heard, self.patience), now)
        return len(outcome.drafts)

    def receive(self, branch: str, leg_id: str, now: datetime) -> None:
        """A borrowed copy arrived at this branch."""
        self._act(branch, leg_id, RequesterAction.RECEIVED, now)

    def lend(self, branch: str, leg_id: str, now: datetime) -> None:
        """The borrowed copy goes out to the patron."""
        self._act(branch, leg_id, RequesterAction.LENT_TO_PATRON, now)

    def patron_return(self, branch: str, leg_id: str, now: datetime) -> None:
        """The patron brought the borrowed copy back to this branch."""
        self._act(branch, leg_id, RequesterAction.RETURNED_BY_PATRON, now)

    def ship_return(self, branch: str, leg_id: str, now: datetime) -> None:
        """The borrowed copy is sent back to its owner."""
        self._act(branch, leg_id, RequesterAction.SHIPPED_RETURN, now)

    def renew(self, branch: str, leg_id: str, now: datetime) -> None:
        """Ask the owner for a longer loan."""
        self._act(branch, leg_id, RequesterAction.RENEW, now)

    def status_request(self, branch: str, leg_id: str, now: datetime) -> None:
        """Ask the owner to report the leg's status again."""
        self._act(branch, leg_id, RequesterAction.STATUS_REQUEST, now)

    # Supplying ----------------------------------------------------------------------------

    def will_supply(
        self, branch: str, leg_id: str, now: datetime, item_id: str | None = None
    ) -> None:
        """Answer a waiting request WillSupply, reserving ``item_id`` (by default the first
        of this branch's copies asked for that is on the shelf)."""
        node = self._nodes(branch)
        leg = node.branch().lending.get(leg_id)
        work = leg.request.work_id if leg else None
        copies = self._holdings.copies_of(work, branch) if work else None
        will = SupplierStatus.WILL_SUPPLY
        self._run(branch, lambda b: b.answer(leg_id, will, item_id, copies), now, node)

    def retry_later(self, branch: str, leg_id: str, now: datetime) -> None:
        """Answer a waiting request RetryPossible: not now (the requester asks the next
        lender on its rota)."""
        self._run(branch, lambda b: b.answer(leg_id, SupplierStatus.RETRY_POSSIBLE), now)

    def ship(self, branch: str, leg_id: str, now: datetime, due: date | None = None) -> date:
        """Send a reserved copy to the requester; returns the due date."""
        due = due or (now.date() + timedelta(days=self.loan_days))
        self._run(branch, lambda b: b.ship(leg_id, due), now)
        return due

    def unfill(self, branch: str, leg_id: str, now: datetime) -> None:
        """Answer a waiting request Unfilled, or say a reserved copy cannot be supplied
        after all."""
        self._run(branch, lambda b: b.unfill(leg_id), now)

    def check_in(self, branch: str, leg_id: str, now: datetime) -> None:
        """The lent copy is back on this branch's shelf: the loan is completed."""
        self._run(branch, lambda b: b.check_in(leg_id), now)

    def recall(self, branch: str, leg_id: str, now: datetime) -> None:
        """Ask the borrower to send the lent copy back early."""
        self._run(branch, lambda b: b.recall(leg_id), now)

    def mark_overdue(self, branch: str, now: datetime) -> int:
        """Tell every borrower past its due date; returns how many were told."""
        return len(self._run(branch, lambda b: b.mark_overdue(now.date()), now).drafts)

    def declare_lost(self, branch: str, item_id: str, now: datetime) -> None:
        """Write off one of this branch's copies."""
        self._run(branch, lambda b: b.declare_lost(item_id), now)

    def find(self, branch: str, item_id: str, now: datetime) -> None:
        """A written-off copy is back on the shelf."""
        self._run(branch, lambda b: b.find(item_id), now)

    # Transferring -------------------------------------------------------------------------

    def propose_transfer(
        self, branch: str, destination: str, item_ids: Iterable[str], now: datetime
    ) -> str:
        """Offer copies (on this branch's shelf) to ``destination`` for good; returns the
        transfer id."""
        transfer_id = _new_id(branch)
        items = tuple(item_ids)
        self._run(branch, lambda b: b.propose_transfer(transfer_id, destination, items), now)
        return transfer_id

    def accept_transfer(self, branch: str, transfer_id: str, now: datetime) -> None:
        """As the destination, agree to take the proposed copies."""
        self._run(branch, lambda b: b.accept_transfer(transfer_id), now)

    def decline_transfer(self, branch: str, transfer_id: str, now: datetime) -> None:
        """As the destination, refuse the proposed copies."""
        self._run(branch, lambda b: b.decline_transfer(transfer_id), now)

    def withdraw_transfer(self, branch: str, transfer_id: str, now: datetime) -> None:
        """As the source, call the transfer off before shipping."""
        self._run(branch, lambda b: b.withdraw_transfer(transfer_id), now)

    def ship_transfer(self, branch: str, transfer_id: str, now: datetime) -> None:
        """As the source, send the accepted batch."""
        self._run(branch, lambda b: b.ship_transfer(transfer_id), now)

    def receive_transfer(
        self, branch: str, transfer_id: str, now: datetime, item_ids: Iterable[str] | None = None
    ) -> None:
        """As the destination, record the copies that arrived (default: all outstanding);
        they are this branch's from now on."""
        node = self._nodes(branch)
        if item_ids is None:
            current = node.branch().transfers.get(transfer_id)
            items = current.outstanding if current else ()
        else:
            items = tuple(item_ids)
        self._run(branch, lambda b: b.receive_transfer(transfer_id, items), now, node)

    def resolve_conflict(
        self, branch: str, conflict_id: int, resolution: str, now: datetime
    ) -> Conflict:
        """Close a harvest conflict this branch is party to."""
        with self.store.write() as session:
            mine = {c.id for c in conflicts.open_conflicts(session, branch)}
            if conflict_id not in mine:
                raise LookupError(f"no open conflict {conflict_id} for {branch}")
            return conflicts.resolve(session, conflict_id, resolution, now)

    # Helpers ------------------------------------------------------------------------------

    def _act(self, branch: str, leg_id: str, action: RequesterAction, now: datetime) -> None:
        self._run(branch, lambda b: b.act(leg_id, action), now)

    def _run(
        self,
        branch: str,
        action: Callable[[Branch], Outcome],
        now: datetime,
        node: BranchNode | None = None,
    ) -> Outcome:
        outcome = (node or self._nodes(branch)).command(action, now)
        if outcome.refusal is not None:
            raise SyncRefused(outcome.refusal)
        return outcome


def configured_service(
    store: Store, settings: SyncSettings, holdings: UnionHoldings | None = None
) -> SyncService:
    """The sync service over ``store`` as the federation file's ``[sync]`` configures it:
    signing keys from ``key_dir``, the automatic-answer policy, patience and loan days;
    the union holdings from ``holdings`` (by default, the store's own; at a village agent,
    the hub's)."""
    keys = KeyDirectory(settings.key_dir, settings.answer_requests)
    if holdings is None and settings.branch and settings.hub_url:
        holdings = HubHoldings(settings.hub_url)  # a village store holds no works
    return SyncService(
        store,
        lambda branch: keys.node(store, branch),
        Patience(
            silence=timedelta(days=settings.patience_days),
            limit=timedelta(days=settings.patience_limit_days),
        ),
        loan_days=settings.loan_days,
        holdings=holdings,
    )


def _new_id(branch: str) -> str:
    # Ids live in the branch's own namespace, so no branch can take over another's.
    return f"{branch}:{uuid.uuid4().hex[:16]}"
