"""What a branch may say: the hub's rule check on every verified message, in stream order.

The hub refuses what is forbidden, not what is merely stale. A request sent to a branch that
no longer owns the copy is relayed (the recipient answers Unfilled); a branch saying it
supplies or ships a copy it does not own is refused. Roles come from the messages admitted so
far: whoever sent a Request is that leg's requester, its recipient the supplier; whoever
proposed a transfer is its source. Request and transfer ids are minted in the sender's own
namespace, ``<branch>:<anything>``, so no branch can take over another's id.

The ledger is a pure function of the admitted stream: the hub can rebuild it by replaying.
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.catalogue import Ownership
from sync.messages import (
    HUB,
    CustodyNotice,
    Message,
    ReasonForMessage,
    Request,
    RequestingAgencyMessage,
    SupplierStatus,
    SupplyingAgencyMessage,
    TransferAction,
    TransferMessage,
)
from sync.refusal import Refusal, RefusalCode
from sync.signing import KeyRegistry


@dataclass(slots=True)
class _Leg:
    requester: str
    supplier: str
    item_id: str | None = None


@dataclass(frozen=True, slots=True)
class _Transfer:
    source: str
    destination: str
    item_ids: frozenset[str]


# Supplier statuses that claim a copy, when they announce news rather than answer a question.
_OWNERS_ACTS = frozenset({SupplierStatus.WILL_SUPPLY, SupplierStatus.LOANED})
_NEWS = frozenset({ReasonForMessage.REQUEST_RESPONSE, ReasonForMessage.STATUS_CHANGE})

# Which party of a transfer may take each step.
_BY_SOURCE = frozenset({TransferAction.WITHDRAW, TransferAction.SHIPPED})


class Authority:
    """The hub's ledger of roles and ownership, and the check that uses it."""

    def __init__(self, registry: KeyRegistry, ownership: Ownership) -> None:
        self._registry = registry
        self._ownership = ownership
        self._legs: dict[str, _Leg] = {}
        self._transfers: dict[str, _Transfer] = {}
        # Ownership moved by transfers the hub has seen received, ahead of the catalogue.
        self._moved: dict[str, str] = {}

    def owner_of(self, item_id: str) -> str | None:
        """The owner of a copy, counting transfers received since the catalogue last knew."""
        return self._moved.get(item_id) or self._ownership.owner_of(item_id)

    def admit(self, message: Message) -> Refusal | None:
        """None and record the message's effect on roles and ownership, or why it is refused.

        Call it once per message, in the origin's sequence order, after the signature check.
        """
        if message.recipient == message.origin:
            return _no(RefusalCode.NOT_PERMITTED, message, "addressed to itself")
        if isinstance(message.body, CustodyNotice) or message.recipient == HUB:
            return self._notice(message)
        if self._registry.public_key(message.recipient) is None:
            return _no(RefusalCode.UNKNOWN_BRANCH, message, f"no branch {message.recipient!r}")
        body = message.body
        if isinstance(body, Request):
            return self._request(message)
        if isinstance(body, SupplyingAgencyMessage):
            return self._supplying(message, body)
        if isinstance(body, RequestingAgencyMessage):
            return self._requesting(message)
        return self._transfer(message, body)

    def _notice(self, message: Message) -> Refusal | None:
        body = message.body
        if not isinstance(body, CustodyNotice) or message.recipient != HUB:
            return _no(RefusalCode.NOT_PERMITTED, message, "only custody notices go to the hub")
        if self.owner_of(body.item_id) != message.origin:
            return _no(RefusalCode.NOT_OWNER, message, f"{body.item_id} is not theirs")
        return None

    def _new_id(self, message: Message, taken: bool) -> Refusal | None:
        if not message.request_id.startswith(f"{message.origin}:"):
            return _no(RefusalCode.FOREIGN_ID, message, "id outside the sender's namespace")
        if taken:
            return _no(RefusalCode.DUPLICATE_ID, message, "id already used")
        return None

    def _request(self, message: Message) -> Refusal | None:
        refusal = self._new_id(message, message.request_id in self._legs)
        if refusal is None:
            self._legs[message.request_id] = _Leg(message.origin, message.recipient)
        return refusal

    def _supplying(self, message: Message, body: SupplyingAgencyMessage) -> Refusal | None:
        leg = self._legs.get(message.request_id)
        if leg is None:
            return _no(RefusalCode.UNKNOWN_REQUEST, message, "no such request")
        if (message.origin, message.recipient) != (leg.supplier, leg.requester):
            return _no(RefusalCode.NOT_PERMITTED, message, "only the supplier reports status")
        if body.item_id is not None:
            if leg.item_id not in (None, body.item_id):
                return _no(RefusalCode.NOT_PERMITTED, message, "names a different copy")
            # Reserving or shipping a copy is an owner's act; later reports about the copy
            # agreed on stand even once it has been transferred away.
            claims = body.status in _OWNERS_ACTS and body.reason in _NEWS
            if claims and self.owner_of(body.item_id) != message.origin:
                return _no(RefusalCode.NOT_OWNER, message, f"{body.item_id} is not theirs")
            leg.item_id = body.item_id
        return None

    def _requesting(self, message: Message) -> Refusal | None:
        leg = self._legs.get(message.request_id)
        if leg is None:
            return _no(RefusalCode.UNKNOWN_REQUEST, message, "no such request")
        if (message.origin, message.recipient) != (leg.requester, leg.supplier):
            return _no(RefusalCode.NOT_PERMITTED, message, "only the requester acts")
        return None

    def _transfer(self, message: Message, body: TransferMessage) -> Refusal | None:
        if body.action is TransferAction.PROPOSE:
            refusal = self._new_id(message, message.request_id in self._transfers)
            if refusal is not None:
                return refusal
            items = frozenset(body.item_ids)
            if not items or len(items) != len(body.item_ids):
                return _no(RefusalCode.MALFORMED, message, "a batch of distinct items")
            foreign = sorted(i for i in items if self.owner_of(i) != message.origin)
            if foreign:
                return _no(RefusalCode.NOT_OWNER, message, f"not theirs: {', '.join(foreign)}")
            self._transfers[message.request_id] = _Transfer(
                message.origin, message.recipient, items
            )
            return None
        transfer = self._transfers.get(message.request_id)
        if transfer is None:
            return _no(RefusalCode.UNKNOWN_TRANSFER, message, "no such transfer")
        by_source = body.action in _BY_SOURCE
        sender, other = (
            (transfer.source, transfer.destination)
            if by_source
            else (transfer.destination, transfer.source)
        )
        if (message.origin, message.recipient) != (sender, other):
            return _no(RefusalCode.NOT_PERMITTED, message, f"{body.action} is not theirs to say")
        if body.action is TransferAction.RECEIVED:
            if not set(body.item_ids) <= transfer.item_ids:
                return _no(RefusalCode.NOT_PERMITTED, message, "items outside the batch")
            self._moved.update(dict.fromkeys(body.item_ids, transfer.destination))
        return None


def _no(code: RefusalCode, message: Message, why: str) -> Refusal:
    return Refusal(
        code, f"{message.origin}#{message.seq} {message.kind} {message.request_id}: {why}"
    )
