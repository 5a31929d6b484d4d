"""What each staff page (and its JSON twin) shows for one branch, read through the sync
service in one go, with the shelf details of every copy named. Synchronous: callers run
these off the event loop."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sync.loan_request import LoanPhase
from sync.transfer import TransferStatus
from union.staff.views import (
    conflict_view,
    incoming_view,
    leg_view,
    outgoing_view,
    shelf_of,
    transfer_view,
)
from union.sync_node.service import SyncService

__all__ = ["BOARDS", "conflicts", "incoming", "outgoing", "pick_list", "shipping",
           "summary", "transfers"]


def _shelves(service: SyncService, item_ids: list[str | None]) -> dict[str, Any]:
    with service.store.read() as session:
        return shelf_of(session, (i for i in item_ids if i))


def incoming(service: SyncService, branch: str, _now: datetime) -> dict[str, Any]:
    """Requests other branches sent this one, still open."""
    found = service.snapshot(branch).incoming()
    shelves = _shelves(service, [r.leg.item_id for r in found])
    return {"requests": [incoming_view(r, shelves) for r in found]}


def outgoing(service: SyncService, branch: str, _now: datetime) -> dict[str, Any]:
    """This branch's patron requests, and the copies it has borrowed."""
    snapshot = service.snapshot(branch)
    placed = snapshot.outgoing()
    borrowed = snapshot.borrowed()
    ids = [r.leg.item_id for r in placed if r.leg] + [leg.item_id for leg in borrowed]
    shelves = _shelves(service, ids)
    return {"requests": [outgoing_view(r, shelves, branch) for r in placed],
            "borrowed": [leg_view(leg, shelves, branch) for leg in borrowed]}


def pick_list(service: SyncService, branch: str, _now: datetime) -> dict[str, Any]:
    """Copies to pull from the shelves, in shelf order (location, call number)."""
    legs = service.snapshot(branch).pick_list()
    shelves = _shelves(service, [leg.item_id for leg in legs])
    rows = [leg_view(leg, shelves, branch) for leg in legs]
    rows.sort(key=lambda r: (r["location"] or "", r["call_number"] or "", r["item_id"] or ""))
    return {"items": rows}


def shipping(service: SyncService, branch: str, _now: datetime) -> dict[str, Any]:
    """What goes out of and comes into this branch: copies to ship, copies arriving,
    borrowed copies to send back, and transfer batches either way."""
    snapshot = service.snapshot(branch)
    to_ship = snapshot.pick_list()
    to_receive = snapshot.to_receive()
    to_send_back = [leg for leg in snapshot.borrowed() if leg.phase is LoanPhase.RECEIVED]
    moving = snapshot.transfers(open_only=True)
    legs = to_ship + to_receive + to_send_back
    shelves = _shelves(service, [leg.item_id for leg in legs])
    return {
        "to_ship": [leg_view(leg, shelves, branch) for leg in to_ship],
        "to_receive": [leg_view(leg, shelves, branch) for leg in to_receive],
        "to_send_back": [leg_view(leg, shelves, branch) for leg in to_send_back],
        "transfers_to_ship": [transfer_view(t, branch) for t in moving
                              if t.source == branch and t.status is TransferStatus.ACCEPTED],
        "transfers_to_receive": [transfer_view(t, branch) for t in moving
                                 if t.destination == branch
                                 and t.status is TransferStatus.SHIPPED],
    }


def transfers(service: SyncService, branch: str, _now: datetime) -> dict[str, Any]:
    """Every transfer this branch sends or receives, open ones first."""
    found = [transfer_view(t, branch) for t in service.snapshot(branch).transfers()]
    final = {"declined", "withdrawn", "received"}
    found.sort(key=lambda t: (t["status"] in final, t["id"]))
    return {"transfers": found}


def conflicts(service: SyncService, branch: str, now: datetime) -> dict[str, Any]:
    """Open harvest conflicts this branch is party to."""
    return {"conflicts": [conflict_view(c) for c in service.conflicts(branch, now)]}


def summary(service: SyncService, branch: str, _now: datetime) -> dict[str, int]:
    """How much waits in each section (for the dashboard)."""
    snapshot = service.snapshot(branch)
    return {
        "incoming": len(snapshot.incoming()),
        "outgoing": sum(1 for r in snapshot.outgoing()
                        if r.rota.status.value in ("asking", "supplied")),
        "pick_list": len(snapshot.pick_list()),
        "to_receive": len(snapshot.to_receive()),
        "transfers": len(snapshot.transfers(open_only=True)),
    }


#: Page and API path word -> the board it shows.
BOARDS = {
    "permintaan/masuk": incoming,
    "permintaan/keluar": outgoing,
    "ambil": pick_list,
    "kirim-terima": shipping,
    "mutasi": transfers,
    "konflik": conflicts,
}
