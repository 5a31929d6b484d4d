"""The hub's copy of every item's custody, following the messages it relays.

The owner alone writes its copies' custody; what it writes reaches the hub as messages: its
own answers and status changes (WillSupply reserves, Loaned ships, LoanCompleted checks in,
CompletedWithoutReturn writes off), the borrower's actions it applies (Received, LentToPatron,
ReturnedByPatron, ShippedReturn), both sides' transfer steps, and custody notices for what
no other message says (a copy written off or found). The ledger applies each admitted
message, in the hub's admission order, with the same pure :func:`sync.custody.apply` the
owner uses; an event the owner would refuse is refused here too and changes nothing. Every
message a branch says in reply to another was admitted after it (both pass through the hub),
so the hub's order never puts an effect before its cause, and once every message is
delivered the ledger agrees with every owner.

Like the authority's, the ledger is a pure function of the admitted stream: the hub
rebuilds it by replaying.
"""

from __future__ import annotations

from sync.catalogue import Ownership
from sync.custody import ACTION_CUSTODY, TRANSFER_CUSTODY, Custody, CustodyEvent, Hold, HoldKind
from sync.custody import apply as apply_custody
from sync.messages import (
    CustodyNotice,
    Message,
    NoticeEvent,
    ReasonForMessage,
    Request,
    RequestingAgencyMessage,
    SupplierStatus,
    SupplyingAgencyMessage,
    TransferAction,
    TransferMessage,
)
from sync.refusal import Refusal

# Supplier status changes and what they do to the copy supplied.
_STATUS_EVENTS = {
    SupplierStatus.LOANED: CustodyEvent.SHIP,
    SupplierStatus.UNFILLED: CustodyEvent.RELEASE,
    SupplierStatus.LOAN_COMPLETED: CustodyEvent.CHECK_IN,
    SupplierStatus.COMPLETED_WITHOUT_RETURN: CustodyEvent.LOSE,
}


class CustodyLedger:
    """Custody of every copy any admitted message touched; others are on their owner's
    shelf as far as the hub knows."""

    def __init__(self, ownership: Ownership) -> None:
        self._ownership = ownership
        self._custody: dict[str, Custody] = {}
        self._legs: dict[str, tuple[str, str]] = {}  # leg id -> (copy, requester)
        self._transfers: dict[str, tuple[str, tuple[str, ...]]] = {}  # id -> (to, batch)

    def custody_of(self, item_id: str) -> Custody:
        """The copy's custody as the hub knows it."""
        known = self._custody.get(item_id)
        if known is not None:
            return known
        return Custody(item_id, self._ownership.owner_of(item_id) or "")

    def follow(self, message: Message) -> dict[str, Custody]:
        """Apply one message the hub admitted (not one it refused); the copies it changed."""
        body = message.body
        if isinstance(body, SupplyingAgencyMessage):
            return self._supplier(message, body)
        if isinstance(body, RequestingAgencyMessage):
            event = ACTION_CUSTODY.get(body.action)
            leg = self._legs.get(message.request_id)
            if event is None or leg is None:
                return {}
            item_id, requester = leg
            return self._apply([item_id], event, Hold(HoldKind.LOAN, message.request_id, requester))
        if isinstance(body, TransferMessage):
            return self._transfer(message, body)
        if isinstance(body, CustodyNotice):
            current = self.custody_of(body.item_id)
            event = CustodyEvent.LOSE if body.event is NoticeEvent.LOST else CustodyEvent.FIND
            return self._apply([body.item_id], event, current.hold)
        assert isinstance(body, Request)  # a request changes no custody until answered
        return {}

    def _supplier(self, message: Message, body: SupplyingAgencyMessage) -> dict[str, Custody]:
        leg_id, requester = message.request_id, message.recipient
        hold = Hold(HoldKind.LOAN, leg_id, requester)
        if body.reason is ReasonForMessage.REQUEST_RESPONSE:
            if body.status is not SupplierStatus.WILL_SUPPLY or body.item_id is None:
                return {}
            self._legs[leg_id] = (body.item_id, requester)
            return self._apply([body.item_id], CustodyEvent.RESERVE, hold)
        leg = self._legs.get(leg_id)
        if leg is None:
            return {}
        if body.reason is ReasonForMessage.CANCEL_RESPONSE:
            return self._apply([leg[0]], CustodyEvent.RELEASE, hold) if body.answer else {}
        event = _STATUS_EVENTS.get(body.status)
        if body.reason is not ReasonForMessage.STATUS_CHANGE or event is None:
            return {}
        return self._apply([leg[0]], event, hold)

    def _transfer(self, message: Message, body: TransferMessage) -> dict[str, Custody]:
        tid = message.request_id
        if body.action is TransferAction.PROPOSE:
            self._transfers[tid] = (message.recipient, body.item_ids)
            hold = Hold(HoldKind.TRANSFER, tid, message.recipient)
            # All or nothing, as at the source: a batch is reserved together or not at all.
            moved = self._apply(body.item_ids, CustodyEvent.RESERVE, hold)
            return moved if len(moved) == len(body.item_ids) else self._undo(moved)
        known = self._transfers.get(tid)
        event = TRANSFER_CUSTODY.get(body.action)
        if known is None or event is None:
            return {}
        destination, batch = known
        items = body.item_ids if body.action is TransferAction.RECEIVED else batch
        return self._apply(items, event, Hold(HoldKind.TRANSFER, tid, destination))

    def _apply(
        self, item_ids: tuple[str, ...] | list[str], event: CustodyEvent, hold: Hold | None
    ) -> dict[str, Custody]:
        changed: dict[str, Custody] = {}
        for item_id in item_ids:
            moved = apply_custody(self.custody_of(item_id), event, hold)
            if isinstance(moved, Refusal):
                continue  # the owner refuses it too: nothing changes
            self._custody[item_id] = changed[item_id] = moved
        return changed

    def _undo(self, reserved: dict[str, Custody]) -> dict[str, Custody]:
        for item_id in reserved:
            self._custody[item_id] = Custody(item_id, reserved[item_id].owner)
        return {}
