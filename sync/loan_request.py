"""The life cycle of one loan request leg: one requester asking one supplier, in ISO 18626 terms.

Both branches keep a copy of the leg. The supplier's copy is authoritative: it decides every
race in the order it sees things and tells the requester, whose copy follows the supplier's
messages (delivered in order). So when a requester's ``Cancel`` crosses the supplier's
shipment, the supplier answers ``CancelResponse`` no (the copy is already out) and both sides
carry on with the loan; when it arrives before shipment, both end ``Cancelled``.

    requested    ─WillSupply─────────────▶ will_supply   (the copy is reserved)
    requested    ─RetryPossible──────────▶ retry_possible
    requested    ─Unfilled───────────────▶ unfilled
    requested    ─Cancel, granted────────▶ cancelled
    will_supply  ─Unfilled───────────────▶ unfilled      (not on the shelf after all)
    will_supply  ─Cancel, granted────────▶ cancelled
    will_supply  ─Loaned─────────────────▶ shipped
    shipped      ─Received───────────────▶ received
    received     ─LentToPatron───────────▶ with_patron
    with_patron  ─ReturnedByPatron───────▶ received
    received     ─ShippedReturn──────────▶ returning
    returning    ─LoanCompleted──────────▶ completed
    shipped, received, with_patron, returning ─CompletedWithoutReturn─▶ lost

The supplier's leg starts ``requested`` when the Request arrives and waits there for the
supplier's staff to answer (or is answered at once, under a branch's automatic policy).
Due date, renewals, ``Overdue`` and ``Recalled`` are flags on the loaned phases. Terminal
phases never change again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from sync.messages import (
    ReasonForMessage,
    Request,
    RequesterAction,
    SupplierStatus,
    SupplyingAgencyMessage,
)
from sync.refusal import Refusal, RefusalCode


class LoanPhase(StrEnum):
    """Where a loan request leg stands."""

    REQUESTED = "requested"
    WILL_SUPPLY = "will_supply"
    SHIPPED = "shipped"
    RECEIVED = "received"
    WITH_PATRON = "with_patron"
    RETURNING = "returning"
    COMPLETED = "completed"
    UNFILLED = "unfilled"
    RETRY_POSSIBLE = "retry_possible"
    CANCELLED = "cancelled"
    LOST = "lost"


_P = LoanPhase

TERMINAL = frozenset({_P.COMPLETED, _P.UNFILLED, _P.RETRY_POSSIBLE, _P.CANCELLED, _P.LOST})
# The supplier's copy is out of its hands in these phases.
OUT = frozenset({_P.SHIPPED, _P.RECEIVED, _P.WITH_PATRON, _P.RETURNING})
# A loan may be renewed, recalled or fall overdue only while the borrower still keeps it.
_KEPT = frozenset({_P.SHIPPED, _P.RECEIVED, _P.WITH_PATRON})
_CANCELLABLE = frozenset({_P.REQUESTED, _P.WILL_SUPPLY})


@dataclass(frozen=True, slots=True)
class Leg:
    """One side's copy of a request leg.

    ``item_id`` is the copy being supplied (known from WillSupply). ``cancel_pending`` and
    ``renew_pending`` are the requester's own outstanding asks; everything else converges to
    the same value on both sides once all messages are delivered.
    """

    request_id: str
    requester: str
    supplier: str
    request: Request
    phase: LoanPhase
    item_id: str | None = None
    due: date | None = None
    overdue: bool = False
    recalled: bool = False
    renewals: int = 0
    cancel_pending: bool = False
    renew_pending: bool = False


def status_of(leg: Leg) -> SupplierStatus:
    """The ISO 18626 supplier status a leg stands at (a requested leg: ExpectToSupply)."""
    if leg.phase in OUT and leg.phase is not _P.RETURNING:
        if leg.recalled:
            return SupplierStatus.RECALLED
        if leg.overdue:
            return SupplierStatus.OVERDUE
    return _STATUS[leg.phase]


_STATUS: dict[LoanPhase, SupplierStatus] = {
    _P.REQUESTED: SupplierStatus.EXPECT_TO_SUPPLY,
    _P.WILL_SUPPLY: SupplierStatus.WILL_SUPPLY,
    _P.SHIPPED: SupplierStatus.LOANED,
    _P.RECEIVED: SupplierStatus.LOANED,
    _P.WITH_PATRON: SupplierStatus.LOANED,
    _P.RETURNING: SupplierStatus.LOANED,
    _P.COMPLETED: SupplierStatus.LOAN_COMPLETED,
    _P.UNFILLED: SupplierStatus.UNFILLED,
    _P.RETRY_POSSIBLE: SupplierStatus.RETRY_POSSIBLE,
    _P.CANCELLED: SupplierStatus.CANCELLED,
    _P.LOST: SupplierStatus.COMPLETED_WITHOUT_RETURN,
}

# Supplier side ------------------------------------------------------------------------------

Reply = tuple[Leg, SupplyingAgencyMessage]

_ANSWERS = {
    SupplierStatus.WILL_SUPPLY: _P.WILL_SUPPLY,
    SupplierStatus.UNFILLED: _P.UNFILLED,
    SupplierStatus.RETRY_POSSIBLE: _P.RETRY_POSSIBLE,
}


def receive_request(request_id: str, requester: str, supplier: str, request: Request) -> Leg:
    """The supplier's leg as a Request arrives: waiting for its staff's answer."""
    return Leg(request_id, requester, supplier, request, _P.REQUESTED)


def answer(leg: Leg, status: SupplierStatus, item_id: str | None = None) -> Reply | Refusal:
    """The supplier answers a waiting request: WillSupply (naming the copy reserved),
    Unfilled or RetryPossible; and the reply to send."""
    if status not in _ANSWERS:
        raise ValueError(f"a request is answered WillSupply, Unfilled or RetryPossible: {status}")
    if (status is SupplierStatus.WILL_SUPPLY) != (item_id is not None):
        raise ValueError("WillSupply names the copy reserved, and only WillSupply does")
    if leg.phase is not _P.REQUESTED:
        return _refuse(leg, f"answer {status}")
    answered = replace(leg, phase=_ANSWERS[status], item_id=item_id)
    return answered, _report(answered, ReasonForMessage.REQUEST_RESPONSE)


def ship(leg: Leg, due: date) -> Reply | Refusal:
    """The supplier sends the reserved copy, due back on ``due``: status Loaned."""
    if leg.phase is not _P.WILL_SUPPLY:
        return _refuse(leg, "ship")
    return _changed(replace(leg, phase=_P.SHIPPED, due=due))


def unfill(leg: Leg) -> Reply | Refusal:
    """The supplier cannot supply after all (the copy is not on the shelf): Unfilled."""
    if leg.phase is not _P.WILL_SUPPLY:
        return _refuse(leg, "unfill")
    return _changed(replace(leg, phase=_P.UNFILLED))


def check_in(leg: Leg) -> Reply | Refusal:
    """The copy is back on the supplier's shelf: LoanCompleted."""
    if leg.phase is not _P.RETURNING:
        return _refuse(leg, "check in")
    return _changed(replace(leg, phase=_P.COMPLETED))


