"""The messages branches exchange: an envelope around one ISO 18626 (or transfer) body.

The envelope names the origin branch, its gapless per-origin sequence number, the recipient
and the request (or transfer) id. Bodies use ISO 18626 vocabulary: a ``Request``, a
``SupplyingAgencyMessage`` (the supplier's status) or a ``RequestingAgencyMessage`` (the
requester's action). Permanent transfers are not covered by ISO 18626 and get their own body.

Every value is a frozen dataclass; ``canonical_bytes`` is what a branch signs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sync.canonical import canonical_json


class MessageKind(StrEnum):
    """The body type, named as in ISO 18626 (``Transfer`` is ours)."""

    REQUEST = "Request"
    SUPPLYING_AGENCY = "SupplyingAgencyMessage"
    REQUESTING_AGENCY = "RequestingAgencyMessage"
    TRANSFER = "Transfer"
    CUSTODY_NOTICE = "CustodyNotice"


class SupplierStatus(StrEnum):
    """ISO 18626 supplier status, as reported by the lending branch."""

    EXPECT_TO_SUPPLY = "ExpectToSupply"
    WILL_SUPPLY = "WillSupply"
    LOANED = "Loaned"
    OVERDUE = "Overdue"
    RECALLED = "Recalled"
    RETRY_POSSIBLE = "RetryPossible"
    UNFILLED = "Unfilled"
    LOAN_COMPLETED = "LoanCompleted"
    COMPLETED_WITHOUT_RETURN = "CompletedWithoutReturn"
    CANCELLED = "Cancelled"


class ReasonForMessage(StrEnum):
    """ISO 18626 reasonForMessage: why the supplier is writing."""

    REQUEST_RESPONSE = "RequestResponse"
    STATUS_REQUEST_RESPONSE = "StatusRequestResponse"
    RENEW_RESPONSE = "RenewResponse"
    CANCEL_RESPONSE = "CancelResponse"
    STATUS_CHANGE = "StatusChange"


class RequesterAction(StrEnum):
    """ISO 18626 requesting agency actions.

    ``LentToPatron`` and ``ReturnedByPatron`` are extensions (ISO 18626 would send them as a
    free-text Notification): the owner needs them to know its copy is with a patron.
    """

    RECEIVED = "Received"
    SHIPPED_RETURN = "ShippedReturn"
    CANCEL = "Cancel"
    RENEW = "Renew"
    STATUS_REQUEST = "StatusRequest"
    LENT_TO_PATRON = "LentToPatron"
    RETURNED_BY_PATRON = "ReturnedByPatron"


#: The recipient of custody notices: the hub itself, not a branch.
HUB = "hub"


class NoticeEvent(StrEnum):
    """Custody changes an owner makes on its own, which no other message reports."""

    LOST = "Lost"
    FOUND = "Found"


class TransferAction(StrEnum):
    """Steps of a permanent transfer of one item or a batch."""

    PROPOSE = "Propose"
    ACCEPT = "Accept"
    DECLINE = "Decline"
    WITHDRAW = "Withdraw"
    SHIPPED = "Shipped"
    RECEIVED = "Received"


@dataclass(frozen=True, slots=True)
class Request:
    """Ask a supplier for an item: one named copy (``item_id``) or any copy of ``work_id``."""

    item_id: str | None = None
    work_id: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.item_id is None and self.work_id is None:
            raise ValueError("a Request names an item or a work")


@dataclass(frozen=True, slots=True)
class SupplyingAgencyMessage:
    """The supplier's status; ``answer`` is ISO's answerYesNo for cancel and renew replies."""

    status: SupplierStatus
    reason: ReasonForMessage
    item_id: str | None = None
    due: date | None = None
    answer: bool | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class RequestingAgencyMessage:
    """An action taken by the requesting branch."""

    action: RequesterAction
    note: str = ""


@dataclass(frozen=True, slots=True)
class TransferMessage:
    """A step of a permanent transfer; ``item_ids`` is the batch (or the part received)."""

    action: TransferAction
    item_ids: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class CustodyNotice:
    """The owner tells the hub of a custody change of its own (a copy written off or found),
    so the hub's view of every copy follows the owner's."""

    event: NoticeEvent
    item_id: str
    note: str = ""


Body = (
    Request | SupplyingAgencyMessage | RequestingAgencyMessage | TransferMessage | CustodyNotice
)

_KIND_OF: dict[type, MessageKind] = {
    Request: MessageKind.REQUEST,
    SupplyingAgencyMessage: MessageKind.SUPPLYING_AGENCY,
    RequestingAgencyMessage: MessageKind.REQUESTING_AGENCY,
    TransferMessage: MessageKind.TRANSFER,
    CustodyNotice: MessageKind.CUSTODY_NOTICE,
}


@dataclass(frozen=True, slots=True)
class Draft:
    """A message before the outbox stamps it with origin, sequence number and time."""

    recipient: str
    request_id: str
    body: Body


@dataclass(frozen=True, slots=True)
class Message:
    """One signed unit of the protocol.

    ``request_id`` names the request leg (or the transfer) the body is about. ``sent_at`` is
    the origin's clock, informative only: nothing is ordered by wall clock.
    """

    origin: str
    seq: int
    recipient: str
    request_id: str
    body: Body
    sent_at: datetime | None = None

    @property
    def kind(self) -> MessageKind:
        """The ISO 18626 message type of the body."""
        return _KIND_OF[type(self.body)]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the inverse of :func:`message_from_dict`."""
        return {
            "origin": self.origin,
            "seq": self.seq,
            "recipient": self.recipient,
            "request_id": self.request_id,
            "kind": self.kind.value,
            "body": _body_to_dict(self.body),
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
        }


