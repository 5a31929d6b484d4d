"""The life cycle of a permanent transfer (rotating or deposit collection) of one or more items.

The source proposes a batch of its items (they are reserved for the transfer at once), the
destination accepts or declines, the source ships, and the destination reports what arrived.
Ownership of each item moves when the destination receives it; the transfer is received when
every item has arrived, possibly over several reports.

    proposed  ─Accept───────────▶ accepted
    proposed  ─Decline──────────▶ declined
    proposed  ─Withdraw─────────▶ withdrawn
    accepted  ─Withdraw─────────▶ withdrawn
    declined  ─Withdraw─────────▶ withdrawn     (only when the two crossed; see below)
    accepted  ─Shipped──────────▶ shipped
    shipped   ─Received(some)───▶ shipped       (the rest still outstanding)
    shipped   ─Received(rest)───▶ received

Both sides keep a copy and apply the same actions. When the source's withdrawal crosses the
destination's acceptance or decline, the source's word stands on both sides: the source
ignores the late answer, the destination takes the withdrawal (even after declining).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from sync.messages import TransferAction
from sync.refusal import Refusal, RefusalCode


class TransferStatus(StrEnum):
    """Where a transfer stands."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    SHIPPED = "shipped"
    RECEIVED = "received"


_T = TransferStatus

# WITHDRAWN and RECEIVED never change; DECLINED changes only to WITHDRAWN (see above).
FINAL = frozenset({_T.WITHDRAWN, _T.RECEIVED})

_NEXT: dict[tuple[TransferStatus, TransferAction], TransferStatus] = {
    (_T.PROPOSED, TransferAction.ACCEPT): _T.ACCEPTED,
    (_T.PROPOSED, TransferAction.DECLINE): _T.DECLINED,
    (_T.PROPOSED, TransferAction.WITHDRAW): _T.WITHDRAWN,
    (_T.ACCEPTED, TransferAction.WITHDRAW): _T.WITHDRAWN,
    (_T.DECLINED, TransferAction.WITHDRAW): _T.WITHDRAWN,
    (_T.ACCEPTED, TransferAction.SHIPPED): _T.SHIPPED,
}


@dataclass(frozen=True, slots=True)
class Transfer:
    """One side's copy of a transfer; ``received`` holds the items that have arrived so far."""

    transfer_id: str
    source: str
    destination: str
    item_ids: tuple[str, ...]
    status: TransferStatus = TransferStatus.PROPOSED
    received: frozenset[str] = frozenset()

    @property
    def outstanding(self) -> tuple[str, ...]:
        """Items shipped (or to be shipped) that have not arrived yet."""
        return tuple(i for i in self.item_ids if i not in self.received)


def propose(
    transfer_id: str, source: str, destination: str, item_ids: Iterable[str]
) -> Transfer | Refusal:
    """A new proposal to move ``item_ids`` from ``source`` to ``destination``."""
    items = tuple(item_ids)
    if not items or len(set(items)) != len(items):
        return Refusal(RefusalCode.MALFORMED, f"{transfer_id}: a batch of distinct items")
    if source == destination:
        return Refusal(RefusalCode.MALFORMED, f"{transfer_id}: a transfer goes elsewhere")
    return Transfer(transfer_id, source, destination, items)


def apply(
    transfer: Transfer, action: TransferAction, item_ids: Iterable[str] = ()
) -> Transfer | Refusal:
    """The transfer after ``action``; ``item_ids`` are the items a RECEIVED report names."""
    if action is TransferAction.RECEIVED:
        arrived = frozenset(item_ids)
        if transfer.status is not _T.SHIPPED:
            return _refuse(transfer, action)
        if not arrived or not arrived <= set(transfer.outstanding):
            return _refuse(transfer, f"{action} of items not outstanding")
        received = transfer.received | arrived
        done = received == set(transfer.item_ids)
        return replace(transfer, received=received, status=_T.RECEIVED if done else _T.SHIPPED)
    target = _NEXT.get((transfer.status, action))
    if target is None:
        return _refuse(transfer, action)
    return replace(transfer, status=target)


def _refuse(transfer: Transfer, what: object) -> Refusal:
    return Refusal(
        RefusalCode.INVALID_TRANSITION,
        f"{transfer.transfer_id}: {what} when {transfer.status}",
    )
