"""Item custody: where one physical copy is, as written by its owning branch alone.

The owner applies events (its own staff's, and those the borrowing branch reports) with the
pure :func:`apply`. Every event but ``RESERVE`` names the hold it is about (the loan request
leg or the transfer), and is refused unless that hold is the item's current one: so a copy is
never held for two requests at once, and a late event for a finished request cannot move it.

    on_shelf            ─reserve(h)──────▶ reserved(h)
    reserved(h)         ─release─────────▶ on_shelf
    reserved(h)         ─ship────────────▶ in_transit(h)
    in_transit(h)       ─receive─────────▶ at_borrower(h)             (a loan)
    in_transit(h)       ─receive─────────▶ on_shelf, owner := h.branch (a transfer)
    at_borrower(h)      ─lend────────────▶ on_loan(h)
    on_loan(h)          ─patron_return───▶ at_borrower(h)
    at_borrower(h)      ─ship_return─────▶ in_transit_back(h)
    in_transit_back(h)  ─check_in────────▶ on_shelf
    any but lost        ─lose────────────▶ lost     (not a copy held for a transfer)
    lost                ─find────────────▶ on_shelf
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from sync.messages import RequesterAction, TransferAction
from sync.refusal import Refusal, RefusalCode


class CustodyStatus(StrEnum):
    """Where the copy is."""

    ON_SHELF = "on_shelf"  # at its owner, free
    RESERVED = "reserved"  # at its owner, set aside for a hold
    IN_TRANSIT = "in_transit"  # on its way to the hold's branch
    AT_BORROWER = "at_borrower"  # at the borrowing branch, not with a patron
    ON_LOAN = "on_loan"  # with a patron of the borrowing branch
    IN_TRANSIT_BACK = "in_transit_back"  # on its way back to the owner
    LOST = "lost"  # written off by the owner


class HoldKind(StrEnum):
    """What a copy is held for."""

    LOAN = "loan"
    TRANSFER = "transfer"


@dataclass(frozen=True, slots=True)
class Hold:
    """A claim on a copy: a loan request leg or a transfer, and the branch it goes to."""

    kind: HoldKind
    id: str
    branch: str


class CustodyEvent(StrEnum):
    """What can happen to a copy."""

    RESERVE = "reserve"
    RELEASE = "release"
    SHIP = "ship"
    RECEIVE = "receive"
    LEND = "lend"
    PATRON_RETURN = "patron_return"
    SHIP_RETURN = "ship_return"
    CHECK_IN = "check_in"
    LOSE = "lose"
    FIND = "find"


#: What each requester action, once the supplier accepts it, does to the supplier's copy
#: (the owner applies it; the hub's custody ledger follows the same rule).
ACTION_CUSTODY = {
    RequesterAction.RECEIVED: CustodyEvent.RECEIVE,
    RequesterAction.LENT_TO_PATRON: CustodyEvent.LEND,
    RequesterAction.RETURNED_BY_PATRON: CustodyEvent.PATRON_RETURN,
    RequesterAction.SHIPPED_RETURN: CustodyEvent.SHIP_RETURN,
}

#: What each transfer step does to the source's custody of the batch.
TRANSFER_CUSTODY = {
    TransferAction.DECLINE: CustodyEvent.RELEASE,
    TransferAction.WITHDRAW: CustodyEvent.RELEASE,
    TransferAction.SHIPPED: CustodyEvent.SHIP,
    TransferAction.RECEIVED: CustodyEvent.RECEIVE,
}


@dataclass(frozen=True, slots=True)
class Custody:
    """One copy's custody. ``hold`` is set exactly when the status is neither on_shelf nor lost."""

    item_id: str
    owner: str
    status: CustodyStatus = CustodyStatus.ON_SHELF
    hold: Hold | None = None


_S = CustodyStatus
_E = CustodyEvent

# (status, event) -> next status, for events that keep the hold (or clear it on return home).
_MOVES: dict[tuple[CustodyStatus, CustodyEvent], CustodyStatus] = {
    (_S.ON_SHELF, _E.RESERVE): _S.RESERVED,
    (_S.RESERVED, _E.RELEASE): _S.ON_SHELF,
    (_S.RESERVED, _E.SHIP): _S.IN_TRANSIT,
    (_S.IN_TRANSIT, _E.RECEIVE): _S.AT_BORROWER,
    (_S.AT_BORROWER, _E.LEND): _S.ON_LOAN,
    (_S.ON_LOAN, _E.PATRON_RETURN): _S.AT_BORROWER,
    (_S.AT_BORROWER, _E.SHIP_RETURN): _S.IN_TRANSIT_BACK,
    (_S.IN_TRANSIT_BACK, _E.CHECK_IN): _S.ON_SHELF,
    (_S.LOST, _E.FIND): _S.ON_SHELF,
}

# Only a lent copy visits a borrower's patrons; a transferred one goes straight to its new shelf.
_LOAN_ONLY = frozenset({_E.LEND, _E.PATRON_RETURN, _E.SHIP_RETURN, _E.CHECK_IN})

_FREE = frozenset({_S.ON_SHELF, _S.LOST})


def apply(custody: Custody, event: CustodyEvent, hold: Hold | None = None) -> Custody | Refusal:
    """The copy's custody after ``event``, or why the event cannot happen now.

    ``hold`` is the new hold for ``RESERVE``; for every other event it must be the current
    hold (None for a free copy). A transfer's ``RECEIVE`` moves ownership to the hold's
    branch and puts the copy on its shelf.
    """
    if event is _E.RESERVE:
        if hold is None:
            return _refuse(custody, event, "reserve needs a hold")
        if custody.status is not _S.ON_SHELF:
            return _refuse(custody, event, "not on the shelf")
        return replace(custody, status=_S.RESERVED, hold=hold)
    if hold != custody.hold:
        return _refuse(custody, event, f"held for {custody.hold!r}, not {hold!r}")
    if event is _E.LOSE:
        # A copy shipped for a transfer is the destination's to account for, never written off
        # by the source: losing it here would leave two branches disagreeing on its owner.
        if custody.status is _S.LOST or (hold is not None and hold.kind is HoldKind.TRANSFER):
            return _refuse(custody, event, "cannot be written off now")
        return replace(custody, status=_S.LOST, hold=None)
    target = _MOVES.get((custody.status, event))
    if target is None:
        return _refuse(custody, event, f"not possible when {custody.status}")
    if event in _LOAN_ONLY and (hold is None or hold.kind is not HoldKind.LOAN):
        return _refuse(custody, event, "only a lent copy")
    if event is _E.RECEIVE and hold is not None and hold.kind is HoldKind.TRANSFER:
        return Custody(custody.item_id, owner=hold.branch)
    return replace(custody, status=target, hold=None if target in _FREE else custody.hold)


def _refuse(custody: Custody, event: CustodyEvent, why: str) -> Refusal:
    return Refusal(RefusalCode.INVALID_TRANSITION, f"{custody.item_id}: {event}: {why}")