def recall(leg: Leg) -> Reply | Refusal:
    """The supplier wants the copy back before its due date: Recalled."""
    if leg.phase not in _KEPT or leg.recalled:
        return _refuse(leg, "recall")
    return _flagged(replace(leg, recalled=True), SupplierStatus.RECALLED)


def mark_overdue(leg: Leg, today: date) -> Reply | Refusal:
    """Judged on the supplier's ``today``: the due date has passed and the copy is not back."""
    if leg.phase not in _KEPT or leg.overdue or leg.due is None or leg.due >= today:
        return _refuse(leg, "mark overdue")
    return _flagged(replace(leg, overdue=True), SupplierStatus.OVERDUE)


def declare_lost(leg: Leg) -> Reply | Refusal:
    """The supplier writes the lent copy off: CompletedWithoutReturn."""
    if leg.phase not in OUT:
        return _refuse(leg, "declare lost")
    return _changed(replace(leg, phase=_P.LOST))


# What each requester action does to the supplier's copy of the leg when it arrives.
_FOLLOWS: dict[tuple[LoanPhase, RequesterAction], LoanPhase] = {
    (_P.SHIPPED, RequesterAction.RECEIVED): _P.RECEIVED,
    (_P.RECEIVED, RequesterAction.LENT_TO_PATRON): _P.WITH_PATRON,
    (_P.WITH_PATRON, RequesterAction.RETURNED_BY_PATRON): _P.RECEIVED,
    (_P.RECEIVED, RequesterAction.SHIPPED_RETURN): _P.RETURNING,
}


