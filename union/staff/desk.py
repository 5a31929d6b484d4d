"""What branch staff do through the sync protocol, as the pages and the JSON API both
call it: one table of actions over :class:`~union.sync_node.service.SyncService`, and one
translation of what can go wrong into an HTTP status and a reason.

Each action names its section (``masuk`` incoming requests, ``keluar`` outgoing requests,
``mutasi`` transfers) and the word that follows it in the URL; the thing acted on comes as
the ``id`` field of the form or JSON body (request and leg ids contain ``/``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from aiohttp import web

from sync.refusal import RefusalCode
from union.sync_node.http import HubError
from union.sync_node.node import NodeError
from union.sync_node.service import SyncRefused, SyncService

__all__ = [
    "ACTIONS", "REQUESTER_ACTIONS", "SERVICE", "SUPPLIER_ACTIONS", "TRANSFER_ACTIONS", "Action",
    "DeskError", "act", "call", "fields_of", "place_request", "propose_transfer",
    "resolve_conflict",
]

#: Where the staff applications keep the node's :class:`SyncService`.
SERVICE = web.AppKey("staff_sync", SyncService)

T = TypeVar("T")
Fields = Mapping[str, str]
Run = Callable[[SyncService, str, str, datetime, Fields], object]


class DeskError(Exception):
    """An action that did not happen: ``status`` 400 (bad input), 404 (nothing by that
    id for this branch) or 409 (the protocol refused it now), with a code and the detail."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Action:
    """One thing staff can do to a request leg, a patron request or a transfer: its page
    and API path (``section``/``word``), its labels, and its CLI verb (``union sync VERB``)."""

    section: str
    word: str
    indonesian: str
    english: str
    run: Run
    verb: str


def _due(fields: Fields) -> date | None:
    text = fields.get("due", "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise DeskError(400, "malformed", f"due must be a date (YYYY-MM-DD): {text!r}") from exc


def _leg(method: str) -> Run:
    def run(service: SyncService, branch: str, id_: str, now: datetime, _f: Fields) -> object:
        return getattr(service, method)(branch, id_, now)
    return run


ACTIONS: dict[tuple[str, str], Action] = {
    (a.section, a.word): a for a in (
        Action("masuk", "sanggup", "Sanggup memenuhi", "Will supply",
               lambda s, b, i, now, f: s.will_supply(b, i, now, f.get("item_id") or None),
               "will-supply"),
        Action("masuk", "coba-lagi", "Coba lagi nanti", "Retry possible", _leg("retry_later"),
               "retry-possible"),
        Action("masuk", "kirim", "Kirim", "Ship",
               lambda s, b, i, now, f: s.ship(b, i, now, _due(f)), "ship"),
        Action("masuk", "tolak", "Tidak dapat dipenuhi", "Unfilled", _leg("unfill"),
               "unfilled"),
        Action("masuk", "terima-kembali", "Terima kembali", "Check in", _leg("check_in"),
               "checkin"),
        Action("masuk", "tarik", "Minta kembali", "Recall", _leg("recall"), "recall"),
        Action("keluar", "terima", "Terima", "Receive", _leg("receive"), "receive"),
        Action("keluar", "pinjamkan", "Pinjamkan ke pemustaka", "Lend to patron",
               _leg("lend"), "lend"),
        Action("keluar", "dikembalikan", "Dikembalikan pemustaka", "Returned by patron",
               _leg("patron_return"), "return"),
        Action("keluar", "kirim-balik", "Kirim balik", "Ship back", _leg("ship_return"),
               "ship-back"),
        Action("keluar", "perpanjang", "Minta perpanjangan", "Ask to renew", _leg("renew"),
               "renew"),
        Action("keluar", "batal", "Batalkan", "Cancel", _leg("cancel_request"), "cancel"),
        Action("mutasi", "setujui", "Setujui", "Accept", _leg("accept_transfer"),
               "transfer-accept"),
        Action("mutasi", "tolak", "Tolak", "Decline", _leg("decline_transfer"),
               "transfer-decline"),
        Action("mutasi", "tarik", "Tarik kembali", "Withdraw", _leg("withdraw_transfer"),
               "transfer-withdraw"),
        Action("mutasi", "kirim", "Kirim", "Ship", _leg("ship_transfer"), "transfer-ship"),
        Action("mutasi", "terima", "Terima", "Receive", _leg("receive_transfer"),
               "transfer-receive"),
    )
}

# Which actions apply when: a leg's phase on each side, a transfer's status on each side.
SUPPLIER_ACTIONS: dict[str, tuple[str, ...]] = {
    "requested": ("sanggup", "tolak", "coba-lagi"),
    "will_supply": ("kirim", "tolak"),
    "shipped": ("tarik",), "received": ("tarik",), "with_patron": ("tarik",),
    "returning": ("terima-kembali",),
}
REQUESTER_ACTIONS: dict[str, tuple[str, ...]] = {
    "shipped": ("terima",),
    "received": ("pinjamkan", "kirim-balik", "perpanjang"),
    "with_patron": ("dikembalikan", "perpanjang"),
}
TRANSFER_ACTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("destination", "proposed"): ("setujui", "tolak"),
    ("source", "proposed"): ("tarik",),
    ("source", "accepted"): ("kirim", "tarik"),
    ("destination", "shipped"): ("terima",),
}

