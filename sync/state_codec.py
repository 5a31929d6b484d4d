"""A branch's saved state as explicit, versioned JSON (never pickle: a store may be shared,
and unpickling what is in it would run whatever code someone put there).

:func:`encode_state` turns :meth:`sync.branch.Branch.state` into bytes; :func:`decode_state`
is its inverse and raises :class:`StateError` for anything it does not recognise, naming
what was wrong, rather than guessing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from sync.canonical import canonical_json
from sync.custody import Custody, CustodyStatus, Hold, HoldKind
from sync.loan_request import Leg, LoanPhase
from sync.messages import Request
from sync.rota import Rota, RotaStatus
from sync.transfer import Transfer, TransferStatus

#: The format written; a reader refuses any other.
VERSION = 1


class StateError(ValueError):
    """Saved branch state that this version cannot read."""


def _hold(hold: Hold | None) -> dict[str, str] | None:
    return None if hold is None else {"kind": hold.kind.value, "id": hold.id, "branch": hold.branch}


def _custody(c: Custody) -> dict[str, Any]:
    return {"item_id": c.item_id, "owner": c.owner, "status": c.status.value, "hold": _hold(c.hold)}


def _request(r: Request) -> dict[str, Any]:
    return {"item_id": r.item_id, "work_id": r.work_id, "note": r.note}


def _leg(leg: Leg) -> dict[str, Any]:
    return {
        "request_id": leg.request_id,
        "requester": leg.requester,
        "supplier": leg.supplier,
        "request": _request(leg.request),
        "phase": leg.phase.value,
        "item_id": leg.item_id,
        "due": leg.due.isoformat() if leg.due else None,
        "overdue": leg.overdue,
        "recalled": leg.recalled,
        "renewals": leg.renewals,
        "cancel_pending": leg.cancel_pending,
        "renew_pending": leg.renew_pending,
    }


def _rota(r: Rota) -> dict[str, Any]:
    return {
        "request_id": r.request_id,
        "lenders": list(r.lenders),
        "position": r.position,
        "asked_at": r.asked_at.isoformat() if r.asked_at else None,
        "status": r.status.value,
    }


def _transfer(t: Transfer) -> dict[str, Any]:
    return {
        "transfer_id": t.transfer_id,
        "source": t.source,
        "destination": t.destination,
        "item_ids": list(t.item_ids),
        "status": t.status.value,
        "received": sorted(t.received),
    }


def _read_hold(d: Any) -> Hold | None:
    return None if d is None else Hold(HoldKind(d["kind"]), str(d["id"]), str(d["branch"]))


def _read_custody(d: Any) -> Custody:
    return Custody(
        str(d["item_id"]), str(d["owner"]), CustodyStatus(d["status"]), _read_hold(d["hold"])
    )


def _read_request(d: Any) -> Request:
    return Request(item_id=d["item_id"], work_id=d["work_id"], note=str(d["note"]))


def _read_leg(d: Any) -> Leg:
    return Leg(
        request_id=str(d["request_id"]),
        requester=str(d["requester"]),
        supplier=str(d["supplier"]),
        request=_read_request(d["request"]),
        phase=LoanPhase(d["phase"]),
        item_id=d["item_id"],
        due=date.fromisoformat(d["due"]) if d["due"] else None,
        overdue=bool(d["overdue"]),
        recalled=bool(d["recalled"]),
        renewals=int(d["renewals"]),
        cancel_pending=bool(d["cancel_pending"]),
        renew_pending=bool(d["renew_pending"]),
    )


def _read_rota(d: Any) -> Rota:
    return Rota(
        request_id=str(d["request_id"]),
        lenders=tuple(str(b) for b in d["lenders"]),
        position=int(d["position"]),
        asked_at=datetime.fromisoformat(d["asked_at"]) if d["asked_at"] else None,
        status=RotaStatus(d["status"]),
    )


def _read_transfer(d: Any) -> Transfer:
    return Transfer(
        transfer_id=str(d["transfer_id"]),
        source=str(d["source"]),
        destination=str(d["destination"]),
        item_ids=tuple(str(i) for i in d["item_ids"]),
        status=TransferStatus(d["status"]),
        received=frozenset(str(i) for i in d["received"]),
    )


# Each part of Branch.state(): how its values are written and read back.
_PARTS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "_custody": (_custody, _read_custody),
    "_lending": (_leg, _read_leg),
    "_borrowing": (_leg, _read_leg),
    "_rotas": (_rota, _read_rota),
    "_wants": (_request, _read_request),
    "_transfers": (_transfer, _read_transfer),
}


def encode_state(state: Mapping[str, Mapping[str, object]]) -> bytes:
    """The branch state as UTF-8 JSON bytes, tagged with :data:`VERSION`."""
    if set(state) != set(_PARTS):
        raise StateError(f"unexpected state parts: {sorted(set(state) ^ set(_PARTS))}")
    out: dict[str, Any] = {"version": VERSION}
    for name, (write, _read) in _PARTS.items():
        out[name.lstrip("_")] = {key: write(value) for key, value in state[name].items()}
    return canonical_json(out)


def decode_state(data: bytes) -> dict[str, dict[str, object]]:
    """The state :func:`encode_state` wrote; :class:`StateError` for anything else
    (another version, a pickle from before this format, damaged JSON)."""
    try:
        raw = json.loads(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateError(f"branch state is not JSON (an older pickled state?): {exc}") from exc
    if not isinstance(raw, dict) or raw.get("version") != VERSION:
        version = raw.get("version") if isinstance(raw, dict) else None
        raise StateError(f"branch state version {version!r}; this version reads {VERSION}")
    state: dict[str, dict[str, object]] = {}
    for name, (_write, read) in _PARTS.items():
        label = name.lstrip("_")
        part = raw.get(label)
        if not isinstance(part, dict):
            raise StateError(f"branch state has no {label!r} object")
        try:
            state[name] = {str(key): read(value) for key, value in part.items()}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise StateError(f"branch state {label!r}: malformed entry: {exc!r}") from exc
    return state