def canonical_bytes(message: Message) -> bytes:
    """The exact bytes a branch signs: the message as sorted-key compact JSON."""
    return canonical_json(message.to_dict())


def _body_to_dict(body: Body) -> dict[str, Any]:
    if isinstance(body, Request):
        return {"item_id": body.item_id, "work_id": body.work_id, "note": body.note}
    if isinstance(body, SupplyingAgencyMessage):
        return {
            "status": body.status.value,
            "reason": body.reason.value,
            "item_id": body.item_id,
            "due": body.due.isoformat() if body.due else None,
            "answer": body.answer,
            "note": body.note,
        }
    if isinstance(body, RequestingAgencyMessage):
        return {"action": body.action.value, "note": body.note}
    if isinstance(body, CustodyNotice):
        return {"event": body.event.value, "item_id": body.item_id, "note": body.note}
    return {"action": body.action.value, "item_ids": list(body.item_ids), "note": body.note}


def message_from_dict(data: dict[str, Any]) -> Message:
    """Rebuild a message from :meth:`Message.to_dict` output.

    Raises ``ValueError`` (``KeyError``/``TypeError`` are wrapped) when the data is not a
    well-formed message, so an edge can refuse it as malformed.
    """
    try:
        kind = MessageKind(data["kind"])
        raw = data["body"]
        body: Body
        if kind is MessageKind.REQUEST:
            body = Request(item_id=raw["item_id"], work_id=raw["work_id"], note=raw["note"])
        elif kind is MessageKind.SUPPLYING_AGENCY:
            body = SupplyingAgencyMessage(
                status=SupplierStatus(raw["status"]),
                reason=ReasonForMessage(raw["reason"]),
                item_id=raw["item_id"],
                due=date.fromisoformat(raw["due"]) if raw["due"] else None,
                answer=raw["answer"],
                note=raw["note"],
            )
        elif kind is MessageKind.REQUESTING_AGENCY:
            body = RequestingAgencyMessage(action=RequesterAction(raw["action"]), note=raw["note"])
        elif kind is MessageKind.CUSTODY_NOTICE:
            body = CustodyNotice(
                event=NoticeEvent(raw["event"]), item_id=str(raw["item_id"]), note=raw["note"]
            )
        else:
            body = TransferMessage(
                action=TransferAction(raw["action"]),
                item_ids=tuple(raw["item_ids"]),
                note=raw["note"],
            )
        seq = data["seq"]
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise ValueError(f"sequence number must be a positive integer, not {seq!r}")
        sent_at = data["sent_at"]
        return Message(
            origin=str(data["origin"]),
            seq=seq,
            recipient=str(data["recipient"]),
            request_id=str(data["request_id"]),
            body=body,
            sent_at=datetime.fromisoformat(sent_at) if sent_at else None,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed message: {exc!r}") from exc
