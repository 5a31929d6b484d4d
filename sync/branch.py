"""One branch's side of the protocol: its staff's commands and the messages it applies.

``Branch`` composes the pure state machines (custody, request legs, rota, transfers) for one
branch and keeps them in step: every command and every incoming message either changes all
the state it touches and returns the messages to send, or changes nothing and returns a
refusal. It does no I/O and reads no clock; the edge stamps, signs, stores and ships the
drafts, and feeds in messages released by the inbox, exactly once each and in order.

The branch owns ``custody`` of its items and alone writes it, including what the borrowing
branch reports. Requests for its copies are decided in the order it applies them: the first
one finds the copy on the shelf and reserves it, a later one is answered RetryPossible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType

from sync import loan_request, rota, transfer
from sync.catalogue import Holdings
from sync.custody import (
    ACTION_CUSTODY,
    TRANSFER_CUSTODY,
    Custody,
    CustodyEvent,
    CustodyStatus,
    Hold,
    HoldKind,
)
from sync.custody import apply as apply_custody
from sync.loan_request import Leg, LoanPhase
from sync.messages import (
    HUB,
    CustodyNotice,
    Draft,
    Message,
    NoticeEvent,
    Request,
    RequesterAction,
    RequestingAgencyMessage,
    SupplierStatus,
    SupplyingAgencyMessage,
    TransferAction,
    TransferMessage,
)
from sync.refusal import Refusal, RefusalCode
from sync.rota import LenderCandidate, Patience, Rota, RotaStatus, Step
from sync.transfer import Transfer, TransferStatus


@dataclass(frozen=True, slots=True)
class LoanPolicy:
    """What the branch answers without its staff: renewals of its loans always; incoming
    requests only when ``answer_requests`` is set (an unstaffed branch's explicit choice),
    otherwise they wait for staff to answer WillSupply, Unfilled or RetryPossible."""

    renewal_days: int = 14
    max_renewals: int = 2
    answer_requests: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a command or an incoming message did: drafts to send, or why nothing happened."""

    drafts: tuple[Draft, ...] = ()
    refusal: Refusal | None = None


_DECLINED = frozenset({LoanPhase.UNFILLED, LoanPhase.RETRY_POSSIBLE})

# Transfer steps the source takes (the destination takes the others).
_SOURCE_SAYS = frozenset({TransferAction.WITHDRAW, TransferAction.SHIPPED})


class Branch:
    """The protocol state of one branch, and every way it may change."""

    def __init__(
        self,
        code: str,
        holdings: Holdings,
        items: Iterable[str] = (),
        policy: LoanPolicy | None = None,
    ) -> None:
        self.code = code
        self._holdings = holdings
        self._policy = policy or LoanPolicy()
        self._custody = {i: Custody(i, code) for i in items}
        self._lending: dict[str, Leg] = {}
        self._borrowing: dict[str, Leg] = {}
        self._rotas: dict[str, Rota] = {}
        self._wants: dict[str, Request] = {}
        self._transfers: dict[str, Transfer] = {}

    # Persistence ---------------------------------------------------------------------------

    _STATE = ("_custody", "_lending", "_borrowing", "_rotas", "_wants", "_transfers")

    def state(self) -> dict[str, dict[str, object]]:
        """Everything the branch knows, as plain frozen dataclasses, for its edge to save."""
        return {name: dict(getattr(self, name)) for name in self._STATE}

    @classmethod
    def restore(
        cls,
        code: str,
        holdings: Holdings,
        state: Mapping[str, Mapping[str, object]],
        policy: LoanPolicy | None = None,
    ) -> Branch:
        """The branch :meth:`state` was taken from, working again."""
        branch = cls(code, holdings, (), policy)
        for name in cls._STATE:
            setattr(branch, name, dict(state[name]))
        return branch

    def add_items(self, item_ids: Iterable[str]) -> tuple[str, ...]:
        """Take newly catalogued copies onto this branch's shelf; returns those that were new."""
        new = tuple(i for i in item_ids if i not in self._custody)
        self._custody.update({i: Custody(i, self.code) for i in new})
        return new

    # Read-only views ----------------------------------------------------------------------

    @property
    def custody(self) -> Mapping[str, Custody]:
        """Custody of every item this branch owns."""
        return MappingProxyType(self._custody)

    @property
    def lending(self) -> Mapping[str, Leg]:
        """Request legs this branch supplies, by leg id."""
        return MappingProxyType(self._lending)

    @property
    def borrowing(self) -> Mapping[str, Leg]:
        """Request legs this branch asked for, by leg id."""
        return MappingProxyType(self._borrowing)

    @property
    def rotas(self) -> Mapping[str, Rota]:
        """This branch's patron requests, by request id."""
        return MappingProxyType(self._rotas)

    @property
    def transfers(self) -> Mapping[str, Transfer]:
        """Transfers this branch sends or receives, by transfer id."""
        return MappingProxyType(self._transfers)

    # Requesting ---------------------------------------------------------------------------

    def request_title(
        self,
        request_id: str,
        work_id: str,
        now: datetime,
        candidates: Iterable[LenderCandidate] | None = None,
    ) -> Outcome:
        """A patron wants any copy of ``work_id``: walk the rota of lenders holding it, from
        ``candidates`` (the union holdings as the hub has them) or this branch's holdings."""
        found = self._holdings.lenders_for(work_id, self.code) if candidates is None else candidates
        lenders = rota.build_rota(found, self.code)
        return self._start(request_id, Request(work_id=work_id), lenders, now)

    def request_item(self, request_id: str, item_id: str, owner: str, now: datetime) -> Outcome:
        """A patron wants one particular copy: ask its owner alone."""
        return self._start(request_id, Request(item_id=item_id), (owner,), now)

    def cancel_request(self, request_id: str) -> Outcome:
        """The patron withdraws: stop the walk and ask the current lender to cancel.

        If the copy has already been shipped the lender will say no and the loan goes on.
        """
        walk = self._rotas.get(request_id)
        if walk is None:
            return _refused(RefusalCode.UNKNOWN_REQUEST, request_id)
        if walk.status not in (RotaStatus.ASKING, RotaStatus.SUPPLIED):
            return _refused(RefusalCode.INVALID_TRANSITION, f"{request_id} is {walk.status}")
        current = rota.leg_id(request_id, walk.position)
        self._rotas[request_id] = rota.cancel(walk)
        leg = loan_request.act(self._borrowing[current], RequesterAction.CANCEL)
        if isinstance(leg, Refusal):  # already shipped as far as this side knows
            return Outcome()
        self._borrowing[current] = leg
        return Outcome((_to(leg.supplier, current, RequesterAction.CANCEL),))

    def pass_over_late(
        self, now: datetime, last_heard: Mapping[str, datetime], patience: Patience
    ) -> Outcome:
        """Skip every lender that has not answered in time, judged by ``last_heard`` (the
        last time each branch was heard from); cancel its leg and ask the next lender."""
        drafts: list[Draft] = []
        for request_id, walk in sorted(self._rotas.items()):
            if walk.status is not RotaStatus.ASKING:
                continue
            if not rota.is_late(walk, now, last_heard.get(walk.lenders[walk.position]), patience):
                continue
            current = rota.leg_id(request_id, walk.position)
            leg = loan_request.act(self._borrowing[current], RequesterAction.CANCEL)
            if not isinstance(leg, Refusal):
                self._borrowing[current] = leg
                drafts.append(_to(leg.supplier, current, RequesterAction.CANCEL))
            walk, step = rota.pass_over(walk, now)
            drafts.extend(self._follow(walk, step))
        return Outcome(tuple(drafts))

    def act(self, leg_id: str, action: RequesterAction) -> Outcome:
        """Record a requester action on a borrowed copy (received, lent to a patron, returned
        by the patron, shipped back, renew, status request) and tell the supplier."""
        leg = self._borrowing.get(leg_id)
        if leg is None:
            return _refused(RefusalCode.UNKNOWN_REQUEST, leg_id)
        if action is RequesterAction.CANCEL:
            return _refused(RefusalCode.NOT_PERMITTED, "cancel through cancel_request")
        moved = loan_request.act(leg, action)
        if isinstance(moved, Refusal):
            return Outcome(refusal=moved)
        self._borrowing[leg_id] = moved
        return Outcome((_to(leg.supplier, leg_id, action),))

    # Supplying ----------------------------------------------------------------------------

    def answer(
        self,
        leg_id: str,
        status: SupplierStatus,
        item_id: str | None = None,
        copies: Iterable[str] | None = None,
    ) -> Outcome:
        """Staff answer a waiting request: WillSupply reserves ``item_id`` (or the first of
        this branch's copies asked for that is on the shelf), Unfilled and RetryPossible
        decline it. ``copies`` are this branch's copies of the work asked for as the union
        holdings list them (by default, as this branch's holdings do)."""
        leg = self._lending.get(leg_id)
        if leg is None:
            return _refused(RefusalCode.UNKNOWN_REQUEST, leg_id)
        if status is not SupplierStatus.WILL_SUPPLY:
            if item_id is not None:
                return _refused(RefusalCode.MALFORMED, "only WillSupply names a copy")
            return self._supply(leg_id, lambda leg: loan_request.answer(leg, status), None)
        if item_id is None:
            item_id = self._choose_copy(leg.request, copies)[1]
            if item_id is None:
                return _refused(RefusalCode.INVALID_TRANSITION, f"{leg_id}: no copy on the shelf")
        elif item_id not in self._candidates(leg.request, copies):
            return _refused(RefusalCode.UNKNOWN_ITEM, f"{item_id} is not a copy asked for")
        chosen = item_id
        hold = Hold(HoldKind.LOAN, leg_id, leg.requester)
        return self._supply(
            leg_id,
            lambda leg: loan_request.answer(leg, status, chosen),
            CustodyEvent.RESERVE,
            hold,
            chosen,
        )

    def ship(self, leg_id: str, due: date) -> Outcome:
        """Send the reserved copy to the requester, due back on ``due``."""
        return self._supply(leg_id, lambda leg: loan_request.ship(leg, due), CustodyEvent.SHIP)

    def unfill(self, leg_id: str) -> Outcome:
        """The request cannot be supplied: answered Unfilled while it waits, or (a copy
        reserved) not after all, the copy going back on the shelf."""
        leg = self._lending.get(leg_id)
        if leg is not None and leg.phase is LoanPhase.REQUESTED:
            return self.answer(leg_id, SupplierStatus.UNFILLED)
        return self._supply(leg_id, loan_request.unfill, CustodyEvent.RELEASE)

    def check_in(self, leg_id: str) -> Outcome:
        """The lent copy is back on the shelf: the loan is completed."""
        return self._supply(leg_id, loan_request.check_in, CustodyEvent.CHECK_IN)

    def recall(self, leg_id: str) -> Outcome:
        """Ask for the lent copy back before its due date."""
        return self._supply(leg_id, loan_request.recall, None)

    def mark_overdue(self, today: date) -> Outcome:
        """Tell every borrower whose loan from this branch is past its due date."""
        drafts: list[Draft] = []
        for leg_id, leg in sorted(self._lending.items()):
            result = loan_request.mark_overdue(leg, today)
            if not isinstance(result, Refusal):
                self._lending[leg_id], reply = result
                drafts.append(Draft(leg.requester, leg_id, reply))
        return Outcome(tuple(drafts))

    def declare_lost(self, item_id: str) -> Outcome:
        """Write a copy off; a loan it was out on ends without return (or Unfilled if the
        copy was only reserved). The hub is told, so search stops offering the copy."""
        custody = self._custody.get(item_id)
        if custody is None:
            return _refused(RefusalCode.UNKNOWN_ITEM, item_id)
        hold = custody.hold
        if hold is None or hold.kind is not HoldKind.LOAN:
            outcome = self._set_custody(item_id, CustodyEvent.LOSE, hold)
        else:
            leg = self._lending[hold.id]
            ends = (
                loan_request.unfill
                if leg.phase is LoanPhase.WILL_SUPPLY
                else loan_request.declare_lost
            )
            outcome = self._supply(hold.id, ends, CustodyEvent.LOSE)
        return _noticed(outcome, NoticeEvent.LOST, item_id)

    def find(self, item_id: str) -> Outcome:
        """A copy written off is back on its owner's shelf (and the hub is told)."""
        if item_id not in self._custody:
            return _refused(RefusalCode.UNKNOWN_ITEM, item_id)
        outcome = self._set_custody(item_id, CustodyEvent.FIND, None)
        return _noticed(outcome, NoticeEvent.FOUND, item_id)

    # Transferring -------------------------------------------------------------------------

    def propose_transfer(
        self, transfer_id: str, destination: str, item_ids: Iterable[str]
    ) -> Outcome:
        """Offer ``item_ids`` (all on this branch's shelf) to ``destination`` for good."""
        if not transfer_id.startswith(f"{self.code}:"):
            return _refused(RefusalCode.FOREIGN_ID, transfer_id)
        if transfer_id in self._transfers:
            return _refused(RefusalCode.DUPLICATE_ID, transfer_id)
        proposal = transfer.propose(transfer_id, self.code, destination, item_ids)
        if isinstance(proposal, Refusal):
            return Outcome(refusal=proposal)
        hold = Hold(HoldKind.TRANSFER, transfer_id, destination)
        reserved = self._custody_all(proposal.item_ids, CustodyEvent.RESERVE, hold)
        if isinstance(reserved, Refusal):
            return Outcome(refusal=reserved)
        self._custody.update(reserved)
        self._transfers[transfer_id] = proposal
        body = TransferMessage(TransferAction.PROPOSE, proposal.item_ids)
        return Outcome((Draft(destination, transfer_id, body),))

    def accept_transfer(self, transfer_id: str) -> Outcome:
        """As the destination, agree to take the proposed items."""
        return self._step_transfer(transfer_id, TransferAction.ACCEPT, source=False)

    def decline_transfer(self, transfer_id: str) -> Outcome:
        """As the destination, refuse the proposed items."""
        return self._step_transfer(transfer_id, TransferAction.DECLINE, source=False)

    def withdraw_transfer(self, transfer_id: str) -> Outcome:
        """As the source, call the transfer off before shipping; the items are free again."""
        return self._step_transfer(transfer_id, TransferAction.WITHDRAW, source=True)

    def ship_transfer(self, transfer_id: str) -> Outcome:
        """As the source, send the accepted batch."""
        return self._step_transfer(transfer_id, TransferAction.SHIPPED, source=True)

    def receive_transfer(self, transfer_id: str, item_ids: Iterable[str]) -> Outcome:
        """As the destination, report the items that arrived: they are now this branch's."""
        current = self._transfers.get(transfer_id)
        if current is None or current.destination != self.code:
            return _refused(RefusalCode.UNKNOWN_TRANSFER, transfer_id)
        arrived = tuple(item_ids)
        moved = transfer.apply(current, TransferAction.RECEIVED, arrived)
        if isinstance(moved, Refusal):
            return Outcome(refusal=moved)
        self._transfers[transfer_id] = moved
        self._custody.update({i: Custody(i, self.code) for i in arrived})
        body = TransferMessage(TransferAction.RECEIVED, arrived)
        return Outcome((Draft(current.source, transfer_id, body),))

    # Incoming -----------------------------------------------------------------------------

    def apply(self, message: Message, now: datetime) -> Outcome:
        """Apply one message addressed to this branch (released by the inbox, in order).

        A refusal here is an ordinary outcome (say, an acceptance that crossed a withdrawal)
        to be recorded in the audit log; the message is still consumed.
        """
        if message.recipient != self.code:
            return _refused(RefusalCode.NOT_PERMITTED, f"{message.request_id}: not for us")
        body = message.body
        if isinstance(body, Request):
            return self._on_request(message, body)
        if isinstance(body, SupplyingAgencyMessage):
            return self._on_status(message, body, now)
        if isinstance(body, RequestingAgencyMessage):
            return self._on_action(message, body, now.date())
        if isinstance(body, CustodyNotice):
            return _refused(RefusalCode.NOT_PERMITTED, f"{message.request_id}: for the hub")
        return self._on_transfer(message, body)

    def _on_request(self, message: Message, body: Request) -> Outcome:
        if message.request_id in self._lending:
            return _refused(RefusalCode.DUPLICATE_ID, message.request_id)
        leg_id = message.request_id
        self._lending[leg_id] = loan_request.receive_request(
            leg_id, message.origin, self.code, body
        )
        if not self._policy.answer_requests:
            return Outcome()  # staff answer it from the desk
        status, item_id = self._choose_copy(body)
        return self.answer(leg_id, status, item_id)

    def _candidates(self, body: Request, copies: Iterable[str] | None = None) -> list[str]:
        if body.item_id is not None:
            return [body.item_id] if body.item_id in self._custody else []
        assert body.work_id is not None  # a Request names an item or a work
        if copies is None:
            copies = self._holdings.copies_of(body.work_id, self.code)
        return sorted(set(copies) & self._custody.keys())

    def _choose_copy(
        self, body: Request, copies: Iterable[str] | None = None
    ) -> tuple[SupplierStatus, str | None]:
        # The owner decides in the order it answers requests: a copy already held for an
        # earlier request is not on the shelf, so the later request is told to retry.
        candidates = self._candidates(body, copies)
        statuses = [self._custody[i].status for i in candidates]
        for item_id, status in zip(candidates, statuses, strict=True):
            if status is CustodyStatus.ON_SHELF:
                return SupplierStatus.WILL_SUPPLY, item_id
        if any(s is not CustodyStatus.LOST for s in statuses):
            return SupplierStatus.RETRY_POSSIBLE, None
        return SupplierStatus.UNFILLED, None

    def _on_status(self, message: Message, body: SupplyingAgencyMessage, now: datetime) -> Outcome:
        leg = self._borrowing.get(message.request_id)
        if leg is None or leg.supplier != message.origin:
            return _refused(RefusalCode.UNKNOWN_REQUEST, message.request_id)
        moved = loan_request.receive_status(leg, body)
        if isinstance(moved, Refusal):
            return Outcome(refusal=moved)
        self._borrowing[message.request_id] = moved
        if moved.phase is leg.phase:
            return Outcome()
        request_id, _, number = message.request_id.rpartition("/")
        walk, position = self._rotas[request_id], int(number) - 1
        if moved.phase is LoanPhase.WILL_SUPPLY:
            self._rotas[request_id] = rota.will_supply(walk, position)
        elif moved.phase in _DECLINED:
            walk, step = rota.declined(walk, position, now)
            return Outcome(self._follow(walk, step))
        return Outcome()

    def _on_action(self, message: Message, body: RequestingAgencyMessage, today: date) -> Outcome:
        leg = self._lending.get(message.request_id)
        if leg is None or leg.requester != message.origin:
            return _refused(RefusalCode.UNKNOWN_REQUEST, message.request_id)
        renewal_due = None
        if leg.due is not None and leg.renewals < self._policy.max_renewals:
            renewal_due = max(leg.due, today) + timedelta(days=self._policy.renewal_days)
        result = loan_request.receive_action(leg, body.action, renewal_due)
        if isinstance(result, Refusal):
            return Outcome(refusal=result)
        moved, reply = result
        event = ACTION_CUSTODY.get(body.action)
        if moved.phase is LoanPhase.CANCELLED and leg.phase is not LoanPhase.CANCELLED:
            # A cancel granted frees the reserved copy (none yet if it was still waiting).
            event = CustodyEvent.RELEASE if leg.item_id is not None else None
        if event is not None:
            assert leg.item_id is not None  # only a supplied leg gets past WillSupply
            hold = Hold(HoldKind.LOAN, leg.request_id, leg.requester)
            custody = apply_custody(self._custody[leg.item_id], event, hold)
            if isinstance(custody, Refusal):
                return Outcome(refusal=custody)
            self._custody[leg.item_id] = custody
        self._lending[message.request_id] = moved
        drafts = () if reply is None else (Draft(leg.requester, leg.request_id, reply),)
        return Outcome(drafts)

    def _on_transfer(self, message: Message, body: TransferMessage) -> Outcome:
        tid = message.request_id
        if body.action is TransferAction.PROPOSE:
            if tid in self._transfers:
                return _refused(RefusalCode.DUPLICATE_ID, tid)
            proposal = transfer.propose(tid, message.origin, self.code, body.item_ids)
            if isinstance(proposal, Refusal):
                return Outcome(refusal=proposal)
            self._transfers[tid] = proposal
            return Outcome()
        current = self._transfers.get(tid)
        if current is None or message.origin not in (current.source, current.destination):
            return _refused(RefusalCode.UNKNOWN_TRANSFER, tid)
        sender = current.source if body.action in _SOURCE_SAYS else current.destination
        if message.origin != sender:
            return _refused(RefusalCode.NOT_PERMITTED, f"{tid}: {body.action} not theirs")
        moved = transfer.apply(current, body.action, body.item_ids)
        if isinstance(moved, Refusal):
            return Outcome(refusal=moved)
        if current.source == self.code:
            return self._commit_transfer(current, moved, body.action, body.item_ids)
        self._transfers[tid] = moved
        return Outcome()

    # Helpers ------------------------------------------------------------------------------

    def _start(
        self, request_id: str, want: Request, lenders: tuple[str, ...], now: datetime
    ) -> Outcome:
        if not request_id.startswith(f"{self.code}:") or "/" in request_id:
            return _refused(RefusalCode.FOREIGN_ID, f"{request_id}: use '{self.code}:<id>'")
        if request_id in self._rotas:
            return _refused(RefusalCode.DUPLICATE_ID, request_id)
        self._wants[request_id] = want
        walk, step = rota.start(request_id, tuple(b for b in lenders if b != self.code), now)
        return Outcome(self._follow(walk, step))

    def _follow(self, walk: Rota, step: Step | None) -> tuple[Draft, ...]:
        self._rotas[walk.request_id] = walk
        if not isinstance(step, rota.Ask):
            return ()
        want = self._wants[walk.request_id]
        self._borrowing[step.leg_id] = loan_request.open_request(
            step.leg_id, self.code, step.lender, want
        )
        return (Draft(step.lender, step.leg_id, want),)

    def _supply(
        self,
        leg_id: str,
        change: Callable[[Leg], loan_request.Reply | Refusal],
        event: CustodyEvent | None,
        hold: Hold | None = None,
        item_id: str | None = None,
    ) -> Outcome:
        leg = self._lending.get(leg_id)
        if leg is None:
            return _refused(RefusalCode.UNKNOWN_REQUEST, leg_id)
        result = change(leg)
        if isinstance(result, Refusal):
            return Outcome(refusal=result)
        moved, reply = result
        if event is not None:
            item = item_id or leg.item_id
            assert item is not None  # a leg past its answer names its copy
            hold = hold or Hold(HoldKind.LOAN, leg_id, leg.requester)
            custody = apply_custody(self._custody[item], event, hold)
            if isinstance(custody, Refusal):
                return Outcome(refusal=custody)
            self._custody[item] = custody
        self._lending[leg_id] = moved
        return Outcome((Draft(leg.requester, leg_id, reply),))

    def _set_custody(self, item_id: str, event: CustodyEvent, hold: Hold | None) -> Outcome:
        custody = apply_custody(self._custody[item_id], event, hold)
        if isinstance(custody, Refusal):
            return Outcome(refusal=custody)
        self._custody[item_id] = custody
        return Outcome()

    def _custody_all(
        self, item_ids: Iterable[str], event: CustodyEvent, hold: Hold | None
    ) -> dict[str, Custody] | Refusal:
        # All or nothing: a batch moves together or not at all.
        moved: dict[str, Custody] = {}
        for item_id in item_ids:
            custody = self._custody.get(item_id)
            if custody is None:
                return Refusal(RefusalCode.UNKNOWN_ITEM, item_id)
            result = apply_custody(custody, event, hold)
            if isinstance(result, Refusal):
                return result
            moved[item_id] = result
        return moved

    def _step_transfer(self, transfer_id: str, action: TransferAction, source: bool) -> Outcome:
        current = self._transfers.get(transfer_id)
        side = None if current is None else (current.source if source else current.destination)
        if current is None or side != self.code:
            return _refused(RefusalCode.UNKNOWN_TRANSFER, transfer_id)
        if action is TransferAction.WITHDRAW and current.status is TransferStatus.DECLINED:
            # Only a withdrawal crossing a decline takes a declined transfer to withdrawn.
            return _refused(RefusalCode.INVALID_TRANSITION, f"{transfer_id} was declined")
        moved = transfer.apply(current, action)
        if isinstance(moved, Refusal):
            return Outcome(refusal=moved)
        other = current.destination if source else current.source
        draft = Draft(other, transfer_id, TransferMessage(action))
        if not source:
            self._transfers[transfer_id] = moved
            return Outcome((draft,))
        outcome = self._commit_transfer(current, moved, action, ())
        return outcome if outcome.refusal else Outcome((draft,))

    def _commit_transfer(
        self,
        current: Transfer,
        moved: Transfer,
        action: TransferAction,
        arrived: tuple[str, ...],
    ) -> Outcome:
        # The source's custody follows its copy of the transfer: reserved items are freed
        # when it is called off, shipped when it ships, and handed over as they arrive.
        hold = Hold(HoldKind.TRANSFER, current.transfer_id, current.destination)
        event = TRANSFER_CUSTODY.get(action)
        changed: dict[str, Custody] | Refusal = {}
        if event is not None:
            items = arrived if action is TransferAction.RECEIVED else current.item_ids
            changed = self._custody_all(items, event, hold)
        if isinstance(changed, Refusal):
            return Outcome(refusal=changed)
        self._transfers[current.transfer_id] = moved
        for item_id, custody in changed.items():
            if custody.owner == self.code:
                self._custody[item_id] = custody
            else:
                del self._custody[item_id]  # ownership moved: the new owner writes it now
        return Outcome()


def _noticed(outcome: Outcome, event: NoticeEvent, item_id: str) -> Outcome:
    # Custody changes no other message reports: the hub hears of them from the owner.
    if outcome.refusal is not None:
        return outcome
    notice = Draft(HUB, item_id, CustodyNotice(event, item_id))
    return Outcome((*outcome.drafts, notice))


def _to(recipient: str, leg_id: str, action: RequesterAction) -> Draft:
    return Draft(recipient, leg_id, RequestingAgencyMessage(action))


def _refused(code: RefusalCode, detail: str) -> Outcome:
    return Outcome(refusal=Refusal(code, detail))