_NOT_FOUND = frozenset({RefusalCode.UNKNOWN_REQUEST, RefusalCode.UNKNOWN_TRANSFER,
                        RefusalCode.UNKNOWN_ITEM})
_BAD_INPUT = frozenset({RefusalCode.MALFORMED})


async def call(function: Callable[[], T]) -> T:
    """Run a service call off the event loop, its failures as :class:`DeskError`."""
    try:
        return await asyncio.to_thread(function)
    except SyncRefused as refused:
        code = refused.refusal.code
        status = 404 if code in _NOT_FOUND else 400 if code in _BAD_INPUT else 409
        raise DeskError(status, code.value, refused.refusal.detail) from refused
    except NodeError as exc:
        raise DeskError(409, "no_sync_node", str(exc)) from exc
    except HubError as exc:
        raise DeskError(503, "hub_unreachable", str(exc)) from exc
    except FileNotFoundError as exc:
        raise DeskError(409, "no_sync_node", f"this node has no signing key: {exc}") from exc
    except LookupError as exc:
        raise DeskError(404, "not_found", str(exc).strip("'\"")) from exc
    except ValueError as exc:
        raise DeskError(400, "malformed", str(exc)) from exc


async def act(service: SyncService, branch: str, section: str, word: str, fields: Fields,
              now: datetime) -> object:
    """Do the action ``section``/``word`` on ``fields["id"]`` for ``branch``."""
    action = ACTIONS.get((section, word))
    if action is None:
        raise DeskError(404, "not_found", f"no action {section}/{word}")
    target = fields.get("id", "").strip()
    if not target:
        raise DeskError(400, "malformed", "id is required")
    return await call(lambda: action.run(service, branch, target, now, fields))


def fields_of(values: Mapping[str, Any]) -> dict[str, str]:
    """A form's or a JSON object's fields as text (lists of item ids joined by spaces)."""
    out: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, list | tuple):
            out[key] = " ".join(str(v) for v in value)
        elif isinstance(value, str | int):
            out[key] = str(value)
    return out


async def place_request(service: SyncService, branch: str, fields: Fields,
                        now: datetime) -> str:
    """A patron request: ``work_id`` (any copy of a work) or ``item_id`` (one copy)."""
    work, item = fields.get("work_id", "").strip(), fields.get("item_id", "").strip()
    if bool(work) == bool(item):
        raise DeskError(400, "malformed", "give either work_id or item_id")
    if work:
        if not work.isdecimal():
            raise DeskError(400, "malformed", f"work_id must be a number: {work!r}")
        return await call(lambda: service.request_title(branch, int(work), now))
    return await call(lambda: service.reserve_item(branch, item, now))


async def propose_transfer(service: SyncService, branch: str, fields: Fields,
                           now: datetime) -> str:
    """Offer copies (``items``, separated by spaces, commas or lines) to ``destination``."""
    destination = fields.get("destination", "").strip()
    items = fields.get("items", "").replace(",", " ").split()
    if not destination or not items:
        raise DeskError(400, "malformed", "destination and items are required")
    return await call(lambda: service.propose_transfer(branch, destination, items, now))


async def resolve_conflict(service: SyncService, branch: str, fields: Fields,
                           now: datetime) -> object:
    """Close one of the branch's harvest conflicts (``id``, ``resolution``)."""
    conflict = fields.get("id", "").strip()
    if not conflict.isdecimal():
        raise DeskError(400, "malformed", "id must be a conflict number")
    resolution = fields.get("resolution", "")
    return await call(lambda: service.resolve_conflict(branch, int(conflict), resolution, now))