def receive_action(
    leg: Leg, action: RequesterAction, renewal_due: date | None = None
) -> tuple[Leg, SupplyingAgencyMessage | None] | Refusal:
    """Apply the requester's ``action`` to the supplier's leg; return the reply, if any.

    Cancel is granted only before shipping, otherwise answered no and the loan goes on.
    Renew is granted when ``renewal_due`` is given (the supplier's policy allows another
    renewal) and the loan is neither recalled nor on its way back.
    """
    if action is RequesterAction.CANCEL:
        if leg.phase in _CANCELLABLE:
            cancelled = replace(leg, phase=_P.CANCELLED)
            return _answered(cancelled, ReasonForMessage.CANCEL_RESPONSE, True)
        return leg, _report(leg, ReasonForMessage.CANCEL_RESPONSE, answer=False)
    if action is RequesterAction.RENEW:
        if leg.phase in _KEPT and not leg.recalled and renewal_due is not None:
            renewed = replace(leg, due=renewal_due, overdue=False, renewals=leg.renewals + 1)
            return _answered(renewed, ReasonForMessage.RENEW_RESPONSE, True)
        return leg, _report(leg, ReasonForMessage.RENEW_RESPONSE, answer=False)
    if action is RequesterAction.STATUS_REQUEST:
        return leg, _report(leg, ReasonForMessage.STATUS_REQUEST_RESPONSE)
    target = _FOLLOWS.get((leg.phase, action))
    if target is None:
        return _refuse(leg, action)
    return replace(leg, phase=target), None


# Requester side -----------------------------------------------------------------------------


def open_request(request_id: str, requester: str, supplier: str, request: Request) -> Leg:
    """The requester's leg as it sends ``request`` to ``supplier``."""
    return Leg(request_id, requester, supplier, request, _P.REQUESTED)


# What the requester's own actions do to its copy of the leg (None: no phase change).
_ACTS: dict[RequesterAction, tuple[frozenset[LoanPhase], LoanPhase | None]] = {
    RequesterAction.RECEIVED: (frozenset({_P.SHIPPED}), _P.RECEIVED),
    RequesterAction.LENT_TO_PATRON: (frozenset({_P.RECEIVED}), _P.WITH_PATRON),
    RequesterAction.RETURNED_BY_PATRON: (frozenset({_P.WITH_PATRON}), _P.RECEIVED),
    RequesterAction.SHIPPED_RETURN: (frozenset({_P.RECEIVED}), _P.RETURNING),
    RequesterAction.CANCEL: (_CANCELLABLE, None),
    RequesterAction.RENEW: (_KEPT, None),
    RequesterAction.STATUS_REQUEST: (frozenset(LoanPhase), None),
}


def act(leg: Leg, action: RequesterAction) -> Leg | Refusal:
    """The requester's leg after it takes ``action`` (then it sends the action)."""
    allowed, target = _ACTS[action]
    if leg.phase not in allowed:
        return _refuse(leg, action)
    if action is RequesterAction.CANCEL:
        if leg.cancel_pending:
            return _refuse(leg, "cancel twice")
        return replace(leg, cancel_pending=True)
    if action is RequesterAction.RENEW:
        if leg.recalled or leg.renew_pending:
            return _refuse(leg, "renew when recalled or already asked")
        return replace(leg, renew_pending=True)
    if action is RequesterAction.LENT_TO_PATRON and leg.recalled:
        return _refuse(leg, "lend a recalled copy")
    return leg if target is None else replace(leg, phase=target)


