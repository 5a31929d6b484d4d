"""What the staff pages and API show of the protocol's records: plain dicts (the JSON
API's bodies, and what the templates read), with the shelf details staff need to find a
copy (title, call number, location)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from sync.loan_request import Leg
from sync.transfer import Transfer
from union.staff.desk import REQUESTER_ACTIONS, SUPPLIER_ACTIONS, TRANSFER_ACTIONS
from union.store.models import BranchRow, ItemRow, WorkMemberRow, WorkRow
from union.sync_node.catalogue import item_id, split_item_id
from union.sync_node.conflicts import Conflict
from union.sync_node.service import IncomingRequest, OutgoingRequest

__all__ = ["Shelf", "conflict_view", "incoming_view", "leg_view",
           "outgoing_view", "shelf_of", "transfer_view"]


@dataclass(frozen=True, slots=True)
class Shelf:
    """Where a copy stands on its cataloguing branch's shelves, and what it is."""

    title: str | None
    call_number: str | None
    location: str | None
    work_id: int | None


def shelf_of(session: Session, item_ids: Iterable[str]) -> dict[str, Shelf]:
    """Shelf details of each copy the harvested catalogues list (others are left out):
    one query per cataloguing branch."""
    by_branch: dict[str, set[str]] = {}
    for item in item_ids:
        branch, barcode = split_item_id(item)
        by_branch.setdefault(branch, set()).add(barcode)
    found: dict[str, Shelf] = {}
    for branch, barcodes in sorted(by_branch.items()):
        rows = session.execute(
            select(ItemRow.barcode, ItemRow.call_number, ItemRow.location,
                   WorkMemberRow.work_id, WorkRow.display)
            .join(BranchRow, and_(BranchRow.id == ItemRow.branch_id, BranchRow.code == branch))
            .outerjoin(WorkMemberRow,
                       WorkMemberRow.source_record_id == ItemRow.source_record_id)
            .outerjoin(WorkRow, WorkRow.id == WorkMemberRow.work_id)
            .where(ItemRow.barcode.in_(sorted(barcodes)))
        )
        for barcode, call_number, location, work_id, display in rows:
            title = (display or {}).get("title")
            found.setdefault(item_id(branch, barcode),
                             Shelf(title, call_number, location, work_id))
    return found


def leg_view(leg: Leg, shelves: dict[str, Shelf], branch: str) -> dict[str, Any]:
    """One request leg, with the shelf details of its copy when known and the actions
    ``branch`` (its supplier or its requester) can take on it now."""
    shelf = shelves.get(leg.item_id or "")
    side = SUPPLIER_ACTIONS if leg.supplier == branch else REQUESTER_ACTIONS
    return {
        "id": leg.request_id,
        "requester": leg.requester,
        "supplier": leg.supplier,
        "work_id": leg.request.work_id,
        "item_id": leg.item_id or leg.request.item_id,
        "phase": leg.phase.value,
        "due": leg.due.isoformat() if leg.due else None,
        "overdue": leg.overdue,
        "recalled": leg.recalled,
        "renewals": leg.renewals,
        "title": shelf.title if shelf else None,
        "call_number": shelf.call_number if shelf else None,
        "location": shelf.location if shelf else None,
        "actions": list(side.get(leg.phase.value, ())),
    }


def incoming_view(request: IncomingRequest, shelves: dict[str, Shelf]) -> dict[str, Any]:
    """A request this branch supplies."""
    return {**leg_view(request.leg, shelves, request.leg.supplier), "open": request.open}


def outgoing_view(request: OutgoingRequest, shelves: dict[str, Shelf],
                  branch: str) -> dict[str, Any]:
    """A patron request this branch placed, with the leg now asked."""
    walk = request.rota
    return {
        "id": walk.request_id,
        "status": walk.status.value,
        "lenders": list(walk.lenders),
        "asking": walk.lenders[walk.position] if 0 <= walk.position < len(walk.lenders)
        else None,
        "leg": leg_view(request.leg, shelves, branch) if request.leg else None,
        "cancellable": walk.status.value in ("asking", "supplied"),
    }


def transfer_view(transfer: Transfer, branch: str) -> dict[str, Any]:
    """A transfer, with which side this branch is on."""
    role = "source" if transfer.source == branch else "destination"
    return {
        "id": transfer.transfer_id,
        "source": transfer.source,
        "destination": transfer.destination,
        "role": role,
        "actions": list(TRANSFER_ACTIONS.get((role, transfer.status.value), ())),
        "status": transfer.status.value,
        "items": list(transfer.item_ids),
        "received": sorted(transfer.received),
        "outstanding": list(transfer.outstanding),
    }


def conflict_view(conflict: Conflict) -> dict[str, Any]:
    """A harvest conflict: a copy still listed by a branch that no longer owns it."""
    return {"id": conflict.id, "item_id": conflict.item_id, "listed_by": conflict.listed_by,
            "owner": conflict.owner, "detected_at": conflict.detected_at.isoformat(),
            "seen": conflict.seen}
