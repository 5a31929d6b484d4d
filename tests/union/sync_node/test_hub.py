"""The hub and the nodes in the store: each message applied once, in order; forged,
replayed, unknown-branch and forbidden messages refused and logged."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from sync.messages import (
    Message,
    ReasonForMessage,
    Request,
    SupplierStatus,
    SupplyingAgencyMessage,
)
from sync.signing import sign
from tests.union.sync_node.support import START, hosted
from union.store.engine import Store
from union.store.sync_models import SyncAuditRow, SyncRefusalRow, SyncStreamRow
from union.sync_node.codec import entries_from_dicts
from union.sync_node.keys import load_key_file


def refusals(store: Store) -> list[tuple[str, str, int, str]]:
    with store.read() as session:
        rows = session.execute(
            select(
                SyncRefusalRow.receiver,
                SyncRefusalRow.origin,
                SyncRefusalRow.seq,
                SyncRefusalRow.code,
            ).order_by(SyncRefusalRow.id)
        )
        return [tuple(r) for r in rows]


def audit_entries(store: Store, branch: str) -> int:
    with store.read() as session:
        return session.scalar(
            select(func.count()).select_from(SyncAuditRow).where(SyncAuditRow.branch == branch)
        )


def message(origin: str, seq: int, recipient: str, request_id: str, body: object) -> Message:
    return Message(origin, seq, recipient, request_id, body, START)  # type: ignore[arg-type]


def test_a_delivery_repeated_and_reordered_is_applied_once_in_sequence(
    store: Store, tmp_path: Path
) -> None:
    fed = hosted(store, tmp_path, {"KOTA": ["B1", "B2"], "DESA": []})
    first = fed.service.reserve_item("DESA", "KOTA/B1", fed.clock())
    second = fed.service.reserve_item("DESA", "KOTA/B2", fed.clock())
    fed.sync("DESA")
    pulled = entries_from_dicts(fed.hub.pull("KOTA", {}).entries)
    assert [e.seq for e in pulled] == [1, 2]
    kota = fed.node("KOTA")
    late_first = kota.receive([pulled[1]], fed.clock())
    assert late_first.applied == 0  # waits for its predecessor
    both = kota.receive([pulled[1], pulled[0], pulled[0]], fed.clock())
    again = kota.receive(pulled, fed.clock())
    assert (both.applied, both.duplicates, again.applied, again.duplicates) == (2, 1, 0, 2)
    lent = sorted(r.leg.request_id for r in fed.service.snapshot("KOTA").incoming())
    assert lent == sorted([f"{first}/1", f"{second}/1"])
    assert kota.held() == {"DESA": 2}


def test_a_forged_message_is_refused_at_the_hub_and_logged(store: Store, tmp_path: Path) -> None:
    fed = hosted(store, tmp_path, {"KOTA": ["B1"], "DESA": []})
    impostor = Ed25519PrivateKey.generate()
    forged = sign(message("KOTA", 1, "DESA", "KOTA:x", Request(item_id="DESA/9")), impostor)
    result = fed.hub.push("KOTA", [forged], fed.clock())
    assert (result.admitted, result.refused, result.held) == (0, 1, 0)
    assert refusals(store) == [("hub", "KOTA", 1, "bad_signature")]


def test_a_forged_message_is_refused_by_the_recipient_without_taking_its_slot(
    store: Store, tmp_path: Path
) -> None:
    fed = hosted(store, tmp_path, {"KOTA": ["B1"], "DESA": []})
    impostor = Ed25519PrivateKey.generate()
    forged = sign(message("DESA", 1, "KOTA", "DESA:x", Request(item_id="KOTA/B1")), impostor)
    kota = fed.node("KOTA")
    assert kota.receive([forged], fed.clock()).refused == 1
    genuine_key = load_key_file(fed.keys.path("DESA"))
    genuine = sign(message("DESA", 1, "KOTA", "DESA:y", Request(item_id="KOTA/B1")), genuine_key)
    assert kota.receive([genuine], fed.clock()).applied == 1
    assert refusals(store) == [("KOTA", "DESA", 1, "bad_signature")]


def test_a_message_from_an_unknown_branch_is_refused_and_logged(
    store: Store, tmp_path: Path
) -> None:
    fed = hosted(store, tmp_path, {"KOTA": ["B1"]})
    stranger = sign(
        message("LUAR", 1, "KOTA", "LUAR:1", Request(item_id="KOTA/B1")),
        Ed25519PrivateKey.generate(),
    )
    assert fed.hub.push("LUAR", [stranger], fed.clock()).refused == 1
    assert refusals(store) == [("hub", "LUAR", 1, "unknown_branch")]


def test_a_replayed_message_is_logged_and_changes_nothing(store: Store, tmp_path: Path) -> None:
    fed = hosted(store, tmp_path, {"KOTA": ["B1"], "DESA": []})
    fed.service.reserve_item("DESA", "KOTA/B1", fed.clock())
    [sent] = fed.node("DESA").pending()
    assert fed.hub.push("DESA", [sent], fed.clock()).admitted == 1
    replay = fed.hub.push("DESA", [sent], fed.clock())
    assert (replay.admitted, replay.duplicates, replay.held) == (0, 1, 1)
    assert refusals(store) == [("hub", "DESA", 1, "duplicate")]
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(SyncStreamRow)) == 1


def test_the_hub_refuses_a_branch_supplying_a_copy_it_does_not_own(
    store: Store, tmp_path: Path
) -> None:
    fed = hosted(store, tmp_path, {"KOTA": ["B1"], "DESA": ["D1"]})
    fed.service.reserve_item("KOTA", "DESA/D1", fed.clock())
    fed.sync("KOTA")
    desa_key = load_key_file(fed.keys.path("DESA"))
    [leg] = fed.service.snapshot("KOTA").outgoing()
    claim = SupplyingAgencyMessage(
        SupplierStatus.WILL_SUPPLY, ReasonForMessage.REQUEST_RESPONSE, item_id="KOTA/B1"
    )
    bad = sign(message("DESA", 1, "KOTA", leg.rota.request_id + "/1", claim), desa_key)
    result = fed.hub.push("DESA", [bad], fed.clock())
    assert (result.admitted, result.held) == (1, 1)  # its slot is taken, as refused
    with store.read() as session:
        verdict = session.scalar(
            select(SyncStreamRow.refusal).where(SyncStreamRow.origin == "DESA")
        )
    assert verdict == "not_owner"
    entries = fed.hub.pull("KOTA", {"KOTA": 0}).entries
    assert entries == [{"skip": {"origin": "DESA", "seq": 1, "upto": 1, "reason": "refused"}}]


def test_every_message_sent_and_applied_is_in_the_audit_log(store: Store, tmp_path: Path) -> None:
    fed = hosted(store, tmp_path, {"KOTA": ["B1"], "DESA": []})
    request = fed.service.reserve_item("DESA", "KOTA/B1", fed.clock())
    fed.sync("DESA", "KOTA")
    fed.service.will_supply("KOTA", f"{request}/1", fed.clock())
    fed.sync("KOTA", "DESA")
    # DESA: its request out, the answer in; KOTA: the request in, its answer out.
    assert (audit_entries(store, "DESA"), audit_entries(store, "KOTA")) == (2, 2)