# Supplier status -> (phases the requester may be in, phase it moves to) for status changes.
_REPORTS: dict[SupplierStatus, tuple[frozenset[LoanPhase], LoanPhase]] = {
    SupplierStatus.EXPECT_TO_SUPPLY: (frozenset({_P.REQUESTED}), _P.REQUESTED),
    SupplierStatus.WILL_SUPPLY: (frozenset({_P.REQUESTED}), _P.WILL_SUPPLY),
    SupplierStatus.RETRY_POSSIBLE: (frozenset({_P.REQUESTED}), _P.RETRY_POSSIBLE),
    SupplierStatus.UNFILLED: (_CANCELLABLE, _P.UNFILLED),
    SupplierStatus.LOANED: (frozenset({_P.WILL_SUPPLY}), _P.SHIPPED),
    SupplierStatus.LOAN_COMPLETED: (frozenset({_P.RETURNING}), _P.COMPLETED),
    SupplierStatus.COMPLETED_WITHOUT_RETURN: (OUT, _P.LOST),
}


def receive_status(leg: Leg, message: SupplyingAgencyMessage) -> Leg | Refusal:
    """The requester's leg after the supplier's ``message`` (the supplier's word stands)."""
    if message.reason is ReasonForMessage.CANCEL_RESPONSE:
        leg = replace(leg, cancel_pending=False)
        if message.answer and leg.phase in _CANCELLABLE:
            return replace(leg, phase=_P.CANCELLED)
        return leg
    if message.reason is ReasonForMessage.RENEW_RESPONSE:
        leg = replace(leg, renew_pending=False)
        if message.answer:
            return replace(leg, due=message.due, overdue=False, renewals=leg.renewals + 1)
        return leg
    if message.reason is ReasonForMessage.STATUS_REQUEST_RESPONSE:
        return leg
    # The supplier flags a loan it still thinks kept; the requester may have shipped it back
    # meanwhile, and takes the flag anyway so both copies of the leg agree.
    if message.status is SupplierStatus.OVERDUE and leg.phase in OUT:
        return replace(leg, overdue=True)
    if message.status is SupplierStatus.RECALLED and leg.phase in OUT:
        return replace(leg, recalled=True)
    rule = _REPORTS.get(message.status)
    if rule is None or leg.phase not in rule[0]:
        return _refuse(leg, message.status)
    target = rule[1]
    if message.status is SupplierStatus.WILL_SUPPLY:
        return replace(leg, phase=target, item_id=message.item_id)
    if message.status is SupplierStatus.LOANED:
        return replace(leg, phase=target, due=message.due)
    return replace(leg, phase=target)


# Helpers ------------------------------------------------------------------------------------


def _report(
    leg: Leg, reason: ReasonForMessage, answer: bool | None = None
) -> SupplyingAgencyMessage:
    return SupplyingAgencyMessage(
        status=status_of(leg), reason=reason, item_id=leg.item_id, due=leg.due, answer=answer
    )


def _changed(leg: Leg) -> Reply:
    return leg, _report(leg, ReasonForMessage.STATUS_CHANGE)


def _flagged(leg: Leg, status: SupplierStatus) -> Reply:
    # Name the flag raised: status_of would let Recalled hide a later Overdue.
    return leg, replace(_report(leg, ReasonForMessage.STATUS_CHANGE), status=status)


def _answered(leg: Leg, reason: ReasonForMessage, answer: bool) -> Reply:
    return leg, _report(leg, reason, answer=answer)


def _refuse(leg: Leg, what: object) -> Refusal:
    return Refusal(RefusalCode.INVALID_TRANSITION, f"{leg.request_id}: {what} when {leg.phase}")
